package k8s.network.workload_default_deny_test

import data.k8s.network.workload_default_deny

_deployment(ns) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "triton", "namespace": ns}, "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}}

_deny_all := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "default-deny-all"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}

_violations(obj, inventory, params) := v if {
	v := workload_default_deny.violation with input as {"review": {"object": obj}, "parameters": params} with data.inventory as inventory
}

_in(ns, policies) := {"namespace": {ns: {"networking.k8s.io/v1": {"NetworkPolicy": policies}}}}

test_deny_workload_in_namespace_without_default_deny if {
	v := _violations(_deployment("ml-serving"), _in("ml-serving", {}), {})
	count(v) == 1
	count([f | some f in v; f.details.rule_id == "MLF-K8S-009"; contains(f.msg, "metadata: {name: default-deny-all, namespace: ml-serving}")]) > 0
}

# Attribute omitted: nothing known about the namespace is a finding (secure default).
test_deny_without_inventory if {
	count(workload_default_deny.violation) == 1 with input as {"review": {"object": _deployment("ml-serving")}}
}

test_allow_with_default_deny if {
	count(_violations(_deployment("ml-serving"), _in("ml-serving", {"default-deny-all": _deny_all}), {})) == 0
	count(_violations(_deployment("ml-serving"), _in("other", {"default-deny-all": _deny_all}), {})) == 1
}

test_ml_kinds if {
	ray := {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "r", "namespace": "ml"}, "spec": {"headGroupSpec": {"template": {"spec": {}}}}}
	count(_violations(ray, {}, {})) == 1
	count(_violations(ray, _in("ml", {"d": _deny_all}), {})) == 0
}

# Manifests without a namespace pair with policies written beside them without one.
test_namespace_less_manifests if {
	obj := json.remove(_deployment("x"), ["/metadata/namespace"])
	count(_violations(obj, {}, {})) == 1
	count(_violations(obj, {"cluster": {"networking.k8s.io/v1": {"NetworkPolicy": {"d": _deny_all}}}}, {})) == 0
}

test_parameter_overridden if {
	v := _violations(_deployment("ml-serving"), {}, {"default_deny_policy_name": "deny-everything"})
	count([f | some f in v; contains(f.msg, "name: deny-everything")]) > 0
	count(_violations(_deployment("ml-serving"), {}, {"system_namespaces": ["ml-serving"]})) == 0
}

test_allow_owned_objects_and_non_workloads if {
	owned := json.patch(_deployment("ml"), [{"op": "add", "path": "/metadata/ownerReferences", "value": [{"kind": "X"}]}])
	count(_violations(owned, {}, {})) == 0
	count(_violations(_deny_all, {}, {})) == 0
	count(_violations({"kind": "ConfigMap", "metadata": {"namespace": "ml"}}, {}, {})) == 0
	count(_violations({"kind": "Deployment", "spec": 3}, "junk", {})) == 0
}
