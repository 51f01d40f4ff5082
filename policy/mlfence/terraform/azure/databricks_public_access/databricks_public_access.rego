# METADATA
# title: Azure Databricks workspace accepts public network access
# description: >-
#   With public network access the Databricks web app and REST API (notebooks, jobs, MLflow
#   registry, model serving endpoints, secrets) answer from any network; the provider default is
#   true, so an omitted setting is the finding.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/databricks_workspace
#   - ref: https://learn.microsoft.com/azure/databricks/security/network/classic/private-link
# custom:
#   id: MLF-TF-066
#   long_id: tf-azure-databricks-public-access
#   severity: high
#   target: terraform
#   kinds: [azurerm_databricks_workspace]
#   recommended_action: >-
#     Set public_network_access_enabled = false with network_security_group_rules_required =
#     "NoAzureDatabricksRules" and front-end / back-end Private Link endpoints.
package mlfence.terraform.azure.databricks_public_access

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in _workspaces
	not tfplan.is_false(tfplan.setting(r, ["public_network_access_enabled"]))
	not tfplan.pending(r, ["public_network_access_enabled"])
	msg := sprintf("%s accepts public network access; set public_network_access_enabled = false", [r.address])
}

violation contains f if {
	some f in tfplan.pending_because(rego.metadata.chain(), _workspaces, [["public_network_access_enabled"]], "")
}

_workspaces contains r if {
	some r in tfplan.of_type("azurerm_databricks_workspace")
	not tfplan.allowlisted(r)
}
