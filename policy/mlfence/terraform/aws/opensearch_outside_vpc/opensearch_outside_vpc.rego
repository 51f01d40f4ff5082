# METADATA
# title: OpenSearch or Elasticsearch domain outside a VPC
# description: >-
#   Vector stores for retrieval-augmented generation and embedding search often run on
#   OpenSearch. A domain without vpc_options gets a public endpoint; only its access policy
#   stands between the internet and the indexed documents and embeddings. An access policy that
#   allows Principal "*" without conditions makes it open to anyone.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/opensearch_domain
#   - ref: https://docs.aws.amazon.com/opensearch-service/latest/developerguide/vpc.html
# custom:
#   id: MLF-TF-026
#   long_id: tf-aws-opensearch-outside-vpc
#   severity: high
#   target: terraform
#   kinds: [aws_opensearch_domain, aws_elasticsearch_domain]
#   recommended_action: >-
#     Add vpc_options { subnet_ids = [private subnets], security_group_ids = [...] } (a domain
#     cannot move into a VPC later: this replaces it) and keep the access policy to named roles.
package mlfence.terraform.aws.opensearch_outside_vpc

import data.lib.mlfence.result
import data.lib.mlfence.tfiam
import data.lib.mlfence.tfplan

_types := ["aws_opensearch_domain", "aws_elasticsearch_domain"]

violation contains result.with_severity(rego.metadata.chain(), r.address, msg, severity) if {
	some type in _types
	some r in tfplan.of_type(type)
	not _in_vpc(r)
	open := _open_policy(r)
	severity := {true: "critical", false: "high"}[open]
	msg := sprintf("%s has no vpc_options, so its endpoint is public%s; create it in private subnets", [
		r.address, {true: " and its access policy allows Principal \"*\" without conditions", false: ""}[open],
	])
}

_in_vpc(r) if count(tfplan.string_list(tfplan.value(r, ["vpc_options", 0, "subnet_ids"], []))) > 0

# Subnets created in the same plan are known only after apply: the domain is still in a VPC.
_in_vpc(r) if tfplan.pending(r, ["vpc_options", 0, "subnet_ids"])

default _open_policy(_) := false

_open_policy(r) if {
	some s in tfiam.statements(tfiam.document(tfplan.value(r, "access_policies", "")))
	tfiam.open_statement(s)
}
