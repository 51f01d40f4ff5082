package mlfence.k8s.pod.static_cloud_credentials_test

import data.mlfence.k8s.pod.static_cloud_credentials

_pod(container, volumes) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "ml-training-job", "namespace": "ml"}, "spec": {"containers": [container], "volumes": volumes}}

_violations(obj, params) := v if {
	v := static_cloud_credentials.violation with input as {"review": {"object": obj}, "parameters": params}
}

_secret_ref(key) := {"secretKeyRef": {"name": "aws-credentials", "key": key}}

# The seed's training pod.
test_deny_seed_aws_keys_from_secret if {
	env := [{"name": "AWS_ACCESS_KEY_ID", "valueFrom": _secret_ref("id")}, {"name": "AWS_SECRET_ACCESS_KEY", "valueFrom": _secret_ref("key")}]
	v := _violations(_pod({"name": "training-container", "env": env}, []), {})
	count(v) == 2
	count([f | some f in v; f.details.rule_id == "MLF-K8S-011"; contains(f.msg, "spec.containers[0].env[")]) > 0
}

test_deny_literal_keys_and_azure if {
	env := [{"name": "AWS_SESSION_TOKEN", "value": "x"}, {"name": "AZURE_CLIENT_SECRET", "value": "s"}, {"name": "AZURE_CLIENT_CERTIFICATE_PATH", "value": "/c.pem"}]
	count(_violations(_pod({"name": "c", "env": env}, []), {})) == 3
}

test_deny_google_key_file_in_secret if {
	container := {"name": "c", "env": [{"name": "GOOGLE_APPLICATION_CREDENTIALS", "value": "/var/secrets/google/key.json"}], "volumeMounts": [{"name": "gcp-key", "mountPath": "/var/secrets/google"}]}
	count(_violations(_pod(container, [{"name": "gcp-key", "secret": {"secretName": "gcp-key"}}]), {})) == 1
	projected := [{"name": "gcp-key", "projected": {"sources": [{"secret": {"name": "gcp-key"}}]}}]
	count(_violations(_pod(container, projected), {})) == 1
	count(_violations(_pod({"name": "c", "env": [{"name": "GOOGLE_APPLICATION_CREDENTIALS", "valueFrom": _secret_ref("k")}]}, []), {})) == 1
}

# Workload identity federation: a credential configuration from a ConfigMap holds no secret.
test_allow_google_federation_config if {
	container := {"name": "c", "env": [{"name": "GOOGLE_APPLICATION_CREDENTIALS", "value": "/etc/gcp/config.json"}], "volumeMounts": [{"name": "cfg", "mountPath": "/etc/gcp"}]}
	count(_violations(_pod(container, [{"name": "cfg", "configMap": {"name": "gcp-federation"}}]), {})) == 0
}

# Attribute omitted: no env, a name without a value, identity-only variables.
test_allow_no_static_keys if {
	count(_violations(_pod({"name": "c"}, []), {})) == 0
	env := [{"name": "AWS_ACCESS_KEY_ID"}, {"name": "AWS_ROLE_ARN", "value": "arn:aws:iam::1:role/x"}, {"name": "AZURE_CLIENT_ID", "value": "id"}]
	count(_violations(_pod({"name": "c", "env": env}, []), {})) == 0
}

test_ml_kinds if {
	tj := {"apiVersion": "trainer.kubeflow.org/v1alpha1", "kind": "TrainJob", "metadata": {"name": "t", "namespace": "ml"}, "spec": {"trainer": {"env": [{"name": "AWS_SECRET_ACCESS_KEY", "value": "k"}]}}}
	count([f | some f in _violations(tj, {}); contains(f.msg, "spec.trainer.env[0]")]) > 0
	nb := {"apiVersion": "kubeflow.org/v1", "kind": "Notebook", "metadata": {"name": "n", "namespace": "ml"}, "spec": {"template": {"spec": {"containers": [{"name": "nb", "env": [{"name": "AZURE_CLIENT_SECRET", "value": "x"}]}]}}}}
	count(_violations(nb, {})) == 1
	sd := {"apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment", "metadata": {"name": "s", "namespace": "ml"}, "spec": {"predictors": [{"componentSpecs": [{"spec": {"containers": [{"name": "m", "env": [{"name": "AWS_ACCESS_KEY_ID", "value": "AKIA"}]}]}}]}]}}
	count(_violations(sd, {})) == 1
}

test_system_namespace_parameter if {
	obj := json.patch(_pod({"name": "c", "env": [{"name": "AWS_ACCESS_KEY_ID", "value": "AKIA"}]}, []), [{"op": "replace", "path": "/metadata/namespace", "value": "kube-system"}])
	count(_violations(obj, {})) == 0
	count(_violations(obj, {"system_namespaces": []})) == 1
}

test_allow_wrong_types_without_error if {
	count(_violations(_pod({"name": "c", "env": "x"}, "x"), {})) == 0
	count(_violations(_pod({"name": "c", "env": [null, {"name": 3, "value": "x"}, {"name": "GOOGLE_APPLICATION_CREDENTIALS", "value": 3}]}, null), {})) == 0
}

# Kubeflow Pipelines' setup: the keys come from a Secret and the endpoint is in-cluster SeaweedFS.
test_allow_in_cluster_object_store_keys if {
	env := [
		{"name": "AWS_ENDPOINT_URL", "value": "http://seaweedfs.kubeflow:8111"},
		{"name": "AWS_ACCESS_KEY_ID", "valueFrom": {"secretKeyRef": {"name": "mlpipeline-minio-artifact", "key": "accesskey"}}},
		{"name": "AWS_SECRET_ACCESS_KEY", "valueFrom": {"secretKeyRef": {"name": "mlpipeline-minio-artifact", "key": "secretkey"}}},
	]
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "kubeflow"}, "spec": {"containers": [{"name": "c", "image": "i", "env": env}]}}
	count(static_cloud_credentials.violation) == 0 with input as {"review": {"object": obj}, "parameters": {}}
	minio := json.patch(obj, [{"op": "replace", "path": "/spec/containers/0/env/0/value", "value": "minio-service.kubeflow.svc.cluster.local:9000"}])
	count(static_cloud_credentials.violation) == 0 with input as {"review": {"object": minio}, "parameters": {}}
	external := json.patch(obj, [{"op": "replace", "path": "/spec/containers/0/env/0/value", "value": "https://minio.example.com"}])
	v := static_cloud_credentials.violation with input as {"review": {"object": external}, "parameters": {}}
	count(v) == 2
	every f in v {
		contains(f.msg, "S3-compatible endpoint minio.example.com")
	}
}
