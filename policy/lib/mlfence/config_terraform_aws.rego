# Secure defaults of the AWS Terraform rules (MLF-TF-001 to MLF-TF-039).
# Each key is mirrored in data/mlfence/config/data.yaml. The shared `ml_ports` list (numbers or
# "low-high" strings) is declared with the other Terraform defaults in config_terraform_cloud.rego.
package lib.mlfence.config

# The one tag that marks a load balancer as the reviewed edge gateway allowed to face the
# internet (MLF-TF-008), and load balancer names that are allowed regardless of tags.
defaults["aws_edge_gateway_tag"] := {"key": "mlfence.io/edge-gateway", "value": "true"}

defaults["aws_edge_gateway_names"] := []

# Buckets whose tag `key` has one of `values` hold ML data or models and must only be reachable
# through the platform's VPC endpoints (MLF-TF-012).
defaults["aws_ml_bucket_tag"] := {
	"key": "mlfence.io/data-class",
	"values": ["training-data", "model-artifacts", "feature-store"],
}

# EC2 instances / launch templates with one of these tag keys (any value) or tag key=value pairs
# run ML workloads, so their VPC needs private endpoints (MLF-TF-010).
defaults["aws_ml_instance_tags"] := {"mlfence.io/ml-workload": "*", "workload": "ml"}

# VPC endpoint services (suffix after com.amazonaws.<region>.) every VPC hosting ML workloads
# needs, and the extra ones where SageMaker runs.
defaults["aws_ml_vpc_endpoint_services"] := ["s3", "ecr.api", "ecr.dkr"]

defaults["aws_sagemaker_vpc_endpoint_services"] := ["sagemaker.api", "sagemaker.runtime"]
