# METADATA
# title: GKE control plane endpoint is reachable from the internet
# description: >-
#   A GKE public endpoint without master authorized networks, or with 0.0.0.0/0 among them,
#   lets anyone reach the Kubernetes API of the cluster that runs training jobs and model
#   servers; credential stuffing and API server CVEs then need no foothold in the VPC.
#   gcp_public_cidrs_access_enabled admits every Google Cloud VM of every customer.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/container_cluster
#   - ref: https://cloud.google.com/kubernetes-engine/docs/how-to/authorized-networks
# custom:
#   id: MLF-TF-044
#   long_id: tf-google-gke-control-plane-open
#   severity: high
#   target: terraform
#   kinds: [google_container_cluster]
#   recommended_action: >-
#     Set private_cluster_config { enable_private_endpoint = true }, or keep the public endpoint
#     behind master_authorized_networks_config with only your VPN/CI ranges in cidr_blocks and
#     gcp_public_cidrs_access_enabled = false.
package mlfence.terraform.google.gke_control_plane_open

import data.lib.mlfence.config
import data.lib.mlfence.net
import data.lib.mlfence.result
import data.lib.mlfence.tfplan

_private_endpoint := ["private_cluster_config", 0, "enable_private_endpoint"]

_man := "master_authorized_networks_config"

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some hit in _problems
	r := hit.resource
	msg := sprintf("%s: the public control plane endpoint %s", [r.address, hit.problem])
}

# Left out, both blocks are provider defaults (a public endpoint, no authorized networks) even
# though real plans list them in after_unknown; only values the configuration writes from
# apply-time expressions are unknown.
violation contains f if {
	clusters := [r | some r in tfplan.of_type("google_container_cluster"); not tfplan.allowlisted(r)]
	some f in tfplan.pending_findings(rego.metadata.chain(), clusters, [_private_endpoint, [_man, 0, "cidr_blocks"]])
}

# Clusters whose control plane has a public IP endpoint: not private-endpoint-only, and the
# IP endpoints not disabled (control_plane_endpoints_config, provider 6.x, DNS-only clusters).
_public_endpoint contains r if {
	some r in tfplan.of_type("google_container_cluster")
	not tfplan.allowlisted(r)
	not tfplan.is_true(tfplan.setting(r, _private_endpoint))
	not tfplan.pending(r, _private_endpoint)
	not tfplan.is_false(tfplan.setting(r, ["control_plane_endpoints_config", 0, "ip_endpoints_config", 0, "enabled"]))
}

_problems contains {"resource": r, "problem": "accepts any address: no master_authorized_networks_config"} if {
	some r in _public_endpoint
	count(tfplan.blocks(r, _man)) == 0
	not tfplan.pending(r, [_man, 0, "cidr_blocks"])
}

# The block without `enabled` (older providers) or enabled = true restricts the endpoint.
_problems contains {"resource": r, "problem": problem} if {
	problem := "accepts any address: master_authorized_networks_config.enabled = false"
	some r in _public_endpoint
	tfplan.is_false(tfplan.setting(r, [_man, 0, "enabled"]))
}

_problems contains {"resource": r, "problem": sprintf("admits %s (%s.cidr_blocks)", [cidr, _man])} if {
	some r in _public_endpoint
	some b in tfplan.blocks_of(tfplan.first_block(r.values, _man), "cidr_blocks")
	cidr := b.cidr_block
	net.is_everywhere(cidr)
}

_problems contains {"resource": r, "problem": problem} if {
	problem := "admits every Google Cloud VM (gcp_public_cidrs_access_enabled = true)"
	not config.value("gke_allow_gcp_public_cidrs") == true
	some r in _public_endpoint
	tfplan.is_true(tfplan.setting(r, [_man, 0, "gcp_public_cidrs_access_enabled"]))
}
