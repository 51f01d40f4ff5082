package mlfence.k8s.network.ingress_from_anyone_test

import data.mlfence.k8s.network.ingress_from_anyone

_policy(ns, spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "np", "namespace": ns}, "spec": spec}

_violations(obj, params) := v if {
	v := ingress_from_anyone.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_deny_rule_without_from if {
	v := _violations(_policy("ml-serving", {"podSelector": {"matchLabels": {"app": "triton"}}, "ingress": [{"ports": [{"port": 8000}]}]}), {})
	count(v) == 1
	count([f | some f in v; f.details.rule_id == "MLF-K8S-003"; contains(f.msg, "has no `from`")]) > 0
}

test_deny_open_cidr if {
	spec := {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}, {"ipBlock": {"cidr": "::/0"}}]}]}
	count(_violations(_policy("ml", spec), {})) == 2
}

test_deny_empty_from if {
	count(_violations(_policy("ml", {"podSelector": {}, "ingress": [{"from": []}]}), {})) == 1
}

test_allow_selected_callers if {
	spec := {"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "istio-system"}}, "podSelector": {"matchLabels": {"istio": "ingressgateway"}}}]}, {"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]}
	count(_violations(_policy("ml", spec), {})) == 0
}

# Attribute omitted: no ingress rules at all deny every caller.
test_allow_no_ingress_rules if {
	count(_violations(_policy("ml", {"podSelector": {}, "policyTypes": ["Ingress"]}), {})) == 0
	count(_violations(_policy("ml", {"podSelector": {}, "policyTypes": ["Egress"], "ingress": [{}]}), {})) == 0
}

_gateway := {"edge_gateways": [{"namespace": "edge", "labels": {"app": "gateway"}}]}

test_allow_approved_edge_gateway if {
	spec := {"podSelector": {"matchLabels": {"app": "gateway", "tier": "edge"}}, "ingress": [{}]}
	count(_violations(_policy("edge", spec), _gateway)) == 0
}

test_deny_edge_namespace_but_other_pods if {
	count(_violations(_policy("edge", {"podSelector": {}, "ingress": [{}]}), _gateway)) == 1
	count(_violations(_policy("other", {"podSelector": {"matchLabels": {"app": "gateway"}}, "ingress": [{}]}), _gateway)) == 1
}

test_allow_system_namespace_unless_list_overridden if {
	count(_violations(_policy("kube-system", {"podSelector": {}, "ingress": [{}]}), {})) == 0
	count(_violations(_policy("kube-system", {"podSelector": {}, "ingress": [{}]}), {"system_namespaces": []})) == 1
}

test_allow_wrong_types_without_error if {
	count(_violations(_policy("ml", {"ingress": "all"}), {})) == 0
	count(_violations(_policy("ml", {"ingress": [null, 3, {"from": "x"}]}), {"edge_gateways": [null, {"namespace": "ml"}]})) == 1
	count(_violations({"kind": "NetworkPolicy", "spec": null}, {})) == 0
}

# Union evasions: entries that are each narrower than everything but together are the internet.
test_deny_halves_in_one_rule if {
	for_v4 := {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/1"}}, {"ipBlock": {"cidr": "128.0.0.0/1"}}]}]}
	v := _violations(_policy("ml", for_v4), {})
	count(v) == 1
	for_v6 := {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "8000::/1"}}, {"ipBlock": {"cidr": "::/1"}}]}]}
	count(_violations(_policy("ml", for_v6), {})) == 1
	some f in v
	contains(f.msg, "ipBlocks 0.0.0.0/1 and 128.0.0.0/1, which together cover all of the public IPv4 address space")
}

# Quarters spread over rules with the same ports add up too; the finding names the union.
test_deny_union_across_rules if {
	rules := [{"from": [{"ipBlock": {"cidr": sprintf("%d.0.0.0/3", [i * 32])}}], "ports": [{"port": 8080}]} | some i in numbers.range(0, 7)]
	v := _violations(_policy("ml", {"podSelector": {}, "ingress": rules}), {})
	count(v) == 1
	some f in v
	contains(f.msg, "ingress rules admit ipBlocks 0.0.0.0/3")
}

