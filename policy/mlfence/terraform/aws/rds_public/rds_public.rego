# METADATA
# title: RDS or Aurora database is publicly accessible
# description: >-
#   MLflow tracking servers, feature stores and labelling tools keep their metadata in RDS and
#   Aurora. publicly_accessible = true gives the database a public DNS name and address, so the
#   credentials are the only thing between the internet and experiment history, features and
#   model lineage.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/rds_cluster_instance
# custom:
#   id: MLF-TF-025
#   long_id: tf-aws-rds-public
#   severity: high
#   target: terraform
#   kinds: [aws_db_instance, aws_rds_cluster_instance]
#   recommended_action: >-
#     Set publicly_accessible = false, place the database in a DB subnet group of private
#     subnets, and reach it from the platform through its security group (or RDS Proxy).
package mlfence.terraform.aws.rds_public

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

_types := ["aws_db_instance", "aws_rds_cluster_instance"]

# aws_db_instance defaults to false. aws_rds_cluster_instance leaves it to the RDS API when it is
# left out (private unless the subnet group's subnets route to an internet gateway), which the
# plan cannot show: only an explicit true is reported there.
violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some type in _types
	some r in tfplan.of_type(type)
	tfplan.effective(r, "publicly_accessible") == true
	msg := sprintf("%s sets publicly_accessible = true (engine %v); set it to false and use private subnets", [
		r.address, tfplan.value(r, "engine", "unknown"),
	])
}

violation contains f if {
	some type in _types
	some f in tfplan.pending_findings(rego.metadata.chain(), tfplan.of_type(type), ["publicly_accessible"])
}
