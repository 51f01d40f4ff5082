package k8s.exposure.kserve_exposed_test

import data.k8s.exposure.kserve_exposed

_isvc(labels, annotations) := {
	"apiVersion": "serving.kserve.io/v1beta1",
	"kind": "InferenceService",
	"metadata": {"name": "llm", "namespace": "ml-serving", "labels": labels, "annotations": annotations},
	"spec": {"predictor": {"model": {"modelFormat": {"name": "vLLM"}}}},
}

_violations(obj, params) := v if {
	v := kserve_exposed.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_deny_exposed_label if {
	v := _violations(_isvc({"networking.kserve.io/visibility": "exposed"}, {}), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-034"
	contains(f.msg, "label networking.kserve.io/visibility")
}

test_deny_exposed_annotation if {
	v := _violations(_isvc({}, {"networking.kserve.io/visibility": " Exposed "}), {})
	count(v) == 1
	some f in v
	contains(f.msg, "annotation")
}

test_allow_cluster_local if {
	count(_violations(_isvc({"networking.kserve.io/visibility": "cluster-local"}, {}), {})) == 0
}

# Attribute omitted.
test_allow_without_visibility if {
	count(_violations(_isvc({"app": "llm"}, {}), {})) == 0
}

test_allow_other_kinds if {
	obj := json.patch(_isvc({"networking.kserve.io/visibility": "exposed"}, {}), [{"op": "replace", "path": "/kind", "value": "ServingRuntime"}])
	count(_violations(obj, {})) == 0
}

test_system_namespace_parameter if {
	obj := _isvc({"networking.kserve.io/visibility": "exposed"}, {})
	count(_violations(obj, {"system_namespaces": ["ml-serving"]})) == 0
}

test_wrong_types_never_error if {
	count(_violations(_isvc({"networking.kserve.io/visibility": true}, "x"), {})) == 0
	count(_violations(_isvc(null, ["exposed"]), {})) == 0
	count(_violations({"kind": "InferenceService", "metadata": "x"}, {})) == 0
}

test_allow_other_api_group if {
	obj := json.patch(_isvc({"networking.kserve.io/visibility": "exposed"}, {}), [{"op": "replace", "path": "/apiVersion", "value": "example.com/v1"}])
	count(_violations(obj, {})) == 0
}
