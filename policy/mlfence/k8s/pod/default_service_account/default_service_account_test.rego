package mlfence.k8s.pod.default_service_account_test

import data.mlfence.k8s.pod.default_service_account

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ml"}, "spec": spec}

_violations(obj, params) := v if {
	v := default_service_account.violation with input as {"review": {"object": obj}, "parameters": params}
}

# Attribute omitted: no serviceAccountName runs as "default".
test_warn_omitted if {
	v := _violations(_pod({"containers": []}), {})
	count(v) == 1
	count([f | some f in v; f.details.rule_id == "MLF-K8S-014"; f.details.status == "warn"; contains(f.msg, "not set")]) > 0
}

test_warn_explicit_default if {
	count(_violations(_pod({"serviceAccountName": "default"}), {})) == 1
	count(_violations(_pod({"serviceAccount": "default"}), {})) == 1
}

test_allow_own_account if {
	count(_violations(_pod({"serviceAccountName": "trainer"}), {})) == 0
	count(_violations(_pod({"serviceAccount": "trainer"}), {})) == 0
}

test_ml_kinds if {
	ray := {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "r", "namespace": "ml"}, "spec": {
		"headGroupSpec": {"template": {"spec": {"serviceAccountName": "ray"}}},
		"workerGroupSpecs": [{"template": {"spec": {}}}],
	}}
	v := _violations(ray, {})
	count(v) == 1
	count([f | some f in v; contains(f.msg, "spec.workerGroupSpecs[0].template.spec")]) > 0
	isvc := {"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService", "metadata": {"name": "m", "namespace": "ml"}, "spec": {"predictor": {"model": {}}}}
	count(_violations(isvc, {})) == 1
	wf := {"apiVersion": "argoproj.io/v1alpha1", "kind": "CronWorkflow", "metadata": {"name": "w", "namespace": "ml"}, "spec": {"workflowSpec": {"serviceAccountName": "pipeline", "templates": [{"container": {}}]}}}
	count(_violations(wf, {})) == 0
}

# Fragments do not decide the account: TrainJob overrides and serving runtimes.
test_allow_fragments if {
	tj := {"apiVersion": "trainer.kubeflow.org/v1alpha1", "kind": "TrainJob", "metadata": {"name": "t", "namespace": "ml"}, "spec": {"trainer": {"image": "x"}, "podTemplateOverrides": [{"spec": {"nodeSelector": {}}}]}}
	count(_violations(tj, {})) == 0
	sr := {"apiVersion": "serving.kserve.io/v1alpha1", "kind": "ClusterServingRuntime", "metadata": {"name": "s"}, "spec": {"containers": []}}
	count(_violations(sr, {})) == 0
}

test_system_namespace_parameter if {
	obj := json.patch(_pod({}), [{"op": "replace", "path": "/metadata/namespace", "value": "kube-system"}])
	count(_violations(obj, {})) == 0
	count(_violations(obj, {"system_namespaces": []})) == 1
}

test_allow_wrong_types_without_error if {
	count(_violations(_pod("x"), {})) == 0
	count(_violations(_pod({"serviceAccountName": 3}), {})) == 1
}

test_cluster_template_named_as_a_template if {
	runtime := {
		"apiVersion": "trainer.kubeflow.org/v1alpha1",
		"kind": "ClusterTrainingRuntime",
		"metadata": {"name": "torch-distributed"},
		"spec": {"template": {"spec": {"replicatedJobs": [{"name": "node", "template": {"spec": {"template": {"spec": {"containers": [{"name": "node", "image": "pytorch"}]}}}}}]}}},
	}
	v := default_service_account.violation with input as {"review": {"object": runtime}, "parameters": {}}
	count(v) == 1
	every f in v {
		contains(f.msg, "a cluster-wide template: pods made from it in any namespace")
	}
}
