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
