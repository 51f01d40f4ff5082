# METADATA
# title: Azure Machine Learning workspace accepts public network access
# description: >-
#   With public network access the workspace API, studio, model registry and the scoring
#   routes it fronts answer from any network; a leaked token is enough. The provider default is
#   public, so an omitted setting is the finding.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/machine_learning_workspace
#   - ref: https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link
# custom:
#   id: MLF-TF-062
#   long_id: tf-azure-aml-workspace-public
#   severity: high
#   target: terraform
#   kinds: [azurerm_machine_learning_workspace]
#   recommended_action: >-
#     Set public_network_access_enabled = false and reach the workspace through a private
#     endpoint (azurerm_private_endpoint, subresource amlworkspace) with its private DNS zones.
package mlfence.terraform.azure.aml_workspace_public

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

# public_network_access_enabled (azurerm 3.x and 4.x, default true); azurerm 2.x/3.x also had
# public_access_behind_virtual_network_enabled (removed in 4.0), which opens the workspace too.
violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in _workspaces
	not tfplan.is_false(tfplan.setting(r, ["public_network_access_enabled"]))
	not tfplan.pending(r, ["public_network_access_enabled"])
	msg := sprintf("%s accepts public network access; set public_network_access_enabled = false", [r.address])
}

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in _workspaces
	tfplan.is_false(tfplan.setting(r, ["public_network_access_enabled"]))
	tfplan.is_true(tfplan.setting(r, ["public_access_behind_virtual_network_enabled"]))
	msg := sprintf("%s: public_access_behind_virtual_network_enabled = true reopens public access", [r.address])
}

violation contains f if {
	some f in tfplan.pending_because(rego.metadata.chain(), _workspaces, [["public_network_access_enabled"]], "")
}

_workspaces contains r if {
	some r in tfplan.of_type("azurerm_machine_learning_workspace")
	not tfplan.allowlisted(r)
}
