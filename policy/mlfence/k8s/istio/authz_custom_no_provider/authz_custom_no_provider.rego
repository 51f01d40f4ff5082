# METADATA
# title: CUSTOM AuthorizationPolicy names no external authorizer
# description: >-
#   A CUSTOM policy delegates the decision to the extension provider in spec.provider.name.
#   Without one, istiod rejects or ignores the policy, so the external authorization the team
#   relies on (SSO, API keys, rate limits in front of a model) is silently not enforced.
# related_resources:
#   - ref: https://istio.io/latest/docs/tasks/security/authorization/authz-custom/
# custom:
#   id: MLF-K8S-043
#   long_id: k8s-istio-authz-custom-no-provider
#   severity: medium
#   target: kubernetes
#   kinds: [AuthorizationPolicy]
#   recommended_action: >-
#     Set spec.provider.name to an extensionProviders entry of the mesh config (for example the
#     oauth2-proxy or ext-authz service), or use an ALLOW/DENY policy instead of CUSTOM.
package mlfence.k8s.istio.authz_custom_no_provider

import data.lib.mlfence.istio
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	obj := k8s.review_object
	istio.is_kind(obj, "security.istio.io", "AuthorizationPolicy")
	spec := k8s.field(obj, ["spec"], {})
	istio.action(spec) == "CUSTOM"
	not _provider(spec)
	msg := sprintf(
		"AuthorizationPolicy %s has action CUSTOM but no spec.provider.name, so no external authorizer is called; %s",
		[k8s.resource, "set spec.provider.name to a mesh extension provider"],
	)
}

_provider(spec) if {
	is_string(spec.provider.name)
	trim_space(spec.provider.name) != ""
}
