package mlfence.k8s.exposure.kserve_exposed_test

import data.mlfence.k8s.exposure.kserve_exposed

_isvc(labels, annotations) := {
	"apiVersion": "serving.kserve.io/v1beta1",
	"kind": "InferenceService",
	"metadata": {"name": "llm", "namespace": "ml-serving", "labels": labels, "annotations": annotations},
	"spec": {"predictor": {"model": {"modelFormat": {"name": "vLLM"}}}},
}

_raw := {"serving.kserve.io/deploymentMode": "RawDeployment"}

_violations(obj, params) := v if {
	v := kserve_exposed.violation with input as {"review": {"object": obj}, "parameters": params}
}

_with_inventory(obj, inventory) := v if {
	v := kserve_exposed.violation with input as {"review": {"object": obj}, "parameters": {}}
		with data.inventory as inventory
}

_msg(v) := m if {
	count(v) == 1
	some f in v
	m := f.msg
}

# Attribute omitted: KServe's default mode (Serverless) publishes through the ingress gateway.
test_deny_default_serverless_without_label if {
	v := _violations(_isvc({}, {}), {})
	contains(_msg(v), "Serverless mode without the label networking.knative.dev/visibility: cluster-local")
	contains(_msg(v), "knative-serving/knative-ingress-gateway")
	some f in v
	f.details.rule_id == "MLF-K8S-034"
}

test_allow_serverless_knative_label if {
	count(_violations(_isvc({"networking.knative.dev/visibility": "cluster-local"}, {}), {})) == 0
}

# KServe reads its own label only in RawDeployment mode: in Serverless mode it does not help.
test_deny_serverless_with_kserve_label_only if {
	v := _violations(_isvc({"networking.kserve.io/visibility": "cluster-local"}, {}), {})
	contains(_msg(v), "is read only in RawDeployment mode")
}

test_deny_raw_without_label if {
	v := _violations(_isvc({}, _raw), {})
	contains(_msg(v), "RawDeployment mode without the label networking.kserve.io/visibility: cluster-local")
	contains(_msg(v), "an Ingress of class istio")
}

test_allow_raw_cluster_local if {
	count(_violations(_isvc({"networking.kserve.io/visibility": "cluster-local"}, _raw), {})) == 0
	count(_violations(_isvc({"networking.kserve.io/visibility": "cluster-local"}, {"serving.kserve.io/deploymentMode": "Standard"}), {})) == 0
}

# Visibility is a label: KServe ignores the annotation and values in another case.
test_deny_cluster_local_annotation if {
	v := _violations(_isvc({}, object.union(_raw, {"networking.kserve.io/visibility": "cluster-local"})), {})
	contains(_msg(v), "KServe ignores the annotation")
	count(_violations(_isvc({"networking.kserve.io/visibility": "Cluster-Local"}, _raw), {})) == 1
}

test_deny_odh_exposed if {
	v := _violations(_isvc({"networking.kserve.io/visibility": "exposed"}, _raw), {})
	contains(_msg(v), "Open Data Hub")
}

test_allow_modelmesh if {
	count(_violations(_isvc({}, {"serving.kserve.io/deploymentMode": "ModelMesh"}), {})) == 0
}

# Parameter overridden: RawDeployment by default with ingress creation off, or a cluster-local domain.
test_allow_parameter_ingress_disabled if {
	params := {"kserve_ingress": {"defaultDeploymentMode": "RawDeployment", "disableIngressCreation": true}}
	count(_violations(_isvc({}, {}), params)) == 0
	count(_violations(_isvc({}, _raw), {"kserve_ingress": {"ingressDomain": "svc.cluster.local"}})) == 0
	count(_violations(_isvc({}, {}), {"kserve_ingress": {"defaultDeploymentMode": "Standard"}})) == 1
}

test_deny_gateway_api_route if {
	v := _violations(_isvc({}, _raw), {"kserve_ingress": {"enableGatewayApi": true}})
	contains(_msg(v), "an HTTPRoute on the Gateway kserve/kserve-ingress-gateway")
}

_configmap(ingress, deploy) := {"namespace": {"kubeflow": {"v1": {"ConfigMap": {"inferenceservice-config": {
	"apiVersion": "v1",
	"kind": "ConfigMap",
	"metadata": {"name": "inferenceservice-config", "namespace": "kubeflow"},
	"data": {"ingress": ingress, "deploy": deploy},
}}}}}}

# The scanned inferenceservice-config wins over the parameter.
test_configmap_settings if {
	off := _configmap(`{"disableIngressCreation": true}`, `{"defaultDeploymentMode": "RawDeployment"}`)
	count(_with_inventory(_isvc({}, {}), off)) == 0
	on := _configmap(`{"ingressGateway": "kubeflow/kubeflow-gateway"}`, `{"defaultDeploymentMode": "Serverless"}`)
	contains(_msg(_with_inventory(_isvc({}, {}), on)), "kubeflow/kubeflow-gateway")
	broken := _configmap("{not json", 3)
	count(_with_inventory(_isvc({}, {}), broken)) == 1
}

test_deny_in_system_namespace if {
	obj := json.patch(_isvc({}, {}), [{"op": "replace", "path": "/metadata/namespace", "value": "kube-system"}])
	count(_violations(obj, {})) == 1
}

