# METADATA
# title: EKS API endpoint is public and open to the internet
# description: >-
#   The Kubernetes API of a cluster controls every workload in it; on an ML platform that is
#   every training job, notebook and model server. A public endpoint without public_access_cidrs
#   is open to 0.0.0.0/0 (the EKS default), so one leaked kubeconfig or API bug is enough.
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
package mlfence.terraform.aws.eks_public_endpoint

import data.lib.mlfence.config
import data.lib.mlfence.net
import data.lib.mlfence.result
import data.lib.mlfence.tfplan

_path := ["vpc_config", 0, "public_access_cidrs"]

_public_access := ["vpc_config", 0, "endpoint_public_access"]

# public_access_cidrs is Optional+Computed: left out, EKS applies its documented default
# ["0.0.0.0/0"] (the plan lists it in after_unknown, or shows it empty).
violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in _public
	some cidr in _cidrs(r)
	net.is_everywhere(cidr)
	msg := sprintf("%s has a public API endpoint open to %s (vpc_config.public_access_cidrs%s)%s; restrict it", [
		r.address, cidr, _default_note(r), _ml_note(r),
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

# The cluster is called an ML platform only when the plan says so: GPU or accelerator node
# groups, ML workload tags (parameter aws_ml_instance_tags), or ML add-ons.
_ml_note(r) := sprintf("; it runs ML workloads (%s)", [concat(", ", sort(evidence))]) if {
	evidence := _ml_evidence(r)
	count(evidence) > 0
} else := ""

_ml_evidence(r) := ({e |
	some ng in tfplan.existing_of_type("aws_eks_node_group")
	r in tfplan.linked(ng, "cluster_name", "aws_eks_cluster")
	_gpu_node_group(ng)
	e := sprintf("GPU node group %s", [ng.address])
} | {e |
	some addon in tfplan.existing_of_type("aws_eks_addon")
	r in tfplan.linked(addon, "cluster_name", "aws_eks_cluster")
	regex.match(`(?i)sagemaker|kubeflow|neuron|nvidia`, sprintf("%v", [addon.values.addon_name]))
	e := sprintf("add-on %v", [addon.values.addon_name])
}) | {e |
	some key, want in config.value("aws_ml_instance_tags")
	value := tfplan.tags(r)[key]
	want in {"*", value}
	e := sprintf("tag %s", [key])
}

_gpu_node_group(ng) if {
	some t in tfplan.string_list(tfplan.value(ng, "instance_types", []))
	regex.match(`^(p[0-9]|g[0-9]|trn[0-9]|inf[0-9]|dl[0-9])`, t)
}

_gpu_node_group(ng) if regex.match(`(?i)gpu|nvidia|neuron`, sprintf("%v", [tfplan.value(ng, "ami_type", "")]))
