# METADATA
# title: Storage account or Key Vault of an Azure ML workspace accepts public network access
# description: >-
#   An Azure ML workspace keeps datasets, run outputs and models in its storage account and its
#   secrets and connection keys in its Key Vault. Isolating the workspace achieves little while
#   these accept traffic from every network: they are reached directly, around the workspace.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet
#   - ref: https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/storage_account
#   - ref: https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/key_vault
# custom:
#   id: MLF-TF-068
#   long_id: tf-azure-aml-dependency-public
#   severity: high
#   target: terraform
#   kinds: [azurerm_storage_account, azurerm_key_vault, azurerm_machine_learning_workspace]
#   recommended_action: >-
#     Set public_network_access_enabled = false (or network_rules / network_acls with
#     default_action = "Deny") on the workspace's storage account and Key Vault, and reach them
#     through private endpoints in the workspace's virtual network.
package mlfence.terraform.azure.aml_dependency_public

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

# What a workspace names: its storage account and its Key Vault, and where network rules live.
_dependencies := [
	{"attribute": "storage_account_id", "type": "azurerm_storage_account", "rules": "network_rules"},
	{"attribute": "key_vault_id", "type": "azurerm_key_vault", "rules": "network_acls"},
]

# public_network_access_enabled defaults to true on both (azurerm 3.x and 4.x); network rules
# whose default_action is Deny still close the public endpoint to other networks.
violation contains result.failure(rego.metadata.chain(), d.address, msg) if {
	some ws in tfplan.existing_of_type("azurerm_machine_learning_workspace")
	some spec in _dependencies
	some d in tfplan.linked(ws, spec.attribute, spec.type)
	tfplan.resources[d.address]
	not tfplan.allowlisted(d)
	tfplan.effective(d, "public_network_access_enabled") != false
	not _deny_by_default(d, spec.rules)
	msg := sprintf("%s, the %s of %s, accepts public network access from every network; %s", [
		d.address, _role[spec.type], ws.address, "set public_network_access_enabled = false and use private endpoints",
	])
}

violation contains f if {
	some ws in tfplan.existing_of_type("azurerm_machine_learning_workspace")
	some spec in _dependencies
	deps := [d | some d in tfplan.linked(ws, spec.attribute, spec.type); tfplan.resources[d.address]]
	some f in tfplan.pending_findings(rego.metadata.chain(), deps, ["public_network_access_enabled"])
}

_role := {"azurerm_storage_account": "storage account", "azurerm_key_vault": "Key Vault"}

_deny_by_default(d, rules) if lower(sprintf("%v", [tfplan.value(d, [rules, 0, "default_action"], "")])) == "deny"