# One wide block is judged by its share: a /1 is more than the default quarter, a /8 is not.
test_deny_single_wide_block if {
	v := _violations(_policy("ml", {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "128.0.0.0/1"}}]}]}), {})
	some f in v
	contains(f.msg, "ipBlock 128.0.0.0/1, which covers 43% of the public IPv4 address space")
}

test_allow_narrow_public_blocks if {
	spec := {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "203.0.113.0/24"}}, {"ipBlock": {"cidr": "52.0.0.0/8"}}]}, {"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]}
	count(_violations(_policy("ml", spec), {})) == 0
}

# Private and reserved space is no share of the internet, however wide.
test_allow_private_halves if {
	spec := {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}, {"ipBlock": {"cidr": "172.16.0.0/12"}}, {"ipBlock": {"cidr": "fc00::/7"}}, {"ipBlock": {"cidr": "224.0.0.0/3"}}]}]}
	count(_violations(_policy("ml", spec), {})) == 0
}

# Parameter overridden: a stricter threshold catches a /8, a nonsense one keeps the default.
test_threshold_overridden if {
	spec := {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "52.0.0.0/8"}}]}]}
	count(_violations(_policy("ml", spec), {"open_share_threshold": 0.001})) == 1
	count(_violations(_policy("ml", spec), {"open_share_threshold": "0"})) == 0
	halves := {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/1"}}, {"ipBlock": {"cidr": "128.0.0.0/1"}}]}]}
	count(_violations(_policy("ml", halves), {"open_share_threshold": "high"})) == 1
	count(_violations(_policy("ml", halves), {"open_share_threshold": 1})) == 1
}

# An IPv4-mapped IPv6 block is the IPv4 block it maps (Go's reading, and so Kubernetes').
test_deny_ipv4_mapped_everything if {
	spec := {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "::ffff:0:0/96"}}]}]}
	count(_violations(_policy("ml", spec), {})) == 1
}

test_allow_halves_on_edge_gateway if {
	spec := {"podSelector": {"matchLabels": {"app": "gateway"}}, "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/1"}}, {"ipBlock": {"cidr": "128.0.0.0/1"}}]}]}
	count(_violations(_policy("edge", spec), _gateway)) == 0
}

# --- admission webhook backends ------------------------------------------------------------------

_webhook_inventory := {
	"cluster": {"admissionregistration.k8s.io/v1": {"ValidatingWebhookConfiguration": {"config.webhook.serving.knative.dev": {"webhooks": [{
		"name": "config.webhook.serving.knative.dev",
		"clientConfig": {"service": {"name": "webhook", "namespace": "knative-serving"}},
	}]}}}},
	"namespace": {"knative-serving": {"v1": {"Service": {"webhook": {"spec": {
		"selector": {"app": "webhook", "role": "webhook"},
		"ports": [{"name": "https-webhook", "port": 443, "targetPort": 8443}],
	}}}}}},
}

# Knative's own policy (knative/serving config/core/300-webhook-networkpolicy style).
_webhook_policy(ports) := _policy("knative-serving", {
	"podSelector": {"matchExpressions": [
		{"key": "app", "operator": "In", "values": ["webhook"]},
		{"key": "role", "operator": "In", "values": ["webhook"]},
	]},
	"policyTypes": ["Ingress"],
	"ingress": [{"ports": ports}],
})

_webhook_violations(obj, params) := v if {
	v := ingress_from_anyone.violation with input as {"review": {"object": obj}, "parameters": params}
		with data.inventory as _webhook_inventory
}

test_allow_webhook_backend_open_on_its_target_port if {
	count(_webhook_violations(_webhook_policy([{"protocol": "TCP", "port": 8443}]), {})) == 0
}

# Without the webhook configuration in the inventory the same policy is ingress from anyone.
test_deny_webhook_policy_without_the_webhook_configuration if {
	count(_violations(_webhook_policy([{"protocol": "TCP", "port": 8443}]), {})) == 1
}

