package mlfence.k8s.exposure.volcano_network_policy_disabled_test

import data.mlfence.k8s.exposure.volcano_network_policy_disabled

_job(plugins) := {
	"apiVersion": "batch.volcano.sh/v1alpha1",
	"kind": "Job",
	"metadata": {"name": "tf-dist", "namespace": "ml-training"},
	"spec": {"schedulerName": "volcano", "minAvailable": 3, "plugins": plugins, "tasks": []},
}

_violations(obj, params) := v if {
	v := volcano_network_policy_disabled.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_deny_disable_network_policy_true if {
	v := _violations(_job({"svc": ["--disable-network-policy=true"], "env": []}), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-035"
	contains(f.msg, "--disable-network-policy=true")
}

test_deny_other_spellings if {
	every arg in ["--disable-network-policy", "-disable-network-policy=1", "--disable-network-policy=True", " --disable-network-policy=t "] {
		count(_violations(_job({"svc": [arg]}), {})) == 1
	}
}

test_allow_false_and_other_flags if {
	count(_violations(_job({"svc": ["--disable-network-policy=false", "--publish-not-ready-addresses=true"]}), {})) == 0
}

# Attribute omitted: the plugin keeps its NetworkPolicy; no svc plugin creates none to disable.
test_allow_svc_plugin_without_arguments if {
	count(_violations(_job({"svc": [], "ssh": []}), {})) == 0
	count(_violations(_job({}), {})) == 0
}

test_allow_batch_job_kind if {
	obj := json.patch(_job({"svc": ["--disable-network-policy=true"]}), [{"op": "replace", "path": "/apiVersion", "value": "batch/v1"}])
	count(_violations(obj, {})) == 0
}

test_system_namespace_parameter if {
	count(_violations(_job({"svc": ["--disable-network-policy"]}), {"system_namespaces": ["ml-training"]})) == 0
}

test_wrong_types_never_error if {
	count(_violations(_job({"svc": "--disable-network-policy=true"}), {})) == 0
	count(_violations(_job({"svc": [null, 1, "--disable-network-policy=true=x"]}), {})) == 0
	count(_violations(_job("svc"), {})) == 0
	count(_violations({"kind": "Job", "apiVersion": 1}, {})) == 0
}
