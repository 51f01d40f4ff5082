# METADATA
# description: |
#   How ML serving platforms publish models: KServe InferenceServices and LLMInferenceServices,
#   Knative Services. Encodes the controllers' own decisions (labels, deployment modes, the
#   inferenceservice-config ConfigMap), not their documentation.
package lib.mlfence.serving

import data.lib.mlfence.config
import data.lib.mlfence.exposure
import data.lib.mlfence.k8s

# Encodes KServe v0.16.0, read in its release source (pkg/constants/constants.go;
# reconcilers/ingress/ingress_reconciler.go and knative/ksvc_reconciler.go for Serverless/Knative
# mode, kube_ingress_reconciler.go and httproute_reconciler.go for RawDeployment/Standard mode;
# llmisvc/router.go and config_merge.go) and Knative Serving v1.8+, read at 1.21.1 (route
# visibility: pkg/reconciler/route/visibility/visibility.go, route/config/domain.go). The
# verified_against list in each rule's METADATA names the files, commits and versions read.

# KServe's two visibility labels: Serverless mode reads Knative's label (copied onto the Knative
# Service), RawDeployment/Standard mode reads KServe's own. Both compare the label value exactly.
kserve_visibility_label := "networking.kserve.io/visibility"

knative_visibility_label := "networking.knative.dev/visibility"

cluster_local := "cluster-local"

# KServe's deployment modes by annotation value; the legacy names map to the current ones.
_kserve_modes := {
	"Serverless": "Serverless",
	"Knative": "Serverless",
	"RawDeployment": "RawDeployment",
	"Standard": "RawDeployment",
	"ModelMesh": "ModelMesh",
}

# kserve_settings is the KServe controller configuration that decides publication: the `ingress`
# and `deploy` JSON of an inferenceservice-config ConfigMap scanned with the object (or synced
# into data.inventory), over the kserve_ingress parameter, over KServe's shipped defaults.
kserve_settings := object.union_n([
	config.defaults.kserve_ingress,
	k8s.object_or_empty(config.value("kserve_ingress")),
	_kserve_configmap_settings,
])

default _kserve_configmap_settings := {}

_kserve_configmap_settings := object.union(
	_json_field(_kserve_configmap.data, "deploy"),
	_json_field(_kserve_configmap.data, "ingress"),
) if {
	is_object(_kserve_configmap.data)
}

# The first inferenceservice-config ConfigMap in the inventory, by namespace name.
_kserve_configmap := maps[min(object.keys(maps))] if {
	maps := {ns: versions.v1.ConfigMap["inferenceservice-config"] |
		some ns, versions in k8s.object_or_empty(k8s.object_or_empty(_inventory).namespace)
		is_object(versions.v1.ConfigMap["inferenceservice-config"])
	}
	count(maps) > 0
}

default _inventory := {}

_inventory := data.inventory

# _json_field(data, key) is the JSON object in a ConfigMap's data[key], {} when absent or invalid.
default _json_field(_, _) := {}

_json_field(cm_data, key) := value if {
	is_string(cm_data[key])
	json.is_valid(cm_data[key])
	value := json.unmarshal(cm_data[key])
	is_object(value)
}

# kserve_mode(obj) is the object's deployment mode: its serving.kserve.io/deploymentMode
# annotation when KServe knows the value, else the configured defaultDeploymentMode.
kserve_mode(obj) := _kserve_modes[exposure.annotation(obj, "serving.kserve.io/deploymentMode")] if {
	_kserve_modes[exposure.annotation(obj, "serving.kserve.io/deploymentMode")]
} else := _kserve_modes[kserve_settings.defaultDeploymentMode] if {
	_kserve_modes[kserve_settings.defaultDeploymentMode]
} else := "Serverless"

# label_value(obj, key) is the object's label value, or "" when absent or not a string.
default label_value(_, _) := ""

label_value(obj, key) := k8s.labels(obj)[key] if is_string(k8s.labels(obj)[key])

