# METADATA
# title: Azure ML compute accepts SSH from the internet
# description: >-
#   A compute cluster with ssh_public_access_enabled, or a compute instance with an ssh block and
#   a public IP, listens for SSH on a public address: GPU nodes holding training data and
#   workspace credentials become brute-force and cryptomining targets.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/machine-learning/how-to-create-attach-compute-cluster
#   - ref: https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet
# custom:
#   id: MLF-TF-065
#   long_id: tf-azure-aml-compute-ssh-public
#   severity: high
#   target: terraform
#   kinds: [azurerm_machine_learning_compute_cluster, azurerm_machine_learning_compute_instance]
#   recommended_action: >-
#     Set ssh_public_access_enabled = false on clusters; on instances drop the ssh block or set
#     node_public_ip_enabled = false with a subnet, and reach nodes through Azure Bastion or the VNet.
package mlfence.terraform.azure.aml_compute_ssh

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in _of_type("azurerm_machine_learning_compute_cluster")
	tfplan.is_true(tfplan.setting(r, ["ssh_public_access_enabled"]))
	msg := sprintf("%s opens SSH to the internet; set ssh_public_access_enabled = false", [r.address])
}

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in _of_type("azurerm_machine_learning_compute_instance")
	count(tfplan.blocks(r, "ssh")) > 0
	not tfplan.is_false(tfplan.setting(r, ["node_public_ip_enabled"]))
	not tfplan.pending(r, ["node_public_ip_enabled"])
	msg := sprintf("%s enables SSH (ssh block) on a public IP; drop it or set node_public_ip_enabled = false", [r.address])
}

violation contains result.unknown(rego.metadata.chain(), r.address, msg) if {
	some r in _of_type("azurerm_machine_learning_compute_cluster")
	tfplan.pending(r, ["ssh_public_access_enabled"])
	msg := sprintf("%s: ssh_public_access_enabled is known only after apply", [r.address])
}

violation contains result.unknown(rego.metadata.chain(), r.address, msg) if {
	some r in _of_type("azurerm_machine_learning_compute_instance")
	count(tfplan.blocks(r, "ssh")) > 0
	tfplan.pending(r, ["node_public_ip_enabled"])
	msg := sprintf("%s: SSH is enabled and node_public_ip_enabled is known only after apply", [r.address])
}

_of_type(type) := [r |
	some r in tfplan.of_type(type)
	not tfplan.allowlisted(r)
]
