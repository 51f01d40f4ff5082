# METADATA
# title: Seldon Core v2 scheduler or envoy data plane exposed outside the cluster
# description: >-
#   The Seldon Core v2 operator creates the seldon-scheduler Service (control plane: model and
#   pipeline load/unload, agent and xDS gRPC) and the seldon-mesh Service (envoy, the inference
#   data plane) as LoadBalancers unless told otherwise, and the default runtime Helm values ask
#   for LoadBalancer explicitly. Whoever reaches them loads models or queries every model. A
#   SeldonRuntime that sets no serviceType takes the one of the SeldonConfig it references: when
#   that SeldonConfig is scanned with it (or synced), its serviceType decides; when it is not, the
#   operator's LoadBalancer default is reported and the finding says the SeldonConfig was not
#   scanned. Cross-object by design, so conftest without --combine reports it "not judged".
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
#     Seldon Core v2 operator (mlops.seldon.io v1alpha1; releases not established, the copies read
#     carry the 2024 Seldon licence header; the index's runtime chart is at 2.8.1-rc2):
#     ComponentServiceReconciler.getServiceType gives LoadBalancer unless the
#     serviceConfig.serviceType the SeldonRuntime ends with is set (its own, else the referenced
#     SeldonConfig's through AddDefaults); a component override replaces it with its own
#     serviceType, "" meaning ClusterIP; disable or replicas 0 creates no Service
#   verified_against:
#     - repo: SeldonIO/seldon-core
#       path: operator/controllers/reconcilers/seldon/service_reconciler.go
#       commit: 2ce442732adfa7ef64e70e0629605b07400588c8
#       version: >-
#         release not established: the Go module proxy serves no
#         github.com/seldonio/seldon-core/operator/v2 version, and k8s/yaml/components.yaml
#         (rendered with release image tags) is not stored at this commit; the copy carries the 2024
#         Seldon licence header
#       facts: >-
#         getServiceType: LoadBalancer unless ServiceConfig.ServiceType is set; a component override
#         replaces it with its own serviceType ("" gives ClusterIP); disable or replicas 0 creates
#         no Service; seldon-scheduler ports 9002/9004/9044/9005/9055/9008, seldon-mesh 80/9003
#     - repo: SeldonIO/seldon-core
#       path: operator/controllers/reconcilers/seldon/runtime_reconciler.go
#       commit: c14bc60e0a927520285c3b77f72df48173ea1a74
#       version: >-
#         release not established: the Go module proxy serves no
#         github.com/seldonio/seldon-core/operator/v2 version, and k8s/yaml/components.yaml
#         (rendered with release image tags) is not stored at this commit; the copy carries a 2023
#         Apache-2.0 header
#       facts: >-
#         spec.overrides becomes a map by name (the last entry wins); the SeldonConfig named by
#         spec.seldonConfig is read, then runtime.Spec.Config.AddDefaults(seldonConfig.Spec.Config)
#         runs before the Services are built from runtime.Spec.Config.ServiceConfig and the
#         runtime's overrides only
#     - repo: SeldonIO/seldon-core
#       path: operator/apis/mlops/v1alpha1/seldonconfig_types.go
#       commit: 038b951b84e74fd534755e1da8f0b873e363ec4d
#       version: >-
#         release not established: the Go module proxy serves no
#         github.com/seldonio/seldon-core/operator/v2 version; no version file was probed at this
#         commit
#       facts: >-
#         GetSeldonConfigForSeldonRuntime reads the SeldonConfig by name in
#         constants.SeldonNamespace; ServiceConfig.addDefaults copies serviceType (and
#         grpcServicePrefix) only where the runtime's is empty
#     - repo: SeldonIO/seldon-core
#       path: operator/pkg/constants/constants.go
#       commit: 00c2b3b8742d35ac8389a51622d36f7c8e0f5aa1
#       version: >-
#         release not established: the Go module proxy serves no
#         github.com/seldonio/seldon-core/operator/v2 version; no version file was probed at this
#         commit
#       facts: >-
#         SeldonNamespace is the operator's POD_NAMESPACE, seldon-mesh by default: the SeldonConfig
#         read is the one in the operator's namespace, which a scan cannot tell, so every scanned
#         SeldonConfig of that name is a candidate
#     - repo: SeldonIO/seldon-core
#       path: operator/controllers/reconcilers/seldon/service_reconciler.go
#       commit: 6e4776597018e36738e6f4dc0b47524c0fcc32f5
#       version: >-
#         release not established: the Go module proxy serves no
#         github.com/seldonio/seldon-core/operator/v2 version, and k8s/yaml/components.yaml
#         (rendered with release image tags) is not stored at this commit; an older copy with an
#         Apache-2.0 header
#       facts: >-
#         the same getServiceType; Services are created for disabled components too (with no pods
#         behind them)
#     - repo: SeldonIO/seldon-core
#       path: k8s/helm-charts/seldon-core-v2-runtime/values.yaml
#       commit: b24107e922ec6191c45026bfe8003d7c6ebf9cc4
#       version: >-
#         chart release not established: Chart.yaml and k8s/yaml/runtime.yaml are not stored at this
#         commit (also read at 2badd0f0)
#       facts: >-
#         scheduler.serviceType and envoy.serviceType are LoadBalancer ("controlplane exposure",
#         "dataplane exposure"); config.serviceConfig.serviceType is empty
#     - repo: SeldonIO/seldon-core
#       path: k8s/helm-charts/seldon-core-v2-runtime/templates/seldon-runtime.yaml
#       commit: 37621f3a4d8d8c1bf4998f51eb9b1ef1bacf32cd
#       version: >-
#         chart release not established: Chart.yaml is not stored at this commit (stored Chart.yaml
#         copies name 2.8.1-rc2 and 2.8.4)
#       facts: >-
#         the chart renders a SeldonRuntime whose seldon-scheduler and seldon-envoy overrides carry
#         those serviceType values
#   recommended_action: >-
#     Set serviceType: ClusterIP in the SeldonRuntime overrides for seldon-scheduler and
#     seldon-envoy (or in spec.config.serviceConfig of the SeldonRuntime or of the SeldonConfig it
#     references, and scan that SeldonConfig with it), and publish inference through the approved
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

