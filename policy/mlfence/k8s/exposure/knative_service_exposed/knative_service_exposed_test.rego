package mlfence.k8s.exposure.knative_service_exposed_test

import data.mlfence.k8s.exposure.knative_service_exposed

_ksvc(labels) := {
	"apiVersion": "serving.knative.dev/v1",
	"kind": "Service",
	"metadata": {"name": "hello", "namespace": "ml-serving", "labels": labels},
	"spec": {"template": {"spec": {"containers": [{"image": "ghcr.io/knative/helloworld-go:latest"}]}}},
}

_violations(obj, params) := v if {
	v := knative_service_exposed.violation with input as {"review": {"object": obj}, "parameters": params}
}

# Attribute omitted: Knative's default visibility is external.
test_deny_without_label if {
	v := _violations(_ksvc({}), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-051"
	contains(f.msg, "no label networking.knative.dev/visibility: cluster-local")
}

test_allow_cluster_local if {
	count(_violations(_ksvc({"networking.knative.dev/visibility": "cluster-local"}), {})) == 0
	count(_violations(_ksvc({"serving.knative.dev/visibility": "cluster-local"}), {})) == 0
}

test_deny_other_values if {
	count(_violations(_ksvc({"networking.knative.dev/visibility": "external"}), {})) == 1
	count(_violations(_ksvc({"networking.knative.dev/visibility": "Cluster-Local"}), {})) == 1
}

# Parameter overridden: config-domain makes every route cluster-local.
test_allow_parameter_default_cluster_local if {
	count(_violations(_ksvc({}), {"knative_default_visibility": "cluster-local"})) == 0
}

test_allow_owned_by_kserve if {
	obj := json.patch(_ksvc({}), [{"op": "add", "path": "/metadata/ownerReferences", "value": [{"kind": "InferenceService", "name": "x"}]}])
	count(_violations(obj, {})) == 0
}

test_allow_core_service if {
	obj := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x", "namespace": "ml"}, "spec": {}}
	count(_violations(obj, {})) == 0
}

test_wrong_types_never_error if {
	count(_violations(_ksvc("x"), {})) == 1
	count(_violations(json.patch(_ksvc({}), [{"op": "replace", "path": "/metadata", "value": "x"}]), {})) == 1
}
