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
	both := {"networking.knative.dev/visibility": "cluster-local", "serving.knative.dev/visibility": "cluster-local"}
	count(_violations(_ksvc(both), {})) == 0
}

# Knative Serving 0.21 removed serving.knative.dev/visibility: the route reconciler ignores it,
# so it keeps nothing private (1.21.1's webhook accepts it, so the finding does not say refused).
test_deny_legacy_label_only if {
	v := _violations(_ksvc({"serving.knative.dev/visibility": "cluster-local"}), {})
	count(v) == 1
	some f in v
	contains(f.msg, "its label serving.knative.dev/visibility was removed in Knative Serving 0.21")
	not contains(f.msg, "refuses")
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

_config_domain(ns, entries) := {"namespace": {ns: {"v1": {"ConfigMap": {"config-domain": {
	"apiVersion": "v1",
	"kind": "ConfigMap",
	"metadata": {"name": "config-domain", "namespace": ns},
	"data": entries,
}}}}}}

_with_inventory(obj, inventory, params) := v if {
	v := knative_service_exposed.violation with input as {"review": {"object": obj}, "parameters": params}
		with data.inventory as inventory
}

# Configuration overridden by the scanned config-domain (Knative 1.8+): a domain without a
# selector is every route's default; naming none leaves the cluster domain, so routes stay local.
test_config_domain_default_domain if {
	external := _config_domain("knative-serving", {"example.com": ""})
	v := _with_inventory(_ksvc({}), external, {"knative_default_visibility": "cluster-local"})
	count(v) == 1
	some f in v
	contains(f.msg, "config-domain in knative-serving gives its route the domain example.com")
}

test_config_domain_without_domain_is_cluster_local if {
	only_example := _config_domain("knative-serving", {"_example": "example.com: |"})
	count(_with_inventory(_ksvc({}), only_example, {})) == 0
	local := _config_domain("knative-serving", {"svc.cluster.local": ""})
	count(_with_inventory(_ksvc({}), local, {})) == 0
}

# Knative's LookupDomainForLabels: the matching selector with the most labels wins.
test_config_domain_selectors if {
	domains := _config_domain("knative-serving", {
		"example.com": "",
		"svc.cluster.local": "selector:\n  app: secret\n",
		"example.org": "selector:\n  app: nonprofit\n",
	})
	count(_with_inventory(_ksvc({"app": "secret"}), domains, {})) == 0
	count(_with_inventory(_ksvc({"app": "nonprofit"}), domains, {})) == 1
	count(_with_inventory(_ksvc({"app": "other"}), domains, {})) == 1
	selectors_only := _config_domain("knative-serving", {"example.org": "selector:\n  app: nonprofit\n"})
	count(_with_inventory(_ksvc({"app": "nonprofit"}), selectors_only, {})) == 1
	count(_with_inventory(_ksvc({}), selectors_only, {})) == 0
}

test_config_domain_wrong_types_never_error if {
	broken := _config_domain("knative-serving", {"example.com": "selector: [", "example.org": 3})
	count(_with_inventory(_ksvc({}), broken, {})) == 0
	count(_with_inventory(_ksvc({}), _config_domain("serving", "x"), {})) == 0
}
