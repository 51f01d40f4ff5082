# METADATA
# title: ML compute instance has an external IP address
# description: >-
#   GPU/TPU training and inference VMs with an external IP are directly reachable (SSH, Jupyter,
#   Ray, model servers bound to 0.0.0.0) and egress around NAT and proxy controls; GPU hosts are
#   prime targets for cryptomining. A network_interface with an access_config block gets an
#   external IP even when nat_ip is empty (an ephemeral address).
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/compute_instance
#   - ref: https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/tpu_v2_vm
# custom:
#   id: MLF-TF-047
#   long_id: tf-google-ml-instance-public-ip
#   severity: high
#   target: terraform
#   kinds: [google_compute_instance, google_compute_instance_template,
#     google_compute_region_instance_template, google_tpu_v2_vm]
#   recommended_action: >-
#     Remove access_config / ipv6_access_config from network_interface (enable_external_ips =
#     false on TPU VMs), give the subnet Private Google Access and Cloud NAT, and reach the VM
#     through IAP. ML instances are recognised by GPUs, accelerator machine types, and the
#     gcp_ml_labels / gcp_ml_network_tags parameters.
package mlfence.terraform.google.ml_instance_public_ip

import data.lib.mlfence.config
import data.lib.mlfence.result
import data.lib.mlfence.tfplan

_types := {"google_compute_instance", "google_compute_instance_template", "google_compute_region_instance_template"}

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in _ml_instances
	some i, nic in tfplan.blocks(r, "network_interface")
	some key in ["access_config", "ipv6_access_config"]
	count(tfplan.blocks_of(nic, key)) > 0
	msg := sprintf("%s is an ML instance (%s) with an external IP: network_interface[%d].%s; remove it", [
		r.address, _why(r), i, key,
	])
}

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in tfplan.of_type("google_tpu_v2_vm")
	not tfplan.allowlisted(r)
	tfplan.is_true(tfplan.setting(r, ["network_config", 0, "enable_external_ips"]))
	msg := sprintf("%s: TPU VM with external IPs; set network_config.enable_external_ips = false", [r.address])
}

violation contains f if {
	some f in tfplan.pending_because(
		rego.metadata.chain(), _ml_instances, [["network_interface"]],
		"; mlfence cannot prove there is no external IP",
	)
}

violation contains f if {
	tpus := [r | some r in tfplan.of_type("google_tpu_v2_vm"); not tfplan.allowlisted(r)]
	some f in tfplan.pending_because(rego.metadata.chain(), tpus, [["network_config", 0, "enable_external_ips"]], "")
}

_ml_instances contains r if {
	some type in _types
	some r in tfplan.of_type(type)
	not tfplan.allowlisted(r)
	_why(r)
}

# _why(r) names the first reason the instance counts as an ML instance.
_why(r) := "GPU attached" if {
	some g in tfplan.blocks(r, "guest_accelerator")
	is_number(g.count)
	g.count > 0
} else := sprintf("machine type %s", [machine]) if {
	machine := tfplan.setting(r, ["machine_type"])
	is_string(machine)
	some prefix in tfplan.string_list(config.value("gcp_ml_machine_type_prefixes"))
	startswith(machine, prefix)
} else := sprintf("label %s=%s", [key, value]) if {
	some key, value in _labels(r)
	_ml_label(key, value)
} else := sprintf("network tag %s", [tag]) if {
	some tag in tfplan.string_list(tfplan.setting(r, ["tags"]))
	tag in tfplan.string_list(config.value("gcp_ml_network_tags"))
}

# Labels written on the resource, and the provider's default labels when the plan shows them.
_labels(r) := object.union(_object(tfplan.setting(r, ["effective_labels"])), _object(tfplan.setting(r, ["labels"])))

_object(x) := x if is_object(x)

else := {}

_ml_label(key, value) if {
	allowed := config.value("gcp_ml_labels")[key]
	some v in tfplan.string_list(allowed)
	v in {"*", value}
}
