# METADATA
# title: Vertex AI Workbench notebook has a public IP address
# description: >-
#   A Workbench instance (or legacy user-managed notebook) with an external IP exposes the VM
#   that holds notebooks, credentials of its service account and cached training data to the
#   internet, and lets it egress around the VPC's NAT, proxy and VPC Service Controls path.
#   The provider default is a public IP: omitting the setting is the finding.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/workbench_instance
#   - ref: https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/notebooks_instance
# custom:
#   id: MLF-TF-045
#   long_id: tf-google-notebook-public-ip
#   severity: high
#   target: terraform
#   kinds: [google_workbench_instance, google_notebooks_instance]
#   recommended_action: >-
#     Set gce_setup { disable_public_ip = true } on google_workbench_instance (no_public_ip = true
#     on the legacy google_notebooks_instance), place it in a subnet with Private Google Access
#     and reach it through the proxy or IAP.
package mlfence.terraform.google.notebook_public_ip

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

# type -> [attribute path that must be true, top-level block to look for in the configuration]
_checks := {
	"google_workbench_instance": {"path": ["gce_setup", 0, "disable_public_ip"], "config": "gce_setup"},
	"google_notebooks_instance": {"path": ["no_public_ip"], "config": "no_public_ip"},
}

# tfplan.pending: unknown and written by the user. gce_setup is Optional+Computed, so an
# unmentioned block is unknown in the plan yet means the provider default (public IP).
violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some type, check in _checks
	some r in tfplan.of_type(type)
	not tfplan.allowlisted(r)
	not tfplan.is_true(tfplan.setting(r, check.path))
	not tfplan.pending(r, check.path)
	msg := sprintf("%s gets a public IP; set %s = true", [r.address, tfplan.path_label(check.path)])
}

violation contains f if {
	some type, check in _checks
	notebooks := [r | some r in tfplan.of_type(type); not tfplan.allowlisted(r)]
	some f in tfplan.pending_because(
		rego.metadata.chain(), notebooks, [check.path],
		"; mlfence cannot prove there is no public IP",
	)
}