# kserve_publication(obj) is {"mode", "how"} for an InferenceService (or InferenceGraph) that KServe
# publishes outside the cluster; undefined when KServe keeps it cluster-local.
kserve_publication(obj) := {"mode": "RawDeployment", "how": how} if {
	# Open Data Hub / OpenShift AI create a Route for this value in every mode.
	label_value(obj, kserve_visibility_label) == "exposed"
	how := sprintf("carries the label %s: exposed, for which Open Data Hub and OpenShift AI create a public Route", [
		kserve_visibility_label,
	])
} else := {"mode": "Serverless", "how": how} if {
	# KServe copies the InferenceService's labels onto the Knative Service it creates, so
	# Knative's own decision (the label, or config-domain) makes the route cluster-local, and
	# KServe then leaves the ingress gateway out of the VirtualService.
	kserve_mode(obj) == "Serverless"
	not knative_cluster_local(obj)

	# A stopped InferenceService has its Knative Service and VirtualService deleted.
	not kserve_stopped(obj)
	how := sprintf(
		"runs in Serverless mode without the label %s: %s, so KServe routes it through the ingress gateway %v%s",
		[knative_visibility_label, cluster_local, kserve_settings.ingressGateway, knative_domain_note(obj)],
	)
} else := {"mode": "RawDeployment", "how": how} if {
	kserve_mode(obj) == "RawDeployment"
	label_value(obj, kserve_visibility_label) != cluster_local
	kserve_settings.ingressDomain != "svc.cluster.local"
	kserve_settings.disableIngressCreation != true

	# A stopped InferenceService has its Ingress or HTTPRoutes deleted.
	not kserve_stopped(obj)
	how := sprintf("runs in RawDeployment mode without the label %s: %s, so KServe creates %s", [
		kserve_visibility_label, cluster_local, _raw_route,
	])
}

_raw_route := sprintf("an HTTPRoute on the Gateway %v", [kserve_settings.kserveIngressGateway]) if {
	kserve_settings.enableGatewayApi == true
} else := sprintf(
	"an Ingress of class %v for host *.%v",
	[kserve_settings.ingressClassName, kserve_settings.ingressDomain],
)

# kserve_ignored_visibility(obj) names a cluster-local setting KServe does not read for the
# object's mode, so the finding can say why the object is still published.
kserve_ignored_visibility(obj) := sprintf(" (the label %s is read only in RawDeployment mode)", [
	kserve_visibility_label,
]) if {
	kserve_mode(obj) == "Serverless"
	label_value(obj, kserve_visibility_label) == cluster_local
} else := sprintf(" (the label %s is read only in Serverless mode)", [knative_visibility_label]) if {
	kserve_mode(obj) == "RawDeployment"
	label_value(obj, knative_visibility_label) == cluster_local
} else := sprintf(" (the label %s was removed in Knative Serving 0.21: Knative ignores it)", [
	legacy_knative_visibility_label,
]) if {
	kserve_mode(obj) == "Serverless"
	label_value(obj, legacy_knative_visibility_label) != ""
} else := " (visibility is read from labels; KServe ignores the annotation)" if {
	some key in [kserve_visibility_label, knative_visibility_label]
	exposure.annotation(obj, key) == cluster_local
} else := ""

# kserve_stopped(obj) holds for an object with the annotation serving.kserve.io/stop set to
# "true" (any case): KServe deletes the Knative Service (KsvcReconciler.Reconcile reads the
# annotation, copied onto the revision template) and the VirtualService and ExternalName Service
# (IngressReconciler) of a stopped Serverless InferenceService and the Ingress and HTTPRoutes of
# a stopped RawDeployment one (KServe v0.16.0). Not LLMInferenceServices: v0.16.0's controller
# ignores the annotation (see llm_stop_note). Open Data Hub's
# Route for the `exposed` label is not covered: its stored copies disagree on whether a stopped
# object keeps it.
kserve_stopped(obj) if lower(exposure.annotation(obj, "serving.kserve.io/stop")) == "true"

# kserve_fix(mode) is the label that keeps an object of that mode cluster-local.
kserve_fix("Serverless") := sprintf("label it %s: %s", [knative_visibility_label, cluster_local])

kserve_fix("RawDeployment") := sprintf("label it %s: %s", [kserve_visibility_label, cluster_local])

# llm_route(obj) describes the HTTPRoute KServe creates for an LLMInferenceService with
# spec.router.route: on the Gateways of spec.router.gateway.refs, else on KServe's default
# Gateway. Undefined without a managed route (no router.route, or only refs to user routes).
llm_route(obj) := sprintf("an HTTPRoute on %s", [_llm_gateways(obj)]) if {
	route := k8s.field(obj, ["spec", "router", "route"], null)
	is_object(route)
	not _only_route_refs(route)
}

# llm_stop_note(obj) says why a stopped LLMInferenceService is still reported: KServe v0.16.0's
# LLMISVCReconciler never reads serving.kserve.io/stop (later releases delete the route).
llm_stop_note(obj) := concat("", [
	" (serving.kserve.io/stop does not remove it in KServe v0.16.0, whose LLMInferenceService ",
	"controller never reads the annotation; later releases delete the route of a stopped service)",
]) if {
	kserve_stopped(obj)
} else := ""

