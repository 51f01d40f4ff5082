# METADATA
# title: Azure Machine Learning workspace does not restrict outbound traffic
# description: >-
#   isolation_mode AllowInternetOutbound lets every compute instance, cluster, serverless job
#   and managed online endpoint of the workspace reach any internet host: training data and
#   models can be exfiltrated and poisoned packages pulled. AllowOnlyApprovedOutbound limits
#   egress to approved FQDN, service tag and private endpoint rules. Disabled (also the default
#   when the block is omitted) means no managed network: compute without a customer VNet has
#   unrestricted egress, and compute in a customer VNet depends on that VNet's firewall, which
#   this rule cannot see; it is reported as a warning.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/machine_learning_workspace
#   - ref: https://learn.microsoft.com/azure/machine-learning/how-to-managed-network
# custom:
#   id: MLF-TF-063
#   long_id: tf-azure-aml-workspace-outbound
#   severity: high
#   target: terraform
#   kinds: [azurerm_machine_learning_workspace]
#   recommended_action: >-
#     Set managed_network { isolation_mode = "AllowOnlyApprovedOutbound" } and add outbound rules
#     for the FQDNs and private endpoints the workloads need. Where a customer VNet with a
#     firewall is the reviewed design, add "Disabled" to aml_allowed_isolation_modes.
package mlfence.terraform.azure.aml_workspace_outbound

import data.lib.mlfence.config
import data.lib.mlfence.result
import data.lib.mlfence.tfplan

_path := ["managed_network", 0, "isolation_mode"]

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	not _allowed("AllowInternetOutbound")
	some r in _workspaces
	_mode(r) == "AllowInternetOutbound"
	msg := sprintf("%s: managed_network.isolation_mode AllowInternetOutbound; use AllowOnlyApprovedOutbound", [r.address])
}

violation contains result.warning(rego.metadata.chain(), r.address, msg) if {
	not _allowed("Disabled")
	some r in _workspaces
	_mode(r) == "Disabled"
	msg := sprintf(
		"%s: no managed network (isolation_mode Disabled or omitted): egress depends on each compute's VNet; %s",
		[r.address, "use AllowOnlyApprovedOutbound"],
	)
}

violation contains f if {
	some f in tfplan.pending_because(rego.metadata.chain(), _workspaces, [_path], "")
}

_workspaces contains r if {
	some r in tfplan.of_type("azurerm_machine_learning_workspace")
	not tfplan.allowlisted(r)
}

# The mode as planned; a block left out of the configuration (or a provider older than 3.8x,
# which has no managed_network) means no managed network.
_mode(r) := mode if {
	mode := tfplan.setting(r, _path)
	is_string(mode)
} else := "Disabled" if {
	not tfplan.pending(r, _path)
}

_allowed(mode) if mode in tfplan.string_list(config.value("aml_allowed_isolation_modes"))
