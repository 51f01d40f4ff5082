package mlfence.k8s.istio.peer_authn_permissive_test

import data.mlfence.k8s.istio.peer_authn_permissive

_pa(namespace, spec) := {
	"apiVersion": "security.istio.io/v1",
	"kind": "PeerAuthentication",
	"metadata": {"name": "pa", "namespace": namespace},
	"spec": spec,
}

_violations(obj, params) := v if {
	v := peer_authn_permissive.violation with input as {"review": {"object": obj}, "parameters": params}
}

# The seed's ml-pipeline-mtls policy.
test_allow_seed_strict if {
	obj := _pa("ml-pipeline", {"mtls": {"mode": "STRICT"}, "selector": {"matchLabels": {"security-tier": "high"}}})
	count(_violations(obj, {})) == 0
}

test_deny_permissive_medium if {
	v := _violations(_pa("ml-serving", {"mtls": {"mode": "PERMISSIVE"}}), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-040"
	f.details.severity == "medium"
	contains(f.msg, "spec.mtls.mode: PERMISSIVE")
}

test_deny_disable_high_v1beta1 if {
	obj := json.patch(_pa("ml-serving", {"mtls": {"mode": "DISABLE"}}), [{"op": "replace", "path": "/apiVersion", "value": "security.istio.io/v1beta1"}])
	v := _violations(obj, {})
	count(v) == 1
	some f in v
	f.details.severity == "high"
}

test_deny_port_level if {
	spec := {"selector": {"matchLabels": {"app": "triton"}}, "mtls": {"mode": "STRICT"}, "portLevelMtls": {"8002": {"mode": "DISABLE"}, "8000": {"mode": "STRICT"}, "9090": {"mode": "PERMISSIVE"}}}
	v := _violations(_pa("ml-serving", spec), {})
	count(v) == 2
	some f in v
	contains(f.msg, "portLevelMtls[8002].mode: DISABLE")
}

# Attribute omitted: outside the root namespace UNSET inherits the parent policy.
test_allow_unset_namespace_policy if {
	count(_violations(_pa("ml-serving", {}), {})) == 0
	count(_violations(_pa("ml-serving", {"mtls": {"mode": "UNSET"}}), {})) == 0
}

test_deny_mesh_wide_unset if {
	v := _violations(_pa("istio-system", {}), {})
	count(v) == 1
	some f in v
	contains(f.msg, "mesh-wide")
	f.details.severity == "medium"
}

test_mesh_wide_strict_and_workload_policies_in_root if {
	count(_violations(_pa("istio-system", {"mtls": {"mode": "STRICT"}}), {})) == 0
	count(_violations(_pa("istio-system", {"mtls": {"mode": "PERMISSIVE"}}), {})) == 1

	# A workload policy in a system namespace is judged too: it opens that workload to plaintext.
	obj := _pa("istio-system", {"selector": {"matchLabels": {"app": "istiod"}}, "mtls": {"mode": "PERMISSIVE"}})
	count(_violations(obj, {})) == 1
}

test_root_namespace_parameter if {
	count(_violations(_pa("mesh-root", {}), {})) == 0
	count(_violations(_pa("mesh-root", {}), {"istio_root_namespace": "mesh-root"})) == 1
	count(_violations(_pa("istio-system", {}), {"istio_root_namespace": "mesh-root"})) == 0
}

test_allow_other_groups if {
	obj := json.patch(_pa("ml-serving", {"mtls": {"mode": "DISABLE"}}), [{"op": "replace", "path": "/apiVersion", "value": "example.com/v1"}])
	count(_violations(obj, {})) == 0
}

test_wrong_types_never_error if {
	count(_violations(_pa("ml-serving", {"mtls": "DISABLE"}), {})) == 0
	count(_violations(_pa("ml-serving", {"mtls": {"mode": 3}, "portLevelMtls": ["x", null]}), {})) == 0
	count(_violations(_pa("istio-system", "x"), {})) == 1
	count(_violations(_pa("istio-system", {"mtls": null}), {})) == 1
	count(_violations({"kind": "PeerAuthentication", "apiVersion": 1}, {})) == 0
}

# Knative's webhook PeerAuthentication: PERMISSIVE on the webhook's target port only.
test_permissive_webhook_port_of_a_webhook_backend if {
	pa := {
		"apiVersion": "security.istio.io/v1beta1",
		"kind": "PeerAuthentication",
		"metadata": {"name": "webhook", "namespace": "knative-serving"},
		"spec": {"selector": {"matchLabels": {"app": "webhook"}}, "portLevelMtls": {"8443": {"mode": "PERMISSIVE"}}},
	}
	inventory := {
		"cluster": {"admissionregistration.k8s.io/v1": {"ValidatingWebhookConfiguration": {"w": {"webhooks": [{"clientConfig": {"service": {"name": "webhook", "namespace": "knative-serving"}}}]}}}},
		"namespace": {"knative-serving": {"v1": {"Service": {"webhook": {"spec": {"selector": {"app": "webhook", "role": "webhook"}, "ports": [{"port": 443, "targetPort": 8443}]}}}}}},
	}
	count(peer_authn_permissive.violation) == 0 with input as {"review": {"object": pa}, "parameters": {}}
		with data.inventory as inventory

	# Without the webhook configuration, or on another port, it is reported.
	count(peer_authn_permissive.violation) == 1 with input as {"review": {"object": pa}, "parameters": {}}
	other := json.patch(pa, [{"op": "add", "path": "/spec/portLevelMtls/9090", "value": {"mode": "PERMISSIVE"}}])
	count(peer_authn_permissive.violation) == 1 with input as {"review": {"object": other}, "parameters": {}}
		with data.inventory as inventory
}
