package mlfence.k8s.pod.host_network_test

import data.mlfence.k8s.pod.host_network

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "trainer", "namespace": "ml-training"}, "spec": spec}

_deployment(pod_spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "server", "namespace": "ml-serving"},
	"spec": {"template": {"spec": pod_spec}},
}

_violations(obj, params) := v if {
	v := host_network.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_deny_pod_host_network if {
	v := _violations(_pod({"hostNetwork": true, "containers": []}), {})
	count(v) == 1
	count([f | some f in v; f.details.rule_id == "MLF-K8S-002"; contains(f.msg, "spec.hostNetwork")]) > 0
}

test_deny_deployment_template_host_network if {
	v := _violations(_deployment({"hostNetwork": true}), {})
	count(v) == 1
	count([f | some f in v; contains(f.msg, "spec.template.spec.hostNetwork")]) > 0
}

test_deny_cronjob_template_host_network if {
	obj := {"kind": "CronJob", "metadata": {"name": "nightly"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"hostNetwork": true}}}}}}
	count(_violations(obj, {})) == 1
}

test_allow_host_network_false if {
	count(_violations(_pod({"hostNetwork": false}), {})) == 0
}

# Attribute omitted: the API default is false.
test_allow_host_network_omitted if {
	count(_violations(_pod({"containers": [{"name": "c"}]}), {})) == 0
	count(_violations(_deployment({}), {})) == 0
}

# A string "true" is not the boolean the API accepts; the API server would reject it.
test_allow_non_boolean_value if {
	count(_violations(_pod({"hostNetwork": "true"}), {})) == 0
}

test_allow_system_namespace_by_default if {
	obj := json.patch(_pod({"hostNetwork": true}), [{"op": "replace", "path": "/metadata/namespace", "value": "kube-system"}])
	count(_violations(obj, {})) == 0
}

test_deny_system_namespace_when_list_overridden if {
	obj := json.patch(_pod({"hostNetwork": true}), [{"op": "replace", "path": "/metadata/namespace", "value": "kube-system"}])
	count(_violations(obj, {"system_namespaces": []})) == 1
}

test_allow_malformed_objects if {
	count(_violations({"kind": "Pod", "spec": "x"}, {})) == 0
	count(_violations({"kind": "Deployment", "spec": {"template": 3}}, {})) == 0
	count(_violations("not an object", {})) == 0
}

test_deny_ml_kinds if {
	spec := {"hostNetwork": true, "containers": [{"name": "c"}]}
	mpi := {"apiVersion": "kubeflow.org/v2beta1", "kind": "MPIJob", "metadata": {"name": "m", "namespace": "ml"}, "spec": {"mpiReplicaSpecs": {"Worker": {"template": {"spec": spec}}}}}
	count([f | some f in _violations(mpi, {}); contains(f.msg, "spec.mpiReplicaSpecs.Worker.template.spec.hostNetwork")]) > 0
	ray := {"apiVersion": "ray.io/v1", "kind": "RayService", "metadata": {"name": "r", "namespace": "ml"}, "spec": {"rayClusterConfig": {"workerGroupSpecs": [{"template": {"spec": spec}}]}}}
	count(_violations(ray, {})) == 1
	wf := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": "w", "namespace": "ml"}, "spec": {"hostNetwork": true, "templates": [{"container": {}}]}}
	count(_violations(wf, {})) == 1
	patched := {"apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate", "metadata": {"name": "w", "namespace": "ml"}, "spec": {"templates": [{"container": {}, "podSpecPatch": "hostNetwork: true"}]}}
	count([g | some g in _violations(patched, {}); contains(g.msg, "spec.templates[0].podSpecPatch.hostNetwork")]) > 0
	lws := {"apiVersion": "leaderworkerset.x-k8s.io/v1", "kind": "LeaderWorkerSet", "metadata": {"name": "l", "namespace": "ml"}, "spec": {"leaderWorkerTemplate": {"workerTemplate": {"spec": spec}}}}
	count(_violations(lws, {})) == 1
}