# _service_type(obj, name) is {{"type", "why"}} as the operator decides it: the component's
# override, else spec.config.serviceConfig (the runtime's own, then, through AddDefaults, the
# referenced SeldonConfig's), else LoadBalancer.
_service_type(obj, name) := {{"type": type, "why": sprintf("its override sets serviceType: %s", [type])}} if {
	o := _override(obj, name)
	is_object(o)
	type := object.get(o, "serviceType", "")
} else := {{"type": type, "why": sprintf("spec.config.serviceConfig.serviceType is %s", [type])}} if {
	type := _config_service_type(obj)
	type != ""
} else := settings if {
	settings := {_from_seldon_config(where, cfg) | some where, cfg in _seldon_configs(_seldon_config_name(obj))}
	count(settings) > 0
} else := {{"type": "LoadBalancer", "why": why}} if {
	why := concat("", [
		"neither an override nor spec.config.serviceConfig sets a serviceType and the SeldonConfig ",
		_seldon_config_name(obj),
		" it references was not scanned, so the operator falls back to LoadBalancer unless that ",
		"SeldonConfig sets config.serviceConfig.serviceType",
	])
}

# _from_seldon_config(where, cfg) is the setting the referenced SeldonConfig gives a runtime that
# sets no serviceType of its own (AddDefaults copies it into the runtime's serviceConfig).
_from_seldon_config(where, cfg) := {"type": type, "why": why} if {
	type := _config_service_type(cfg)
	type != ""
	why := sprintf("the SeldonConfig %s it references sets config.serviceConfig.serviceType: %s", [where, type])
} else := {"type": "LoadBalancer", "why": why} if {
	why := concat("", [
		"neither an override, spec.config.serviceConfig nor the SeldonConfig ", where,
		" it references sets a serviceType, so the operator falls back to LoadBalancer",
	])
}

# _config_service_type(obj) is spec.config.serviceConfig.serviceType of a SeldonRuntime or
# SeldonConfig, "" when unset or not a string.
_config_service_type(obj) := type if {
	type := k8s.field(obj, ["spec", "config", "serviceConfig", "serviceType"], "")
	is_string(type)
} else := ""

_seldon_config_name(obj) := name if {
	name := k8s.field(obj, ["spec", "seldonConfig"], "")
	is_string(name)
} else := ""

# _seldon_configs(name) is {"<namespace>/<name>" (or "<name>" without a namespace): SeldonConfig}
# of the scanned (or synced) SeldonConfigs of that name. The operator reads the one in its own
# namespace (POD_NAMESPACE, seldon-mesh by default), which a scan cannot tell, so each one found
# is a candidate and any exposing one is reported.
_seldon_configs(name) := configs if {
	name != ""
	configs := object.union(
		{sprintf("%s/%s", [ns, name]): cfg |
			some ns, versions in k8s.object_or_empty(k8s.object_or_empty(_inventory).namespace)
			cfg := _seldon_config_in(versions, name)
		},
		{name: cfg | cfg := _seldon_config_in(k8s.object_or_empty(_inventory).cluster, name)},
	)
}

_seldon_config_in(versions, name) := cfg if {
	cfg := k8s.object_or_empty(versions)["mlops.seldon.io/v1alpha1"].SeldonConfig[name]
	is_object(cfg)
}

default _inventory := {}

_inventory := data.inventory if is_object(data.inventory)

_fix(name) := sprintf("add serviceType: ClusterIP to the spec.overrides entry %s", [name])
