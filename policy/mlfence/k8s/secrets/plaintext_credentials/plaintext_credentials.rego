# METADATA
# title: Password, token or secret key written in plain text
# description: >-
#   A password, token or secret key written as a literal container env value or ConfigMap entry
#   sits in git, in every rendered manifest and in the object, readable by anyone who can get
#   the workload or ConfigMap: no Secret RBAC protects it. Defaults such as MinIO's minio123 or
#   admin are the first credentials anyone tries on the in-cluster database or object store.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables
#   - ref: https://kubernetes.io/docs/concepts/security/secrets-good-practices/
# custom:
#   id: MLF-K8S-057
#   long_id: k8s-plaintext-credentials
#   severity: high
#   target: kubernetes
#   kind_groups: [pod-workloads]
#   kinds: [ConfigMap]
#   recommended_action: >-
#     Move the value into a Secret (or an external secret store synced by the External Secrets
#     Operator) and reference it with env[].valueFrom.secretKeyRef or envFrom.secretRef; rotate
#     the credential, since the old value stays in git history; never keep a default password.
package mlfence.k8s.secrets.plaintext_credentials

import data.lib.mlfence.credentials
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	some pod in k8s.pod_templates(k8s.review_object)
	some c in pod.containers
	some i, env in k8s.as_array(k8s.field(c.container, ["env"], []))
	is_string(env.name)
	credentials.plain_secret(env.value)
	kind := credentials.secret_kind(env.name)
	msg := sprintf("%s sets %s in %s.env[%d] to a plaintext %s%s; %s", [
		k8s.resource, env.name, c.path, i, kind, _what(env.value, c.container), _fix,
	])
}

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	k8s.kind == "ConfigMap"
	k8s.api_group(k8s.review_object) == ""
	some key, value in k8s.object_or_empty(k8s.field(k8s.review_object, ["data"], {}))
	credentials.plain_secret(value)
	kind := credentials.secret_kind(key)
	msg := sprintf("ConfigMap %s holds a plaintext %s in data.%s%s; %s", [
		k8s.resource, kind, key, _what(value, {}), "move it to a Secret and rotate it",
	])
}

_fix := "read it from a Secret (valueFrom.secretKeyRef) and rotate it"

# What the value is: a well-known default, and whose store it opens.
_what(value, container) := sprintf(" (%s%s)", [credentials.well_known(value), _store(container)]) if {
	credentials.well_known(value)
} else := sprintf(" (%s)", [trim_prefix(_store(container), ", ")]) if {
	_store(container) != ""
} else := ""

default _store(_) := ""

_store(container) := sprintf(", for the in-cluster %s object store", [credentials.object_store(container)])
