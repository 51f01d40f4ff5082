# METADATA
# title: Vertex AI Workbench notebook is published through Google's inverting proxy
# description: >-
#   Proxy access registers JupyterLab with Google's inverting proxy and gives it a public URL
#   (*.notebooks.googleusercontent.com) guarded only by Google sign-in: anyone holding an
#   account with the instance's permissions, or a phished session, reaches a shell on the VM from
#   anywhere, outside VPN, IAP context-aware access and VPC Service Controls.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/workbench_instance
#   - ref: https://cloud.google.com/vertex-ai/docs/workbench/instances/manage-access-jupyterlab
# custom:
#   id: MLF-TF-046
#   long_id: tf-google-notebook-proxy-access
#   severity: medium
#   target: terraform
#   kinds: [google_workbench_instance, google_notebooks_instance]
#   recommended_action: >-
#     Set disable_proxy_access = true on google_workbench_instance (no_proxy_access = true on
#     google_notebooks_instance) and reach JupyterLab through IAP TCP forwarding or a private
#     load balancer; where the proxy is the sanctioned access path set
#     gcp_notebook_proxy_access_allowed = true.
package mlfence.terraform.google.notebook_proxy_access

import data.lib.mlfence.config
import data.lib.mlfence.result
import data.lib.mlfence.tfplan

_attribute := {"google_workbench_instance": "disable_proxy_access", "google_notebooks_instance": "no_proxy_access"}

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in _in_scope
	attribute := _attribute[r.type]
	not tfplan.is_true(tfplan.setting(r, [attribute]))
	not tfplan.pending(r, [attribute])
	msg := sprintf("%s registers JupyterLab with the public inverting proxy; set %s = true", [r.address, attribute])
}

violation contains f if {
	some r in _in_scope
	some f in tfplan.pending_because(
		rego.metadata.chain(), [r], [[_attribute[r.type]]],
		"; mlfence cannot prove the proxy is off",
	)
}

_in_scope contains r if {
	not config.value("gcp_notebook_proxy_access_allowed") == true
	some type, _ in _attribute
	some r in tfplan.of_type(type)
	not tfplan.allowlisted(r)
}

# Unknown and written by the user; unmentioned, a computed value is the provider default (on).
