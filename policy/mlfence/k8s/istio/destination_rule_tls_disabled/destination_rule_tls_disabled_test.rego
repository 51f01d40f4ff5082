package mlfence.k8s.istio.destination_rule_tls_disabled_test

import data.mlfence.k8s.istio.destination_rule_tls_disabled

_dr(spec) := {
	"apiVersion": "networking.istio.io/v1beta1",
	"kind": "DestinationRule",
	"metadata": {"name": "triton", "namespace": "ml-serving"},
	"spec": spec,
}

_violations(obj, params) := v if {
	v := destination_rule_tls_disabled.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_deny_top_level_disable_mesh_host if {
	v := _violations(_dr({"host": "triton.ml-serving.svc.cluster.local", "trafficPolicy": {"tls": {"mode": "DISABLE"}}}), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-048"
	f.details.severity == "high"
	contains(f.msg, "spec.trafficPolicy.tls.mode: DISABLE")
}

test_deny_port_level_and_subset if {
	spec := {
		"host": "triton", "trafficPolicy": {"portLevelSettings": [
			{"port": {"number": 8001}, "tls": {"mode": "ISTIO_MUTUAL"}},
			{"port": {"number": 8002}, "tls": {"mode": "disable"}},
		]},
		"subsets": [
			{"name": "v1", "labels": {"version": "v1"}},
			{"name": "v2", "labels": {"version": "v2"}, "trafficPolicy": {
				"tls": {"mode": "DISABLE"},
				"portLevelSettings": [{"port": {"number": 8000}, "tls": {"mode": "DISABLE"}}],
			}},
		],
	}
	v := _violations(_dr(spec), {})
	count(v) == 3
	some f in v
	contains(f.msg, "spec.subsets[1].trafficPolicy.portLevelSettings[0].tls.mode")
}

test_deny_external_host_medium if {
	v := _violations(_dr({"host": "api.example.com", "trafficPolicy": {"tls": {"mode": "DISABLE"}}}), {})
	some f in v
	f.details.severity == "medium"
}

test_allow_istio_mutual_and_simple if {
	count(_violations(_dr({"host": "triton", "trafficPolicy": {"tls": {"mode": "ISTIO_MUTUAL"}}}), {})) == 0
	count(_violations(_dr({"host": "huggingface.co", "trafficPolicy": {"tls": {"mode": "SIMPLE", "sni": "huggingface.co"}}}), {})) == 0
}

# Attribute omitted: automatic mTLS.
test_allow_no_tls_block if {
	count(_violations(_dr({"host": "triton", "trafficPolicy": {"connectionPool": {"tcp": {"maxConnections": 100}}}}), {})) == 0
	count(_violations(_dr({"host": "triton"}), {})) == 0
}

# Exposure and mesh rules judge system namespaces too (only workload hygiene exempts them).
test_system_namespace_parameter_does_not_exempt if {
	count(_violations(_dr({"host": "x", "trafficPolicy": {"tls": {"mode": "DISABLE"}}}), {"system_namespaces": ["ml-serving"]})) == count(_violations(_dr({"host": "x", "trafficPolicy": {"tls": {"mode": "DISABLE"}}}), {}))
}

test_wrong_types_never_error if {
	count(_violations(_dr({"host": 3, "trafficPolicy": {"tls": {"mode": "DISABLE"}}}), {})) == 1
	count(_violations(_dr({"trafficPolicy": {"tls": "DISABLE", "portLevelSettings": "x"}, "subsets": "x"}), {})) == 0
	count(_violations(_dr({"trafficPolicy": null, "subsets": [null, {"trafficPolicy": 3}]}), {})) == 0
	count(_violations(_dr("x"), {})) == 0
}
