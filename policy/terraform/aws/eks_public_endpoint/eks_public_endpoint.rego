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

_public_access := ["vpc_config", 0, "endpoint_public_access"]

# public_access_cidrs is Optional+Computed: left out, EKS applies its documented default
# ["0.0.0.0/0"] (the plan lists it in after_unknown, or shows it empty).
violation contains result.violation(rego.metadata.chain(), r.address, msg) if {
	some r in _public
	some cidr in _cidrs(r)
	net.is_everywhere(cidr)
	msg := sprintf("%s has a public API endpoint open to %s (vpc_config.public_access_cidrs%s); restrict it", [
		r.address, cidr, _default_note(r),
	])
}

violation contains f if {
	some f in tfplan.pending_findings(rego.metadata.chain(), tfplan.of_type("aws_eks_cluster"), [_path, _public_access])
}

# endpoint_public_access defaults to true (provider docs); the plan normally records it.
_public contains r if {
	some r in tfplan.of_type("aws_eks_cluster")
	tfplan.effective(r, _public_access) == true
}

_cidrs(r) := cidrs if {
	cidrs := tfplan.string_list(tfplan.effective(r, _path))
	count(cidrs) > 0
} else := ["0.0.0.0/0"] if {
	not tfplan.pending(r, _path)
}

_default_note(r) := " omitted, which EKS defaults to 0.0.0.0/0" if {
	tfplan.attribute(r, _path).state == "default"
} else := ""
