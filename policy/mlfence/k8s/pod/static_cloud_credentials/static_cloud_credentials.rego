# METADATA
# title: Static cloud credentials in container environment
# description: >-
#   Long-lived cloud keys in env (AWS access keys, a Google service-account key file, an Azure
#   client secret or certificate) work from anywhere: whoever reads them from a compromised
#   training or serving pod, its logs or its Secret can use them outside the cluster, with no
#   network control in the way, until someone rotates them.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html
#   - ref: https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity
#   - ref: https://azure.github.io/azure-workload-identity/docs/
# custom:
#   id: MLF-K8S-011
#   long_id: k8s-pod-static-cloud-credentials
#   severity: high
#   target: kubernetes
#   kind_groups: [pod-workloads]
#   recommended_action: >-
#     Remove the keys and give the workload its own cloud identity: IRSA or EKS Pod Identity
#     (annotate the ServiceAccount with the IAM role), GKE Workload Identity (the
#     iam.gke.io/gcp-service-account annotation), Azure Workload Identity (the
#     azure.workload.identity/client-id annotation and the azure.workload.identity/use label).
#     The SDKs then pick up short-lived tokens by themselves.
package mlfence.k8s.pod.static_cloud_credentials

import data.lib.mlfence.credentials
import data.lib.mlfence.k8s
import data.lib.mlfence.result

# A variable counts when it carries a value or a valueFrom; a name alone sets nothing.
violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	some pod in k8s.pod_templates(k8s.review_object)
	some c in pod.containers
	some i, env in k8s.as_array(k8s.field(c.container, ["env"], []))
	is_string(env.name)
	_sets_value(env)
	some why in _credential(env, c.container, pod.spec)
	msg := sprintf("%s sets %s in %s.env[%d]: %s; use workload identity instead", [
		k8s.resource, env.name, c.path, i, why,
	])
}

_static_keys := {
	"AWS_ACCESS_KEY_ID": "a static AWS access key",
	"AWS_SECRET_ACCESS_KEY": "a static AWS secret key",
	"AWS_SESSION_TOKEN": "an AWS session token handed in from outside",
	"AZURE_CLIENT_SECRET": "an Azure service principal secret",
	"AZURE_CLIENT_CERTIFICATE_PATH": "an Azure service principal certificate",
	"AZURE_CLIENT_CERTIFICATE_PASSWORD": "an Azure service principal certificate",
}

_sets_value(env) if {
	is_string(env.value)
	env.value != ""
}

_sets_value(env) if is_object(env.valueFrom)

_credential(env, container, _) := {_static_keys[env.name]} if {
	not _other_s3_endpoint(env, container)
}

# S3 keys for another S3-compatible store are not AWS keys: an in-cluster store's (MinIO,
# SeaweedFS, as Kubeflow Pipelines sets up) work only inside the cluster, so they are no cloud
# credential at all (MLF-K8S-057 reports them when written in plain text); an external store's
# are static keys for that endpoint, and said so.
_credential(env, container, _) := {sprintf("a static access key for the S3-compatible endpoint %s", [host])} if {
	_other_s3_endpoint(env, container)
	host := credentials.s3_endpoint(container)
	not credentials.in_cluster_host(host)
}

# GOOGLE_APPLICATION_CREDENTIALS names a file. A key read from a Secret is a service-account
# key; a file from a ConfigMap is a workload identity federation config, which holds no secret.
_credential(env, container, spec) := {"a Google service-account key read from a Secret"} if {
	env.name == "GOOGLE_APPLICATION_CREDENTIALS"
	_google_key(env, container, spec)
}

_google_key(env, _, _) if is_object(env.valueFrom.secretKeyRef)

_google_key(env, container, spec) if {
	is_string(env.value)
	some mount in k8s.as_array(k8s.field(container, ["volumeMounts"], []))
	is_string(mount.mountPath)
	startswith(env.value, mount.mountPath)
	some volume in k8s.as_array(k8s.field(spec, ["volumes"], []))
	volume.name == mount.name
	_secret_volume(volume)
}

_secret_volume(volume) if is_object(volume.secret)

_secret_volume(volume) if {
	some source in k8s.as_array(volume.projected.sources)
	is_object(source.secret)
}

_other_s3_endpoint(env, container) if {
	startswith(env.name, "AWS_")
	_static_keys[env.name]
	credentials.s3_endpoint(container)
}
