package mlfence.k8s.pod.istio_sidecar_disabled_test

import data.mlfence.k8s.pod.istio_sidecar_disabled

_deployment(ns, metadata) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": ns}, "spec": {"template": {"metadata": metadata, "spec": {"containers": [{"name": "c"}]}}}}

_off := {"annotations": {"sidecar.istio.io/inject": "false"}}

_violations(obj, params) := v if {
	v := istio_sidecar_disabled.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_deny_annotation_and_label if {
	v := _violations(_deployment("ml", _off), {})
	count(v) == 1
	count([f | some f in v; f.details.rule_id == "MLF-K8S-012"; contains(f.msg, "spec.template.metadata.annotations")]) > 0
	count(_violations(_deployment("ml", {"labels": {"sidecar.istio.io/inject": "False"}}), {})) == 1
}

# Attribute omitted, or injection asked for.
test_allow_default_and_true if {
	count(_violations(_deployment("ml", {}), {})) == 0
	count(_violations(_deployment("ml", {"annotations": {"sidecar.istio.io/inject": "true"}}), {})) == 0
}

test_mesh_namespaces_parameter if {
	params := {"mesh_namespaces": ["ml-*"]}
	count(_violations(_deployment("ml-serving", _off), params)) == 1
	count(_violations(_deployment("batch", _off), params)) == 0
	inventory := {"cluster": {"v1": {"Namespace": {"batch": {"metadata": {"name": "batch", "labels": {"istio-injection": "enabled"}}}}}}}
	count(istio_sidecar_disabled.violation) == 1 with input as {"review": {"object": _deployment("batch", _off)}, "parameters": params}
		with data.inventory as inventory
}

test_ml_kinds if {
	argo := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": "w", "namespace": "ml"}, "spec": {"templates": [{"metadata": _off, "container": {"image": "x"}}]}}
	count([f | some f in _violations(argo, {}); contains(f.msg, "spec.templates[0].metadata")]) > 0
	isvc := {"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService", "metadata": object.union({"name": "m", "namespace": "ml"}, _off), "spec": {"predictor": {"model": {}}}}
	count(_violations(isvc, {})) == 1
	job := {"apiVersion": "batch.volcano.sh/v1alpha1", "kind": "Job", "metadata": {"name": "v", "namespace": "ml"}, "spec": {"tasks": [{"template": {"metadata": _off, "spec": {}}}]}}
	count(_violations(job, {})) == 1
}

test_allow_system_namespace_and_odd_input if {
	count(_violations(_deployment("istio-system", _off), {})) == 0
	count(_violations(_deployment("ml", {"annotations": "x"}), {})) == 0
	count(_violations(_deployment("ml", _off), {"mesh_namespaces": "x"})) == 1
}

# Every spelling Istio's injector reads as "off", label or annotation; the finding says that
# injectors accepting only true and false read them as unset instead.
test_deny_other_spellings if {
	every value in ["no", "off", "0", "disabled", "n", "NO", "False"] {
		count(_violations(_deployment("ml", {"annotations": {"sidecar.istio.io/inject": value}}), {})) == 1
		v := _violations(_deployment("ml", {"labels": {"sidecar.istio.io/inject": value}}), {})
		count(v) == 1
		every f in v {
			contains(f.msg, "injectors that accept only true and false fall back to the namespace default")
		}
	}
	plain := _violations(_deployment("ml", _off), {})
	count(plain) == 1
	every f in plain {
		not contains(f.msg, "injectors that accept only true and false")
	}
}

# The label wins: label "true" keeps the sidecar whatever the annotation says, label "no" drops it.
test_label_wins_over_annotation if {
	kept := {"labels": {"sidecar.istio.io/inject": "true"}, "annotations": {"sidecar.istio.io/inject": "false"}}
	count(_violations(_deployment("ml", kept), {})) == 0
	dropped := {"labels": {"sidecar.istio.io/inject": "off"}, "annotations": {"sidecar.istio.io/inject": "true"}}
	v := _violations(_deployment("ml", dropped), {})
	count(v) == 1
	some f in v
	contains(f.msg, "spec.template.metadata.labels sidecar.istio.io/inject: off")
}

test_allow_yaml_true_spellings if {
	every value in ["y", "yes", "on", "TRUE", ""] {
		count(_violations(_deployment("ml", {"annotations": {"sidecar.istio.io/inject": value}}), {})) == 0
	}
}

# A Namespace labelled istio-injection=disabled opts every pod out, when the inventory holds it.
test_deny_namespace_injection_disabled if {
	inventory := {"cluster": {"v1": {"Namespace": {"ml": {"metadata": {"name": "ml", "labels": {"istio-injection": "disabled"}}}}}}}
	v := istio_sidecar_disabled.violation with input as {"review": {"object": _deployment("ml", {})}, "parameters": {}}
		with data.inventory as inventory
	count(v) == 1
	some f in v
	contains(f.msg, "istio-injection: disabled")
}

test_allow_namespace_injection_enabled_or_outside_mesh if {
	enabled := {"cluster": {"v1": {"Namespace": {"ml": {"metadata": {"name": "ml", "labels": {"istio-injection": "enabled"}}}}}}}
	count(istio_sidecar_disabled.violation) == 0 with input as {"review": {"object": _deployment("ml", {})}}
		with data.inventory as enabled
	disabled := {"cluster": {"v1": {"Namespace": {"batch": {"metadata": {"name": "batch", "labels": {"istio-injection": "disabled"}}}}}}}
	count(istio_sidecar_disabled.violation) == 0 with input as {"review": {"object": _deployment("batch", {})}, "parameters": {"mesh_namespaces": ["ml-*"]}}
		with data.inventory as disabled
}

# A cluster-wide template has no namespace of its own: the message says where its pods run.
test_cluster_template_is_not_placed_in_a_namespace if {
	runtime := {
		"apiVersion": "trainer.kubeflow.org/v1alpha1",
		"kind": "ClusterTrainingRuntime",
		"metadata": {"name": "torch-distributed"},
		"spec": {"template": {"spec": {"replicatedJobs": [{"name": "node", "template": {"spec": {"template": {
			"metadata": {"labels": {"sidecar.istio.io/inject": "false"}},
			"spec": {"containers": [{"name": "node", "image": "pytorch"}]},
		}}}}]}}},
	}
	v := istio_sidecar_disabled.violation with input as {"review": {"object": runtime}, "parameters": {}}
	count(v) == 1
	every f in v {
		contains(f.msg, "each namespace whose objects use this cluster-wide template")
		not contains(f.msg, "(none given)")
	}
}

# Namespace omitted (kubeflow/manifests' model-registry db overlay is applied with -n): whether
# it lands in a mesh namespace is unknown, whatever mesh_namespaces says; never a failure.
test_unknown_without_namespace if {
	no_namespace := json.remove(_deployment("ml", _off), ["metadata/namespace"])
	v := _violations(no_namespace, {})
	{f.details.status | some f in v} == {"unknown"}
	{f.details.status | some f in _violations(no_namespace, {"mesh_namespaces": ["ml-*"]})} == {"unknown"}
	count(_violations(json.remove(_deployment("ml", {}), ["metadata/namespace"]), {})) == 0
	some f in v
	contains(f.msg, "has no namespace: whether the namespace it is applied to is a mesh namespace is known only after rendering")
}
