package mlfence.k8s.secrets.plaintext_credentials_test

import data.mlfence.k8s.secrets.plaintext_credentials

_deployment(env) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "mlflow", "namespace": "mlops"},
	"spec": {"template": {"spec": {"containers": [{"name": "server", "image": "ghcr.io/mlflow/mlflow", "env": env}]}}},
}

_configmap(entries) := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "mlops"}, "data": entries}

_violations(obj, params) := v if {
	v := plaintext_credentials.violation with input as {"review": {"object": obj}, "parameters": params}
}

_msgs(v) := {f.msg | some f in v}

test_deny_minio_default_for_in_cluster_store if {
	v := _violations(
		_deployment([
			{"name": "MLFLOW_S3_ENDPOINT_URL", "value": "http://minio-service.kubeflow:9000"},
			{"name": "AWS_ACCESS_KEY_ID", "value": "minio"},
			{"name": "AWS_SECRET_ACCESS_KEY", "value": "minio123"},
		]),
		{},
	)
	count(v) == 1
	some m in _msgs(v)
	contains(m, "AWS_SECRET_ACCESS_KEY in spec.template.spec.containers[0].env[2] to a plaintext secret key")
	contains(m, "MinIO's well-known default secret key, for the in-cluster MinIO object store")
	some f in v
	f.details.rule_id == "MLF-K8S-057"
}

test_deny_database_password if {
	v := _violations(_deployment([{"name": "POSTGRES_PASSWORD", "value": "s3cr3t-pg"}, {"name": "HF_TOKEN", "value": "hf_abcdefgh"}]), {})
	count(v) == 2
	some m in _msgs(v)
	contains(m, "plaintext password;")
}

test_allow_secret_references_and_non_secrets if {
	env := [
		{"name": "POSTGRES_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
		{"name": "DB_PASSWORD_FILE", "value": "/run/secrets/db"},
		{"name": "PASSWORD", "value": "$(DB_PASSWORD)"},
		{"name": "SECRET_NAME", "value": "mlpipeline-minio-artifact"},
		{"name": "AWS_ACCESS_KEY_ID", "value": "minio"},
		{"name": "TOKEN_TTL", "value": "3600"},
		{"name": "ENABLE_TOKEN", "value": "true"},
		{"name": "MODEL_NAME", "value": "llama"},
	]
	count(_violations(_deployment(env), {})) == 0
}

# Attribute omitted: no env at all.
test_allow_without_env if {
	count(_violations(_deployment(null), {})) == 0
}

test_configmap if {
	v := _violations(_configmap({"MYSQL_ROOT_PASSWORD": "admin", "mysql_host": "db"}), {})
	count(v) == 1
	some m in _msgs(v)
	contains(m, "plaintext password in data.MYSQL_ROOT_PASSWORD (a well-known default)")
}

test_allow_configmap_without_secrets if {
	count(_violations(_configmap({"credentials": "{\"s3\": {}}", "password_file": "/x"}), {})) == 0
}

# Parameter overridden: a system namespace is exempt from this workload-hygiene rule.
test_system_namespace_parameter if {
	count(_violations(_configmap({"PASSWORD": "hunter22"}), {"system_namespaces": ["mlops"]})) == 0
}

test_wrong_types_never_error if {
	count(_violations(_deployment([{"name": 3, "value": "x"}, {"name": "PASSWORD", "value": 7}, null]), {})) == 0
	count(_violations(_configmap("x"), {})) == 0
	count(_violations(_configmap({"TOKEN": ["a"]}), {})) == 0
}
