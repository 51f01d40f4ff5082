# METADATA
# title: GKE nodes get public IP addresses
# description: >-
#   Without private nodes every GKE node has an external IP: kubelets, NodePorts and whatever a
#   training or serving pod binds with hostNetwork are one firewall mistake away from the
#   internet, and pods egress directly instead of through Cloud NAT or a proxy.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/container_cluster
#   - ref: https://cloud.google.com/kubernetes-engine/docs/concepts/private-cluster-concept
# custom:
#   id: MLF-TF-043
#   long_id: tf-google-gke-public-nodes
#   severity: high
#   target: terraform
#   kinds: [google_container_cluster, google_container_node_pool]
#   recommended_action: >-
#     Set private_cluster_config { enable_private_nodes = true } (with master_ipv4_cidr_block or
#     private_endpoint_subnetwork) on the cluster, give the subnet Private Google Access and
#     Cloud NAT for egress, and do not set network_config.enable_private_nodes = false on pools.
package mlfence.terraform.google.gke_private_nodes

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

_path := ["private_cluster_config", 0, "enable_private_nodes"]

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in tfplan.of_type("google_container_cluster")
	not tfplan.allowlisted(r)
	not tfplan.is_true(tfplan.setting(r, _path))
	not _pending(r)
	msg := sprintf("%s: nodes get public IPs; set private_cluster_config.enable_private_nodes = true", [r.address])
}

# A node pool can opt out of the cluster's private nodes (network_config.enable_private_nodes,
# provider 5.x and later); only the explicit false is judged, omitted inherits the cluster.
violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in tfplan.of_type("google_container_node_pool")
	not tfplan.allowlisted(r)
	tfplan.is_false(tfplan.setting(r, ["network_config", 0, "enable_private_nodes"]))
	msg := sprintf("%s: network_config.enable_private_nodes = false gives this pool public IPs", [r.address])
}

violation contains result.unknown(rego.metadata.chain(), r.address, msg) if {
	some r in tfplan.of_type("google_container_cluster")
	not tfplan.allowlisted(r)
	_pending(r)
	msg := sprintf("%s: private_cluster_config.enable_private_nodes is known only after apply", [r.address])
}

# Unknown and written by the user. private_cluster_config is Optional+Computed, so a block the
# configuration does not mention shows as unknown too: that is the provider default (public
# nodes) and is judged as omitted.
_pending(r) if {
	tfplan.pending(r, _path)
	not tfplan.is_true(tfplan.setting(r, _path))
	tfplan.configured(r, ["private_cluster_config"])
}
