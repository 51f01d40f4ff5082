# METADATA
# title: EKS API endpoint is public and open to the internet
# description: >-
#   The Kubernetes API of an ML cluster controls every training job, notebook and model server
#   in it. A public endpoint without public_access_cidrs is open to 0.0.0.0/0 (the EKS default),
#   so one leaked kubeconfig or API bug is enough.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_cluster
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html
# custom:
#   id: MLF-TF-007
#   long_id: tf-aws-eks-public-endpoint-open
#   severity: high
#   target: terraform
#   kinds: [aws_eks_cluster]
#   recommended_action: >-
#     Set vpc_config.endpoint_public_access = false with endpoint_private_access = true, or list
#     the CI and VPN egress addresses in vpc_config.public_access_cidrs.
package terraform.aws.eks_public_endpoint

import data.lib.mlfence.net
import data.lib.mlfence.result
import data.lib.mlfence.tfplan

_path := ["vpc_config", 0, "public_access_cidrs"]

violation contains result.violation(rego.metadata.chain(), r.address, msg) if {
	some r in _public
	some cidr in tfplan.string_list(tfplan.value(r, _path, []))
	net.is_everywhere(cidr)
	msg := sprintf(
		"%s has a public API endpoint open to %s (vpc_config.public_access_cidrs); restrict it",
		[r.address, cidr],
	)
}

# public_access_cidrs is computed: when the configuration does not set it, EKS applies its
# documented default ["0.0.0.0/0"] and the plan can only show it as unknown (or empty).
violation contains result.violation(rego.metadata.chain(), r.address, msg) if {
	some r in _public
	not tfplan.configured(r, _path)
	count(tfplan.string_list(tfplan.value(r, _path, []))) == 0
	msg := sprintf(
		"%s has a public API endpoint and omits vpc_config.public_access_cidrs, which EKS defaults to 0.0.0.0/0",
		[r.address],
	)
}

violation contains result.unknown(rego.metadata.chain(), r.address, msg) if {
	some r in _public
	tfplan.configured(r, _path)
	tfplan.is_unknown(r, _path)
	msg := sprintf("%s: vpc_config.public_access_cidrs is known only after apply; cannot prove it is restricted", [
		r.address,
	])
}

violation contains result.unknown(rego.metadata.chain(), r.address, msg) if {
	some r in tfplan.of_type("aws_eks_cluster")
	tfplan.is_unknown(r, ["vpc_config", 0, "endpoint_public_access"])
	msg := sprintf("%s: vpc_config.endpoint_public_access is known only after apply; set it to false", [r.address])
}

# endpoint_public_access defaults to true (provider docs); the plan normally records it.
_public contains r if {
	some r in tfplan.of_type("aws_eks_cluster")
	tfplan.value(r, ["vpc_config", 0, "endpoint_public_access"], true) == true
	not tfplan.is_unknown(r, ["vpc_config", 0, "endpoint_public_access"])
}
