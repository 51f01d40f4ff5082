# METADATA
# title: AKS API server is reachable from the internet
# description: >-
#   A public AKS cluster without authorized IP ranges, or with 0.0.0.0/0 among them, exposes the
#   Kubernetes API of the cluster that runs training and serving workloads to the whole
#   internet: leaked kubeconfigs and API server CVEs need no foothold in the VNet.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/kubernetes_cluster
#   - ref: https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges
# custom:
#   id: MLF-TF-061
#   long_id: tf-azure-aks-api-open
#   severity: high
#   target: terraform
#   kinds: [azurerm_kubernetes_cluster]
#   recommended_action: >-
#     Set private_cluster_enabled = true, or list only your VPN/CI ranges in
#     api_server_access_profile { authorized_ip_ranges = [...] }.
package mlfence.terraform.azure.aks_api_open

import data.lib.mlfence.net
import data.lib.mlfence.result
import data.lib.mlfence.tfplan

# authorized_ip_ranges moved into api_server_access_profile in azurerm 3.x; the top-level
# api_server_authorized_ip_ranges (2.x/3.x, removed in 4.0) is still read for older plans.
_range_paths := [["api_server_access_profile", 0, "authorized_ip_ranges"], ["api_server_authorized_ip_ranges"]]

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in _public
	count(_ranges(r)) == 0
	not _ranges_pending(r)
	msg := sprintf("%s: public API server without authorized IP ranges; %s", [r.address, _fix])
}

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in _public
	some cidr in _ranges(r)
	net.is_everywhere(cidr)
	msg := sprintf("%s: authorized IP ranges admit %s; %s", [r.address, cidr, _fix])
}

violation contains f if {
	some f in tfplan.pending_because(rego.metadata.chain(), _clusters, [["private_cluster_enabled"]], "")
}

violation contains result.unknown(rego.metadata.chain(), r.address, msg) if {
	some r in _public
	count(_ranges(r)) == 0
	_ranges_pending(r)
	msg := sprintf("%s: authorized IP ranges are known only after apply; cannot prove the API is closed", [r.address])
}

_fix := "set private_cluster_enabled = true or api_server_access_profile.authorized_ip_ranges"

_clusters contains r if {
	some r in tfplan.of_type("azurerm_kubernetes_cluster")
	not tfplan.allowlisted(r)
}

_public contains r if {
	some r in _clusters
	not tfplan.is_true(tfplan.setting(r, ["private_cluster_enabled"]))
	not tfplan.pending(r, ["private_cluster_enabled"])
}

_ranges(r) := {cidr |
	some path in _range_paths
	some cidr in tfplan.string_list(tfplan.setting(r, path))
}

_ranges_pending(r) if {
	some path in _range_paths
	tfplan.pending(r, path)
}