_only_route_refs(route) if {
	count(k8s.as_array(k8s.field(route, ["http", "refs"], []))) > 0
	not is_object(k8s.field(route, ["http", "spec"], null))
}

_llm_gateways(obj) := concat(", ", [sprintf("Gateway %v/%v", [object.get(r, "namespace", "<its namespace>"), r.name]) |
	some r in k8s.as_array(k8s.field(obj, ["spec", "router", "gateway", "refs"], []))
	is_object(r)
	is_string(r.name)
]) if {
	count(k8s.as_array(k8s.field(obj, ["spec", "router", "gateway", "refs"], []))) > 0
} else := sprintf("KServe's default Gateway %v", [kserve_settings.kserveIngressGateway])

# The visibility label Knative Serving read before v0.21 (knative/serving e402e8ec): since then
# the route reconciler reads only networking.knative.dev/visibility (re-read in Knative Serving
# 1.21.1, knative.dev/serving v0.48.1).
legacy_knative_visibility_label := "serving.knative.dev/visibility"

# knative_cluster_local(obj) holds for a Knative Service (or the InferenceService whose labels
# KServe copies onto one) whose route Knative keeps off the external gateway: its visibility
# label says cluster-local, or config-domain gives its labels the cluster domain.
knative_cluster_local(obj) if label_value(obj, knative_visibility_label) == cluster_local

knative_cluster_local(obj) if knative_domain(k8s.labels(obj)) == _cluster_domain

knative_cluster_local(_) if {
	not _knative_config_domain
	config.value("knative_default_visibility") == cluster_local
}

# knative_domain(labels) is the domain config-domain gives a route with these labels, as
# Knative's LookupDomainForLabels picks it: of the domains whose selector the labels match, the
# one with the most selector labels, ties to the alphabetically first; a config-domain naming no
# domain without a selector leaves the cluster domain as the default (Knative 1.8+,
# knative/serving#13259). Undefined when no config-domain ConfigMap is in the inventory.
knative_domain(labels) := min({name |
	some name, selector in _knative_domains
	_selector_matches(selector, labels)
	count(selector) == _best_specificity(labels)
})

_best_specificity(labels) := max({count(selector) |
	some selector in _knative_domains
	_selector_matches(selector, labels)
})

_selector_matches(selector, labels) if {
	every key, value in selector {
		k8s.object_or_empty(labels)[key] == value
	}
}

# Knative's cluster domain suffix, assumed to be the Kubernetes default.
_cluster_domain := "svc.cluster.local"

_knative_domains := object.union(_declared_domains, {_cluster_domain: {} | not _has_default(_declared_domains)})

_declared_domains := {name: _domain_selector(text) |
	some name, text in k8s.object_or_empty(_knative_config_domain.data)
	name != "_example"
	_domain_selector(text)
} if {
	_knative_config_domain
}

_has_default(domains) if {
	some selector in domains
	count(selector) == 0
}

# A config-domain value is YAML, `selector:` with the labels a route must carry; an empty
# value selects every route. Values that are not YAML are left out.
_domain_selector(text) := {} if {
	is_string(text)
	trim_space(text) == ""
} else := {k: v |
	some k, v in k8s.object_or_empty(k8s.object_or_empty(yaml.unmarshal(text)).selector)
	is_string(v)
} if {
	is_string(text)
	yaml.is_valid(text)
}

# The config-domain ConfigMap in the inventory: Knative's own namespace's, else the first by
# namespace name.
_knative_config_domain := _knative_config_domains["knative-serving"] if {
	is_object(_knative_config_domains["knative-serving"])
} else := _knative_config_domains[min(object.keys(_knative_config_domains))] if {
	count(_knative_config_domains) > 0
}

_knative_config_domains[ns] := versions.v1.ConfigMap["config-domain"] if {
	some ns, versions in k8s.object_or_empty(k8s.object_or_empty(_inventory).namespace)
	is_object(versions.v1.ConfigMap["config-domain"])
}

# knative_domain_note(obj) says where the external route's domain came from, for the finding.
knative_domain_note(obj) := sprintf(" (config-domain in %v gives its route the domain %s)", [
	_knative_config_domain.metadata.namespace, knative_domain(k8s.labels(obj)),
]) if {
	knative_domain(k8s.labels(obj))
} else := ""
