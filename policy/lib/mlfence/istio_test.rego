package lib.mlfence.istio_test

import data.lib.mlfence.istio

test_is_kind_any_version if {
	istio.is_kind({"kind": "Sidecar", "apiVersion": "networking.istio.io/v1alpha3"}, "networking.istio.io", "Sidecar")
	not istio.is_kind({"kind": "Sidecar", "apiVersion": "example.com/v1"}, "networking.istio.io", "Sidecar")
	not istio.is_kind({"kind": "Sidecar"}, "networking.istio.io", "Sidecar")
}

test_action_default_allow if {
	istio.action({}) == "ALLOW"
	istio.action({"action": "deny"}) == "DENY"
	istio.action({"action": 3}) == "ALLOW"
}

test_rule_semantics if {
	istio.matches_everything({})
	istio.matches_everything({"from": [{"source": {"principals": []}}]})
	not istio.matches_everything({"to": [{"operation": {"methods": ["GET"]}}]})
	istio.empty_source_index({"from": [{"source": {"namespaces": ["a"]}}, {}]}) == 1
	not istio.empty_source_index({"from": [{"source": {"namespaces": ["a"]}}]})
	istio.identified({"from": [{"source": {"requestPrincipals": ["*"]}}]})
	not istio.identified({"from": [{"source": {"requestPrincipals": ["*"]}}, {"source": {"ipBlocks": ["10.0.0.0/8"]}}]})
	istio.identified({"when": [{"key": "request.auth.claims[iss]", "values": ["https://idp"]}]})
	not istio.identified({"when": [{"key": "request.auth.claims[iss]", "values": []}]})
}

test_operations_and_methods if {
	istio.operations({}) == [{}]
	istio.operations({"to": [{"operation": {"methods": ["GET"]}}, {}]}) == [{"methods": ["GET"]}, {}]
	istio.write_methods_of({}) == istio.write_methods
	istio.write_methods_of({"methods": ["get", "post"]}) == {"POST"}
	istio.write_methods_of({"notMethods": ["POST", "PUT"]}) == {"PATCH", "DELETE"}
	istio.open_paths({"paths": ["/health", "/v1/models/x"]}) == {"/v1/models/x"}
	istio.open_paths({}) == {"*"}
	istio.health_path("/v2/health/live")
	not istio.health_path("/v2/models/x")
}

test_domain_match if {
	istio.domain_match("*.huggingface.co", "cdn-lfs.HuggingFace.co")
	istio.domain_match("*.huggingface.co", "*.huggingface.co")
	not istio.domain_match("*.huggingface.co", "a.b.huggingface.co")
	not istio.domain_match("huggingface.co", "*.co")
	not istio.domain_match(3, "a")
	istio.service_entry_location({}) == "MESH_EXTERNAL"
	istio.service_entry_location({"location": "mesh_internal"}) == "MESH_INTERNAL"
}

# Values and precedence as Istio's injector reads them (pkg/kube/inject/inject.go).
test_sidecar_opt_out if {
	every value in ["false", "False", "no", "off", "0", "1", "n", "disabled", " true", "enabled"] {
		istio.sidecar_opt_out({"annotations": {"sidecar.istio.io/inject": value}}).where == "annotations"
	}
	every value in ["true", "TRUE", "y", "Yes", "on", "", null] {
		not istio.sidecar_opt_out({"labels": {"sidecar.istio.io/inject": value}})
	}
	istio.sidecar_opt_out({"annotations": {"sidecar.istio.io/inject": false}}).value == false
	not istio.sidecar_opt_out({})
	not istio.sidecar_opt_out({"labels": [], "annotations": "x"})
}

# The label wins over the annotation, in both directions.
test_sidecar_opt_out_label_wins if {
	not istio.sidecar_opt_out({"labels": {"sidecar.istio.io/inject": "true"}, "annotations": {"sidecar.istio.io/inject": "false"}})
	off := istio.sidecar_opt_out({"labels": {"sidecar.istio.io/inject": "no"}, "annotations": {"sidecar.istio.io/inject": "true"}})
	off == {"where": "labels", "value": "no"}
	not istio.sidecar_opt_out({"labels": {"sidecar.istio.io/inject": ""}, "annotations": {"sidecar.istio.io/inject": "false"}})
}

test_service_entry_loopback_only if {
	istio.service_entry_loopback_only({"resolution": "STATIC", "endpoints": [{"address": "127.0.0.1"}, {"address": "::1"}], "hosts": ["x.example.com"]})
	istio.service_entry_loopback_only({"resolution": "DNS", "hosts": ["localhost", "metrics.localhost."]})
	istio.service_entry_loopback_only({"resolution": "STATIC", "endpoints": [{"address": "unix:///var/run/agent.sock"}]})
	not istio.service_entry_loopback_only({"resolution": "STATIC", "endpoints": [{"address": "127.0.0.1"}, {"address": "52.1.2.3"}]})
	not istio.service_entry_loopback_only({"resolution": "DNS", "hosts": ["localhost", "pypi.org"]})
	not istio.service_entry_loopback_only({"hosts": ["localhost"]})
	not istio.service_entry_loopback_only({"addresses": ["0.0.0.0/0"]})
	not istio.service_entry_loopback_only({"addresses": ["127.0.0.0/8"], "hosts": ["anything.example.com"]})
	not istio.service_entry_loopback_only({"resolution": "DNS", "hosts": ["localhost.example.com"]})
	not istio.service_entry_loopback_only({})
	not istio.service_entry_loopback_only({"resolution": "STATIC", "endpoints": [{"address": 3}]})
}
