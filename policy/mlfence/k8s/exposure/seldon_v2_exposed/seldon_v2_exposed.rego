# METADATA
# title: Seldon Core v2 scheduler or envoy data plane exposed outside the cluster
# description: >-
#   The Seldon Core v2 operator creates the seldon-scheduler Service (control plane: model and
#   pipeline load/unload, agent and xDS gRPC) and the seldon-mesh Service (envoy, the inference
#   data plane) as LoadBalancers unless told otherwise, and the default runtime Helm values ask
#   for LoadBalancer explicitly. Whoever reaches them loads models or queries every model.
# related_resources:
#   - ref: https://github.com/SeldonIO/seldon-core/blob/v2/operator/controllers/reconcilers/seldon/service_reconciler.go
#   - ref: https://github.com/SeldonIO/seldon-core/blob/v2/k8s/helm-charts/seldon-core-v2-runtime/values.yaml
# custom:
#   id: MLF-K8S-056
#   long_id: k8s-seldon-v2-exposed
#   severity: high
#   target: kubernetes
#   kinds: [SeldonRuntime, SeldonConfig]
#   platform: >-
#     Seldon Core v2.8-v2.10 (ComponentServiceReconciler.getServiceType: LoadBalancer unless
#     config.serviceConfig.serviceType is set; an override for the component replaces it with its
#     own serviceType, "" meaning ClusterIP; disable or replicas 0 creates no Service)
#   verified_against:
#     - repo: SeldonIO/seldon-core
#       path: operator/controllers/reconcilers/seldon/service_reconciler.go
#       commit: 2ce442732adfa7ef64e70e0629605b07400588c8
#       version: release not established (index commit)
#       facts: >-
#         getServiceType: LoadBalancer unless ServiceConfig.ServiceType is set; a component override
#         replaces it with its own serviceType ("" gives ClusterIP); disable or replicas 0 creates no
#         Service; seldon-scheduler ports 9002/9004/9044/9005/9055/9008, seldon-mesh 80/9003
#     - repo: SeldonIO/seldon-core
#       path: operator/controllers/reconcilers/seldon/runtime_reconciler.go
#       commit: c14bc60e0a927520285c3b77f72df48173ea1a74
#       version: release not established (index commit)
#       facts: >-
#         spec.overrides becomes a map by name (the last entry wins); spec.config takes the
#         referenced SeldonConfig's values where it sets none (AddDefaults) before the Services are
#         built, so a SeldonConfig serviceType applies to runtimes that set none
#     - repo: SeldonIO/seldon-core
#       path: operator/controllers/reconcilers/seldon/service_reconciler.go
#       commit: 6e4776597018e36738e6f4dc0b47524c0fcc32f5
#       version: release not established (an older copy, Apache-2.0 header)
#       facts: >-
#         the same getServiceType; Services are created for disabled components too (with no pods
#         behind them)
#     - repo: SeldonIO/seldon-core
#       path: k8s/helm-charts/seldon-core-v2-runtime/values.yaml
#       commit: b24107e922ec6191c45026bfe8003d7c6ebf9cc4
#       version: chart release not established (also read at 2badd0f0)
#       facts: >-
#         scheduler.serviceType and envoy.serviceType are LoadBalancer ("controlplane exposure",
#         "dataplane exposure"); config.serviceConfig.serviceType is empty
#     - repo: SeldonIO/seldon-core
#       path: k8s/helm-charts/seldon-core-v2-runtime/templates/seldon-runtime.yaml
#       commit: 37621f3a4d8d8c1bf4998f51eb9b1ef1bacf32cd
#       version: chart release not established (stored Chart.yaml copies name 2.8.1-rc2 and 2.8.4)
#       facts: >-
#         the chart renders a SeldonRuntime whose seldon-scheduler and seldon-envoy overrides carry
#         those serviceType values
#   recommended_action: >-
#     Set serviceType: ClusterIP in the SeldonRuntime overrides for seldon-scheduler and
#     seldon-envoy (or in spec.config.serviceConfig), and publish inference through the approved
#     edge gateway with authentication; keep the scheduler internal.
package mlfence.k8s.exposure.seldon_v2_exposed

import data.lib.mlfence.k8s
import data.lib.mlfence.result

_components := {
	"seldon-scheduler": {"service": "seldon-scheduler", "what": "control plane", "severity": "critical"},
	"seldon-envoy": {"service": "seldon-mesh", "what": "inference data plane", "severity": "high"},
}

_exposing := {"LoadBalancer", "NodePort"}

violation contains result.with_severity(rego.metadata.chain(), k8s.resource, msg, c.severity) if {
	k8s.kind == "SeldonRuntime"
	obj := k8s.review_object
	k8s.api_group(obj) == "mlops.seldon.io"
	some name, c in _components
	not _disabled(_override(obj, name))
	some setting in _service_type(obj, name)
	setting.type in _exposing
	msg := sprintf("SeldonRuntime %s makes the operator create Service %s (the %s) as %s because %s; %s", [
		k8s.resource, c.service, c.what, setting.type, setting.why, _fix(name),
	])
}

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.kind == "SeldonConfig"
	obj := k8s.review_object
	k8s.api_group(obj) == "mlops.seldon.io"
	type := k8s.field(obj, ["spec", "config", "serviceConfig", "serviceType"], "")
	type in _exposing
	msg := sprintf("SeldonConfig %s sets config.serviceConfig.serviceType: %s, %s; set ClusterIP", [
		k8s.resource, type,
		"which seldon-scheduler and seldon-mesh get in every SeldonRuntime that sets no serviceType of its own",
	])
}

# _override(obj, name) is the component's entry of spec.overrides (the last one, as the operator
# builds a map by name), or null.
default _override(_, _) := null

_override(obj, name) := entries[count(entries) - 1] if {
	entries := [o |
		some o in k8s.as_array(k8s.field(obj, ["spec", "overrides"], []))
		is_object(o)
		o.name == name
	]
	count(entries) > 0
}

_disabled(o) if o.disable == true

_disabled(o) if o.replicas == 0

# _service_type(obj, name) is {{"type", "why"}} as the operator decides it.
_service_type(obj, name) := {{"type": type, "why": sprintf("its override sets serviceType: %s", [type])}} if {
	o := _override(obj, name)
	is_object(o)
	type := object.get(o, "serviceType", "")
} else := {{"type": type, "why": sprintf("spec.config.serviceConfig.serviceType is %s", [type])}} if {
	type := k8s.field(obj, ["spec", "config", "serviceConfig", "serviceType"], "")
	is_string(type)
	type != ""
} else := {{"type": "LoadBalancer", "why": why}} if {
	why := concat("", [
		"neither an override nor spec.config.serviceConfig sets a serviceType, so the operator takes ",
		"the SeldonConfig's and falls back to LoadBalancer",
	])
}

_fix(name) := sprintf("add serviceType: ClusterIP to the spec.overrides entry %s", [name])
