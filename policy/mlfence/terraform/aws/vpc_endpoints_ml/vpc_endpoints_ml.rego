# METADATA
# title: VPC hosting ML workloads lacks private endpoints for the ML data path
# description: >-
#   Without VPC endpoints, training data (S3), container images (ECR) and SageMaker API calls
#   leave the VPC through a NAT gateway to public service addresses: the egress path must then
#   stay open to the internet, and bucket policies cannot pin access to aws:SourceVpce.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/vpc_endpoint
#   - ref: https://docs.aws.amazon.com/sagemaker/latest/dg/interface-vpc-endpoint.html
#   - ref: https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
# custom:
#   id: MLF-TF-010
#   long_id: tf-aws-vpc-endpoints-ml
#   severity: medium
#   target: terraform
#   kinds: [aws_vpc, aws_vpc_endpoint, aws_sagemaker_domain, aws_sagemaker_notebook_instance,
#     aws_sagemaker_model, aws_sagemaker_training_job, aws_eks_cluster, aws_instance]
#   recommended_action: >-
#     Add aws_vpc_endpoint resources in the VPC for com.amazonaws.<region>.s3 (Gateway) and
#     ecr.api / ecr.dkr (Interface, private_dns_enabled = true), plus sagemaker.api and
#     sagemaker.runtime where SageMaker runs.
package mlfence.terraform.aws.vpc_endpoints_ml

import data.lib.mlfence.config
import data.lib.mlfence.result
import data.lib.mlfence.tfplan

violation contains result.failure(rego.metadata.chain(), vpc.address, msg) if {
	some vpc in _ml_vpcs
	missing := _missing(vpc)
	count(missing) > 0
	count(_undecided(vpc)) == 0
	msg := sprintf("%s hosts ML workloads (%s) but has no VPC endpoint for %s; add aws_vpc_endpoint resources", [
		vpc.address, concat(", ", sort(_workloads(vpc))), concat(", ", sort(missing)),
	])
}

violation contains result.unknown(rego.metadata.chain(), vpc.address, msg) if {
	some vpc in _ml_vpcs
	count(_missing(vpc)) > 0
	count(_undecided(vpc)) > 0
	msg := sprintf("%s hosts ML workloads; endpoints for %s not found, and %s is known only after apply", [
		vpc.address, concat(", ", sort(_missing(vpc))), concat(", ", sort(_undecided(vpc))),
	])
}

_ml_vpcs contains vpc if {
	some w in _workload_vpcs
	vpc := w.vpc
}

_workloads(vpc) := {w.workload.address | some w in _workload_vpcs; w.vpc == vpc}

_sagemaker(vpc) if {
	some w in _workload_vpcs
	w.vpc == vpc
	w.sagemaker
}

_required(vpc) := {s | some s in config.value("aws_ml_vpc_endpoint_services")} | _sagemaker_services(vpc)

_sagemaker_services(vpc) := {s | some s in config.value("aws_sagemaker_vpc_endpoint_services")} if _sagemaker(vpc)

else := set()

_missing(vpc) := {s |
	some s in _required(vpc)
	not _has_endpoint(vpc, s)
}

_endpoints(vpc) := {e |
	some e in tfplan.existing_of_type("aws_vpc_endpoint")
	vpc in tfplan.linked(e, "vpc_id", "aws_vpc")
}

_has_endpoint(vpc, service) if {
	some e in _endpoints(vpc)
	endswith(tfplan.text(e, "service_name"), sprintf(".%s", [service]))
}

# Endpoints that may be the missing ones: service name or VPC known only after apply.
_undecided(vpc) := {e.address |
	some e in _endpoints(vpc)
	tfplan.pending(e, "service_name")
} | {e.address |
	some e in tfplan.existing_of_type("aws_vpc_endpoint")
	not tfplan.decided(e, "vpc_id")
}

# _workload_vpcs: {"workload", "vpc", "sagemaker"} for every changed ML resource and a VPC of the
# plan it runs in, found directly (vpc_id) or through its subnets.
_workload_vpcs contains {"workload": r, "vpc": vpc, "sagemaker": true} if {
	some r in tfplan.of_type("aws_sagemaker_domain")
	some vpc in tfplan.linked(r, "vpc_id", "aws_vpc")
}

_workload_vpcs contains {"workload": r, "vpc": vpc, "sagemaker": sagemaker} if {
	some placement in _subnet_placements
	some r in tfplan.of_type(placement.type)
	_ml_resource(r)
	some subnet in tfplan.linked(r, placement.path, "aws_subnet")
	some vpc in tfplan.linked(subnet, "vpc_id", "aws_vpc")
	sagemaker := startswith(placement.type, "aws_sagemaker_")
}

_subnet_placements := [
	{"type": "aws_sagemaker_notebook_instance", "path": "subnet_id"},
	{"type": "aws_sagemaker_model", "path": ["vpc_config", 0, "subnets"]},
	{"type": "aws_sagemaker_training_job", "path": ["vpc_config", 0, "subnets"]},
	{"type": "aws_eks_cluster", "path": ["vpc_config", 0, "subnet_ids"]},
	{"type": "aws_instance", "path": "subnet_id"},
]

_ml_resource(r) if r.type != "aws_instance"

# EC2 instances count when tagged as ML workloads (aws_ml_instance_tags: key -> value or "*").
_ml_resource(r) if {
	r.type == "aws_instance"
	some key, want in config.value("aws_ml_instance_tags")
	got := tfplan.tags(r)[key]
	want in {"*", got}
}
