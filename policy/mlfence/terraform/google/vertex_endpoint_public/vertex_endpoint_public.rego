# METADATA
# title: Vertex AI endpoint serves predictions on the public API
# description: >-
#   A google_vertex_ai_endpoint with neither a peered `network` nor Private Service Connect is
#   served on the public aiplatform.googleapis.com surface: any stolen token with predict
#   permission can query the model from anywhere, and prompts and predictions leave the VPC.
#   Private Service Connect with an empty project_allowlist lets any project connect.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/vertex_ai_endpoint
#   - ref: https://cloud.google.com/vertex-ai/docs/predictions/private-service-connect
# custom:
#   id: MLF-TF-048
#   long_id: tf-google-vertex-endpoint-public
#   severity: high
#   target: terraform
#   kinds: [google_vertex_ai_endpoint]
#   recommended_action: >-
#     Set private_service_connect_config { enable_private_service_connect = true,
#     project_allowlist = [<consumer projects>] } (or `network` for a VPC-peered private
#     endpoint) and keep the endpoint inside a VPC Service Controls perimeter.
package mlfence.terraform.google.vertex_endpoint_public

import data.lib.mlfence.config
import data.lib.mlfence.result
import data.lib.mlfence.tfplan

_psc := "private_service_connect_config"

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in _endpoints
	not _peered(r)
	not _psc_enabled(r)
	not _pending(r)
	msg := sprintf("%s is served publicly: no network and no %s.enable_private_service_connect", [r.address, _psc])
}

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in _endpoints
	_psc_enabled(r)
	count(_allowlist(r)) == 0
	not tfplan.pending(r, [_psc, 0, "project_allowlist"])
	msg := sprintf("%s: Private Service Connect with an empty %s.project_allowlist accepts any project", [r.address, _psc])
}

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	allowed := {p | some p in tfplan.string_list(config.value("gcp_psc_allowed_projects"))}
	count(allowed) > 0
	some r in _endpoints
	_psc_enabled(r)
	some project in _allowlist(r)
	not project in allowed
	msg := sprintf("%s: %s.project_allowlist admits %s, which is not in gcp_psc_allowed_projects", [
		r.address, _psc, project,
	])
}

violation contains result.unknown(rego.metadata.chain(), r.address, msg) if {
	some r in _endpoints
	_pending(r)
	msg := sprintf("%s: network / %s is known only after apply; mlfence cannot prove the endpoint is private", [
		r.address, _psc,
	])
}

_endpoints contains r if {
	some r in tfplan.of_type("google_vertex_ai_endpoint")
	not tfplan.allowlisted(r)
}

_peered(r) if {
	network := tfplan.setting(r, ["network"])
	is_string(network)
	network != ""
}

_psc_enabled(r) if tfplan.is_true(tfplan.setting(r, [_psc, 0, "enable_private_service_connect"]))

_allowlist(r) := tfplan.string_list(tfplan.setting(r, [_psc, 0, "project_allowlist"]))

_pending(r) if {
	not _peered(r)
	not _psc_enabled(r)
	some path in [["network"], [_psc, 0, "enable_private_service_connect"]]
	tfplan.pending(r, path)
}