# Other ports, no ports, or pods the Service does not select: still from anyone.
test_deny_webhook_backend_opened_beyond_its_target_port if {
	count(_webhook_violations(_webhook_policy([{"port": 8443}, {"port": 9090}]), {})) == 1
	count(_webhook_violations(_webhook_policy([]), {})) == 1
	other := _policy("knative-serving", {"podSelector": {"matchLabels": {"app": "activator"}}, "ingress": [{"ports": [{"port": 8443}]}]})
	count(_webhook_violations(other, {})) == 1
	elsewhere := _policy("ml", {"podSelector": {}, "ingress": [{"ports": [{"port": 8443}]}]})
	count(_webhook_violations(elsewhere, {})) == 1
}

# Configuration overridden: with the control plane's CIDRs known, the open rule must admit only them.
test_control_plane_cidrs_narrow_webhook_ingress if {
	params := {"control_plane_cidrs": ["10.0.0.0/28"]}
	v := _webhook_violations(_webhook_policy([{"port": 8443}]), params)
	count(v) == 1
	msgs := {f.msg | some f in v}
	count({m |
		some m in msgs
		contains(m, "Service knative-serving/webhook (ValidatingWebhookConfiguration/config.webhook.serving.knative.dev)")
		contains(m, "10.0.0.0/28 (control_plane_cidrs)")
	}) == 1
	narrowed := _policy("knative-serving", {
		"podSelector": {"matchLabels": {"app": "webhook", "role": "webhook"}},
		"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/28"}}], "ports": [{"port": 8443}]}],
	})
	count(_webhook_violations(narrowed, params)) == 0
}

# The Service's default port (443) and a targetPort left out (same number) count too.
test_allow_webhook_default_ports if {
	inventory := json.patch(_webhook_inventory, [{"op": "replace", "path": "/namespace/knative-serving/v1/Service/webhook/spec/ports", "value": [{"port": 443}]}])
	count(ingress_from_anyone.violation) == 0 with input as {"review": {"object": _webhook_policy([{"port": 443}])}, "parameters": {}}
		with data.inventory as inventory
}

# KServe's webhook Service forwards to a named targetPort; Kubeflow's policy opens its number.
test_allow_webhook_named_target_port if {
	inventory := json.patch(_webhook_inventory, [{"op": "replace", "path": "/namespace/knative-serving/v1/Service/webhook/spec/ports", "value": [{"port": 443, "targetPort": "webhook-server"}]}])
	count(ingress_from_anyone.violation) == 0 with input as {"review": {"object": _webhook_policy([{"port": 9443}])}, "parameters": {}}
		with data.inventory as inventory
	count(ingress_from_anyone.violation) == 0 with input as {"review": {"object": _webhook_policy([{"port": "webhook-server"}])}, "parameters": {}}
		with data.inventory as inventory
}

# Knative's net-istio webhook: the Service selects app only, the policy pins app and role.
test_allow_webhook_policy_pinning_more_labels_than_the_service if {
	inventory := json.patch(_webhook_inventory, [{"op": "replace", "path": "/namespace/knative-serving/v1/Service/webhook/spec/selector", "value": {"app": "webhook"}}])
	count(ingress_from_anyone.violation) == 0 with input as {"review": {"object": _webhook_policy([{"port": 8443}])}, "parameters": {}}
		with data.inventory as inventory
}

# Two `In` expressions pinning one key to different values: a valid selector that matches no pod,
# so the policy fences no webhook backend and its open rule is ingress from anyone (the pinned
# labels were an object built from both: a conflict error). The same key pinned twice to one
# value is the plain pin.
test_deny_webhook_policy_pinning_one_key_to_two_values if {
	conflicting := _policy("knative-serving", {
		"podSelector": {"matchExpressions": [
			{"key": "app", "operator": "In", "values": ["webhook"]},
			{"key": "app", "operator": "In", "values": ["other"]},
		]},
		"policyTypes": ["Ingress"],
		"ingress": [{"ports": [{"port": 8443}]}],
	})
	count(_webhook_violations(conflicting, {})) == 1
	repeated := _policy("knative-serving", {
		"podSelector": {"matchExpressions": [
			{"key": "app", "operator": "In", "values": ["webhook"]},
			{"key": "app", "operator": "In", "values": ["webhook"]},
		]},
		"policyTypes": ["Ingress"],
		"ingress": [{"ports": [{"port": 8443}]}],
	})
	count(_webhook_violations(repeated, {})) == 0
}
