package mlfence.k8s.network.namespace_default_deny_test

import data.mlfence.k8s.network.namespace_default_deny

_ns(name) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}

_deny_all := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "default-deny-all", "namespace": "ml-serving"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}

_violations(obj, policies, params) := v if {
	inventory := {"namespace": {"ml-serving": {"networking.k8s.io/v1": {"NetworkPolicy": policies}}}}
	v := namespace_default_deny.violation with input as {"review": {"object": obj}, "parameters": params} with data.inventory as inventory
}

test_deny_namespace_without_policies if {
	v := _violations(_ns("ml-serving"), {}, {})
	count(v) == 1
	count([f | some f in v; f.details.rule_id == "MLF-K8S-008"; contains(f.msg, "namespace: ml-serving")]) > 0
}

# Attribute omitted: no inventory at all.
test_deny_without_inventory if {
	count(namespace_default_deny.violation) == 1 with input as {"review": {"object": _ns("ml-serving")}}
}

test_allow_effective_default_deny if {
	count(_violations(_ns("ml-serving"), {"default-deny-all": _deny_all}, {})) == 0
}

test_deny_ingress_only_deny if {
	ingress_only := json.patch(_deny_all, [{"op": "replace", "path": "/spec/policyTypes", "value": ["Ingress"]}])
	v := _violations(_ns("ml-serving"), {"d": ingress_only}, {})
	count([f | some f in v; contains(f.msg, "denies Egress")]) > 0
}

test_deny_cancelled_by_allow_all if {
	allow_all := {"metadata": {"name": "allow-all"}, "spec": {"podSelector": {}, "ingress": [{}]}}
	v := _violations(_ns("ml-serving"), {"default-deny-all": _deny_all, "allow-all": allow_all}, {})
	count([f | some f in v; contains(f.msg, "allow-all allows all ingress")]) > 0
}

test_allow_system_namespace_unless_list_overridden if {
	count(_violations(_ns("kube-system"), {}, {})) == 0
	count(_violations(_ns("kube-system"), {}, {"system_namespaces": []})) == 1
}

test_allow_other_kinds_and_odd_input if {
	count(_violations(_deny_all, {}, {})) == 0
	count(_violations({"kind": "Namespace"}, {}, {})) == 0
	count(_violations(_ns("ml-serving"), {"default-deny-all": _deny_all, "x": "junk"}, {})) == 0
}

# A recommendation, not a failure: workloads are judged one by one by MLF-K8S-009.
test_deny_is_a_warning if {
	v := _violations(_ns("ml-serving"), {}, {})
	[f.details.status | some f in v] == ["warn"]
}