_llm(spec) := {
	"apiVersion": "serving.kserve.io/v1alpha1",
	"kind": "LLMInferenceService",
	"metadata": {"name": "qwen", "namespace": "llm"},
	"spec": object.union({"model": {"uri": "hf://Qwen/Qwen2.5-7B-Instruct"}}, spec),
}

test_deny_llm_managed_route if {
	v := _violations(_llm({"router": {"route": {}, "gateway": {}}}), {})
	contains(_msg(v), "KServe's default Gateway kserve/kserve-ingress-gateway")
	w := _violations(_llm({"router": {"route": {}, "gateway": {"refs": [{"name": "edge", "namespace": "gw"}]}}}), {})
	contains(_msg(w), "Gateway gw/edge")
}

test_allow_llm_without_route if {
	count(_violations(_llm({}), {})) == 0
	count(_violations(_llm({"router": {"scheduler": {}}}), {})) == 0
	count(_violations(_llm({"router": {"route": {"http": {"refs": [{"name": "mine"}]}}}}), {})) == 0
}

test_allow_other_kinds if {
	obj := json.patch(_isvc({}, {}), [{"op": "replace", "path": "/kind", "value": "ServingRuntime"}])
	count(_violations(obj, {})) == 0
}

test_wrong_types_never_error if {
	count(_violations(_isvc({"networking.knative.dev/visibility": true}, "x"), {})) == 1
	count(_violations(_isvc(null, ["exposed"]), {})) == 1
	count(_violations({"kind": "InferenceService", "metadata": "x"}, {})) == 0
	count(_violations(_isvc({}, {}), {"kserve_ingress": "x"})) == 1
	count(_violations(_llm({"router": {"route": "x", "gateway": {"refs": "y"}}}), {})) == 0
}

test_allow_other_api_group if {
	obj := json.patch(_isvc({}, {}), [{"op": "replace", "path": "/apiVersion", "value": "example.com/v1"}])
	count(_violations(obj, {})) == 0
}

# KServe deletes the Ingress and HTTPRoutes of a stopped RawDeployment InferenceService.
test_allow_raw_stopped if {
	count(_violations(_isvc({}, object.union(_raw, {"serving.kserve.io/stop": "true"})), {})) == 0
	count(_violations(_isvc({}, object.union(_raw, {"serving.kserve.io/stop": "True"})), {})) == 0
	count(_violations(_isvc({}, object.union(_raw, {"serving.kserve.io/stop": "false"})), {})) == 1
}

# KServe deletes the Knative Service and the VirtualService of a stopped Serverless
# InferenceService (the default mode, and the explicit annotation), so nothing is published.
test_allow_serverless_stopped if {
	count(_violations(_isvc({}, {"serving.kserve.io/stop": "true"}), {})) == 0
	count(_violations(_isvc({}, {"serving.kserve.io/deploymentMode": "Serverless", "serving.kserve.io/stop": "TRUE"}), {})) == 0
	count(_violations(_isvc({}, {"serving.kserve.io/stop": "false"}), {})) == 1
	count(_violations(_isvc({}, {"serving.kserve.io/stop": "yes"}), {})) == 1
}

# The stop annotation is read from annotations only: a label of that name stops nothing.
test_deny_serverless_stop_label if {
	count(_violations(_isvc({"serving.kserve.io/stop": "true"}, {}), {})) == 1
}

# KServe v0.16.0's LLMInferenceService controller never reads serving.kserve.io/stop: a stopped
# service keeps its HTTPRoute, and the finding says why the annotation did not help.
test_deny_llm_stopped if {
	obj := json.patch(_llm({"router": {"route": {}}}), [{
		"op": "add", "path": "/metadata/annotations",
		"value": {"serving.kserve.io/stop": "true"},
	}])
	v := _violations(obj, {})
	count(v) == 1
	contains(_msg(v), "serving.kserve.io/stop does not remove it in KServe v0.16.0")
	not contains(_msg(_violations(_llm({"router": {"route": {}}}), {})), "serving.kserve.io/stop")
}

_knative_domains(entries) := {"namespace": {"knative-serving": {"v1": {"ConfigMap": {"config-domain": {
	"apiVersion": "v1",
	"kind": "ConfigMap",
	"metadata": {"name": "config-domain", "namespace": "knative-serving"},
	"data": entries,
}}}}}}

# Serverless mode: Knative decides the route's visibility, config-domain included (Knative 1.8+
# leaves routes cluster-local when config-domain names no domain).
test_serverless_follows_config_domain if {
	count(_with_inventory(_isvc({}, {}), _knative_domains({"_example": "x"}))) == 0
	v := _with_inventory(_isvc({}, {}), _knative_domains({"example.com": ""}))
	contains(_msg(v), "config-domain in knative-serving gives its route the domain example.com")
	count(_with_inventory(_isvc({}, _raw), _knative_domains({"_example": "x"}))) == 1
}

test_deny_serverless_legacy_label if {
	v := _violations(_isvc({"serving.knative.dev/visibility": "cluster-local"}, {}), {})
	contains(_msg(v), "was removed in Knative Serving 0.21")
}
