# METADATA
# description: |
#   Credentials in container environments and ConfigMaps: which variables are cloud keys, which
#   S3-style keys belong to an in-cluster object store (MinIO, SeaweedFS) instead, and which
#   plain values are passwords, tokens or secret keys written into the manifest.
package lib.mlfence.credentials

import data.lib.mlfence.k8s

# Variables through which the S3 SDKs and ML tools (boto3, MLflow, KFP, MinIO clients) are
# pointed at an S3-compatible endpoint other than AWS.
s3_endpoint_variables := {
	"AWS_ENDPOINT_URL",
	"AWS_ENDPOINT_URL_S3",
	"AWS_S3_ENDPOINT",
	"S3_ENDPOINT",
	"S3_ENDPOINT_URL",
	"MLFLOW_S3_ENDPOINT_URL",
	"MINIO_ENDPOINT",
	"MINIO_SERVER_URL",
}

# s3_endpoint(container) is the host of the S3-compatible endpoint the container's env names,
# undefined when it names none (the SDK then talks to AWS).
s3_endpoint(container) := host if {
	some env in k8s.as_array(k8s.field(container, ["env"], []))
	env.name in s3_endpoint_variables
	is_string(env.value)
	host := _host(env.value)
	host != ""
}

# _host(url) is the host of a URL or host:port, lower-cased.
_host(url) := lower(split(split(rest, "/")[0], ":")[0]) if {
	parts := split(trim_space(url), "://")
	rest := parts[count(parts) - 1]
}

# in_cluster_host(host) holds for a Service name as pods resolve it: `svc`, `svc.ns`,
# `svc.ns.svc[.cluster.local]`; a public name has a dot-separated domain of its own.
in_cluster_host(host) if not contains(host, ".")

in_cluster_host(host) if count(split(host, ".")) == 2

in_cluster_host(host) if endswith(host, ".svc")

in_cluster_host(host) if endswith(host, ".cluster.local")

# object_store(container) names the in-cluster object store the container's S3 keys are for.
object_store(container) := store if {
	host := s3_endpoint(container)
	in_cluster_host(host)
	store := _store_name(host)
}

_store_name(host) := "SeaweedFS" if {
	contains(host, "seaweedfs")
} else := "MinIO" if {
	contains(host, "minio")
} else := "S3-compatible"

# secret_kind(name) classifies a variable or ConfigMap key by its name: "password", "token",
# "secret key" or "private key"; undefined for names that hold no secret (IDs, file paths, the
# names of Secrets).
secret_kind(name) := kind if {
	upper_name := upper(name)
	not _reference_name(upper_name)
	some pattern, kind in _secret_names
	regex.match(pattern, upper_name)
}

_secret_names := {
	`(^|[_.-])(PASSWORD|PASSWD|PWD|PASS)($|[_.-])`: "password",
	`(^|[_.-])(TOKEN|API_?KEY|AUTH_KEY)($|[_.-])`: "token",
	`(^|[_.-])(SECRET|SECRET_?KEY|SECRET_ACCESS_KEY|CLIENT_SECRET)($|[_.-])`: "secret key",
	`(^|[_.-])PRIVATE_?KEY($|[_.-])`: "private key",
}

# Names that point at a secret instead of holding one.
_reference_name(name) if regex.match(`(_|^)(FILE|PATH|DIR|NAME|REF|KEY_?ID|ID|ENABLED|URL|URI|HOST|PORT|TYPE)$`, name)

# plain_secret(value) holds for a literal value that is a credential: not empty, not a variable
# reference ($(VAR), ${VAR}), not a path, not a boolean or number, not a template placeholder.
plain_secret(value) if {
	is_string(value)
	v := trim_space(value)
	count(v) >= 3
	not regex.match(`^(\$\(|\$\{|\{\{|<|/|~/)`, v)
	not lower(v) in {"true", "false", "yes", "no", "none", "null"}
	not regex.match(`^[0-9.]+$`, v)
}

# well_known(value) names a default credential that scanners try first.
well_known(value) := _defaults[lower(trim_space(value))]

_defaults := {
	"minio123": "MinIO's well-known default secret key",
	"minioadmin": "MinIO's well-known default credentials",
	"minio": "MinIO's well-known default access key",
	"admin": "a well-known default",
	"password": "a well-known default",
	"changeme": "a well-known default",
	"root": "a well-known default",
	"postgres": "a well-known default",
	"mlflow": "a well-known default",
}
