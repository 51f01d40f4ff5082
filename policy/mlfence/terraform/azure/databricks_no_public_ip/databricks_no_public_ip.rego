# METADATA
# title: Azure Databricks cluster nodes get public IP addresses
# description: >-
#   Without secure cluster connectivity (custom_parameters.no_public_ip) every cluster node
#   has a public IP and the workspace needs inbound rules from the control plane: Spark and ML
#   clusters holding data are addressable from the internet. azurerm 3.x defaulted to public IPs,
#   4.x to none, so a value the plan cannot show is reported as unknown rather than guessed.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/databricks_workspace
#   - ref: https://learn.microsoft.com/azure/databricks/security/network/classic/secure-cluster-connectivity
# custom:
#   id: MLF-TF-067
#   long_id: tf-azure-databricks-public-ip
#   severity: high
#   target: terraform
#   kinds: [azurerm_databricks_workspace]
#   recommended_action: >-
#     Set custom_parameters { no_public_ip = true } (secure cluster connectivity) with VNet
#     injection and a NAT gateway for egress.
package mlfence.terraform.azure.databricks_no_public_ip

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

_path := ["custom_parameters", 0, "no_public_ip"]

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in _workspaces
	tfplan.is_false(tfplan.setting(r, _path))
	msg := sprintf("%s: cluster nodes get public IPs; set custom_parameters.no_public_ip = true", [r.address])
}

violation contains result.unknown(rego.metadata.chain(), r.address, msg) if {
	some r in _workspaces
	not tfplan.is_true(tfplan.setting(r, _path))
	not tfplan.is_false(tfplan.setting(r, _path))
	msg := sprintf("%s: custom_parameters.no_public_ip is not in the plan (%s); set it to true explicitly", [
		r.address, _why(r),
	])
}

_why(r) := "known only after apply" if tfplan.pending(r, _path)

else := "omitted; the default differs between provider versions"

_workspaces contains r if {
	some r in tfplan.of_type("azurerm_databricks_workspace")
	not tfplan.allowlisted(r)
}
