package mlfence.k8s.pod.istio_traffic_bypass_test

import data.mlfence.k8s.pod.istio_traffic_bypass

_pod(annotations) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ml", "annotations": annotations}, "spec": {"containers": [{"name": "c"}]}}

_violations(obj, params) := v if {
	v := istio_traffic_bypass.violation with input as {"review": {"object": obj}, "parameters": params}
}

_key(name) := concat("", ["traffic.sidecar.istio.io/", name])

test_deny_excluded_ranges_and_ports if {
	v := _violations(_pod({_key("excludeOutboundIPRanges"): "52.216.0.0/16"}), {})
	count(v) == 1
	count([f | some f in v; f.details.rule_id == "MLF-K8S-013"; f.details.severity == "medium"]) > 0
	count(_violations(_pod({_key("excludeOutboundPorts"): "443", _key("excludeInboundPorts"): "8080", _key("excludeInterfaces"): "eth1"}), {})) == 3
}

test_deny_everything_excluded_is_high if {
	count([f | some f in _violations(_pod({_key("excludeOutboundIPRanges"): "10.0.0.0/8, 0.0.0.0/0"}), {}); f.details.severity == "high"]) > 0
}

test_deny_narrow_include if {
	count(_violations(_pod({_key("includeOutboundIPRanges"): "10.0.0.0/8"}), {})) == 1
	count(_violations(_pod({_key("includeInboundPorts"): ""}), {})) == 1
}

# Attribute omitted, empty exclusions, "*" inclusions.
test_allow_defaults if {
	count(_violations(_pod({}), {})) == 0
	count(_violations(_pod({_key("excludeOutboundPorts"): "", _key("includeOutboundIPRanges"): "*", _key("includeInboundPorts"): "*"}), {})) == 0
	count(_violations(_pod({"other": "x"}), {})) == 0
}

test_mesh_namespaces_parameter if {
	count(_violations(_pod({_key("excludeOutboundPorts"): "443"}), {"mesh_namespaces": ["prod-*"]})) == 0
	count(_violations(_pod({_key("excludeOutboundPorts"): "443"}), {"mesh_namespaces": ["ml"]})) == 1
}

test_ml_kinds if {
	meta := {"annotations": {_key("excludeOutboundPorts"): "443"}}
	jobset := {"apiVersion": "jobset.x-k8s.io/v1alpha2", "kind": "JobSet", "metadata": {"name": "j", "namespace": "ml"}, "spec": {"replicatedJobs": [{"template": {"spec": {"template": {"metadata": meta, "spec": {}}}}}]}}
	count(_violations(jobset, {})) == 1
	rayjob := {"apiVersion": "ray.io/v1", "kind": "RayJob", "metadata": {"name": "r", "namespace": "ml"}, "spec": {"submitterPodTemplate": {"metadata": meta, "spec": {}}}}
	count(_violations(rayjob, {})) == 1
	sr := {"apiVersion": "serving.kserve.io/v1alpha1", "kind": "ServingRuntime", "metadata": {"name": "s", "namespace": "ml"}, "spec": {"annotations": meta.annotations, "containers": []}}
	count(_violations(sr, {})) == 1
}

test_allow_wrong_types_without_error if {
	count(_violations(_pod({_key("excludeOutboundPorts"): 443}), {})) == 0
	count(_violations(_pod("x"), {})) == 0
}

# Ranges that together cover the internet are as bad as 0.0.0.0/0.
test_deny_excluded_halves_is_high if {
	v := _violations(_pod({_key("excludeOutboundIPRanges"): "0.0.0.0/1,128.0.0.0/1"}), {})
	count([f | some f in v; f.details.severity == "high"]) == 1
	v6 := _violations(_pod({_key("excludeOutboundIPRanges"): "::/1,8000::/1"}), {})
	count([f | some f in v6; f.details.severity == "high"]) == 1
	narrow := _violations(_pod({_key("excludeOutboundIPRanges"): "52.0.0.0/8"}), {"open_share_threshold": 0.001})
	count([f | some f in narrow; f.details.severity == "high"]) == 1
}

# interceptionMode NONE captures nothing; Istio refuses other spellings of it, so they are no bypass.
test_deny_interception_mode_none if {
	v := _violations(_pod({"sidecar.istio.io/interceptionMode": "NONE"}), {})
	count(v) == 1
	some f in v
	f.details.severity == "high"
	contains(f.msg, "captures no traffic at all")
}

test_allow_interception_modes_istio_accepts_or_refuses if {
	every mode in ["REDIRECT", "TPROXY", "none", " NONE"] {
		count(_violations(_pod({"sidecar.istio.io/interceptionMode": mode}), {})) == 0
	}
	count(_violations(_pod({"sidecar.istio.io/interceptionMode": "NONE"}), {"mesh_namespaces": ["other"]})) == 0
}
