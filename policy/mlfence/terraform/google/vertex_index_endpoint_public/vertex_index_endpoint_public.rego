# METADATA
# title: Vertex AI Vector Search index endpoint is public
# description: >-
#   public_endpoint_enabled puts the vector index (embeddings of documents, often of private
#   corpora used for retrieval-augmented generation) on a public domain name: embeddings can be
#   queried and inverted from anywhere a token leaks to.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/vertex_ai_index_endpoint
# custom:
#   id: MLF-TF-049
#   long_id: tf-google-vertex-index-endpoint-public
#   severity: high
#   target: terraform
#   kinds: [google_vertex_ai_index_endpoint]
#   recommended_action: >-
#     Set public_endpoint_enabled = false and use private_service_connect_config (with a
#     project_allowlist) or a peered `network`.
package mlfence.terraform.google.vertex_index_endpoint_public

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in _index_endpoints
	tfplan.is_true(tfplan.setting(r, ["public_endpoint_enabled"]))
	msg := sprintf("%s serves vector search on a public domain; set public_endpoint_enabled = false", [r.address])
}

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in _index_endpoints
	tfplan.is_true(tfplan.setting(r, ["private_service_connect_config", 0, "enable_private_service_connect"]))
	count(tfplan.string_list(tfplan.setting(r, ["private_service_connect_config", 0, "project_allowlist"]))) == 0
	not tfplan.pending(r, ["private_service_connect_config", 0, "project_allowlist"])
	msg := sprintf("%s: Private Service Connect with an empty project_allowlist accepts any project", [r.address])
}

violation contains f if {
	some f in tfplan.pending_because(rego.metadata.chain(), _index_endpoints, [["public_endpoint_enabled"]], "")
}

_index_endpoints contains r if {
	some r in tfplan.of_type("google_vertex_ai_index_endpoint")
	not tfplan.allowlisted(r)
}
