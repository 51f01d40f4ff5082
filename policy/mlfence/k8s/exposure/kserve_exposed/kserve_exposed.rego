# METADATA
# title: KServe InferenceService is published outside the cluster
# description: >-
#   KServe publishes every InferenceService through its ingress unless the object is labelled
#   cluster-local with the label its deployment mode reads (networking.knative.dev/visibility in
#   Serverless mode, networking.kserve.io/visibility in RawDeployment mode), the KServe
#   configuration turns ingress off, Knative's config-domain keeps Serverless routes local, or the
#   object is stopped (serving.kserve.io/stop); an LLMInferenceService with spec.router.route gets
#   an HTTPRoute on a Gateway. The model then answers anyone who can reach the ingress.
# related_resources:
#   - ref: https://github.com/kserve/kserve/tree/master/pkg/controller/v1beta1/inferenceservice/reconcilers/ingress
#   - ref: https://github.com/kserve/kserve/blob/master/pkg/controller/v1alpha1/llmisvc/router.go
# custom:
#   id: MLF-K8S-034
#   long_id: k8s-kserve-exposed
#   severity: high
#   target: kubernetes
#   kinds: [InferenceService, LLMInferenceService]
#   platform: >-
#     KServe v0.15-v0.16 (constants NetworkVisibility/VisibilityLabel, RawIngressReconciler,
#     IngressReconciler, LLMISVCReconciler.reconcileHTTPRoutes); Open Data Hub's `exposed` value
#   verified_against:
#     - repo: kserve/kserve
#       path: pkg/constants/constants.go
#       commit: 000652d723032b3813ffc6d4a452fbcc31bd8649
#       version: release not established (index commit)
#       facts: >-
#         NetworkVisibility = networking.kserve.io/visibility, VisibilityLabel =
#         networking.knative.dev/visibility, ClusterLocalVisibility = cluster-local, ClusterLocalDomain =
#         svc.cluster.local, modes Serverless, RawDeployment, ModelMesh; the Knative label is kept off
#         the revision template only (RevisionTemplateLabelDisallowedList)
#     - repo: kserve/kserve
#       path: pkg/controller/v1beta1/inferenceservice/reconcilers/ingress/ingress_reconciler.go
#       commit: 0006bfc395f31e90a226baebf0ecfe581100a70f
#       version: release not established (index commit)
#       facts: >-
#         Serverless: the VirtualService is internal (no ingress gateway) when the InferenceService is
#         labelled networking.knative.dev/visibility: cluster-local or its Knative URL host is the
#         cluster-local name
#     - repo: kserve/kserve
#       path: pkg/controller/v1beta1/inferenceservice/reconcilers/knative/ksvc_reconciler.go
#       commit: 279fb1e56b33eb8dae67a8e6699eec593650a6db
#       version: release not established (index commit)
#       facts: >-
#         the Knative Service carries the component labels, the InferenceService's included, so
#         Knative's visibility label and config-domain selectors apply to them
#     - repo: kserve/kserve
#       path: pkg/controller/v1beta1/inferenceservice/reconcilers/ingress/kube_ingress_reconciler.go
#       commit: f3e8891b5b58599a3ab21957f086350e41d337a3
#       version: release not established (index commit; this copy carries Open Data Hub additions)
#       facts: >-
#         RawDeployment: no Ingress when labelled networking.kserve.io/visibility: cluster-local,
#         ingressDomain is svc.cluster.local or disableIngressCreation is set; a stopped
#         InferenceService (serving.kserve.io/stop) has its Ingress deleted
#     - repo: kserve/kserve
#       path: pkg/controller/v1beta1/inferenceservice/reconcilers/ingress/httproute_reconciler.go
#       commit: f3e8891b5b58599a3ab21957f086350e41d337a3
#       version: release not established (index commit)
#       facts: >-
#         enableGatewayApi: the same three conditions decide the HTTPRoutes; stopped, the predictor and
#         top-level HTTPRoutes are deleted (another stored copy deletes the transformer and explainer
#         routes too)
#     - repo: kserve/kserve
#       path: pkg/utils/utils.go
#       commit: adf66efa1d98f40ed0ad18ddaaec7146bbe16603
#       version: release not established (index commit)
#       facts: GetForceStopRuntime compares serving.kserve.io/stop with "true", ignoring case
#     - repo: kserve/kserve
#       path: pkg/controller/v1alpha1/llmisvc/router.go
#       commit: 0217bdabaaa250485b336805da1aed04960dc758
#       version: release not established (index commit)
#       facts: >-
#         an HTTPRoute is reconciled only with spec.router.route set and the object not stopped; with
#         only route.http.refs the user's routes are used and none is created; gateway.refs replace the
#         route's parentRefs
#     - repo: kserve/kserve
#       path: pkg/controller/v1alpha1/llmisvc/config_merge.go
#       commit: 0217bdabaaa250485b336805da1aed04960dc758
#       version: release not established (index commit)
#       facts: >-
#         spec.router.route without http.refs merges the well-known LLMInferenceServiceConfig
#         kserve-config-llm-router-route, which supplies the HTTPRoute spec
#     - repo: kserve/kserve
#       path: config/llmisvcconfig/config-llm-router-route.yaml
#       commit: 0391f7df038f5086f5de39d6ecb1d4b61c77ed7b
#       version: release not established (index commit)
#       facts: >-
#         the route's parentRefs name the Gateway GlobalConfig.IngressGatewayName in
#         GlobalConfig.IngressGatewayNamespace (KServe's ingress gateway)
#     - repo: kubeflow/manifests
#       path: applications/kserve/kserve/kserve.yaml, kserve-cluster-resources.yaml
#       commit: not recorded (the snapshot under /work/shared/realworld)
#       version: KServe v0.16.0 release manifests (image kserve/kserve-controller:v0.16.0)
#       facts: >-
#         inferenceservice-config: defaultDeploymentMode Serverless, ingressGateway
#         knative-serving/knative-ingress-gateway, ingressDomain example.com, ingressClassName istio,
#         enableGatewayApi false, disableIngressCreation false; kserve-config-llm-router-route as above
#     - repo: kserve/modelmesh-serving
#       path: pkg/mmesh/modelmesh_service.go
#       commit: 14eab687863b41bef5e9400a4e6eb8357fbb1e39
#       version: release not established (index commit)
#       facts: >-
#         ModelMesh serves InferenceServices through one Service per namespace with no type
#         (ClusterIP), headless by default (config/default/config-defaults.yaml headlessService: true),
#         and creates no Ingress or route
#     - repo: knative/serving
#       path: pkg/reconciler/route/config/domain.go
#       commit: 0424bef5a0ebb5e94b69801314e2f0d8bad4b6b8
#       version: release not established (index commit)
#       facts: >-
#         LookupDomainForLabels: networking.knative.dev/visibility: cluster-local gives the cluster
#         domain; else the matching selector with most labels, ties to the alphabetically first
#     - repo: knative/serving
#       ref: https://github.com/knative/serving/pull/13259
#       version: Knative Serving v1.8 (knative/docs#5316 names release-1.8)
#       facts: >-
#         the default domain is the cluster domain svc.cluster.local: routes stay cluster-local until
#         config-domain names a domain
#   recommended_action: >-
#     Label the InferenceService cluster-local (networking.knative.dev/visibility: cluster-local in
#     Serverless mode, networking.kserve.io/visibility: cluster-local in RawDeployment mode), or
#     declare the KServe ingress settings (kserve_ingress parameter or the scanned
#     inferenceservice-config) if ingress creation is off; publish a model that must be public only
#     through the approved edge gateway with authentication.
package mlfence.k8s.exposure.kserve_exposed

import data.lib.mlfence.k8s
import data.lib.mlfence.result
import data.lib.mlfence.serving

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.kind == "InferenceService"
	obj := k8s.review_object
	k8s.api_group(obj) == "serving.kserve.io"
	published := serving.kserve_publication(obj)
	msg := sprintf("InferenceService %s %s%s; %s, or serve it through the approved edge gateway with authentication", [
		k8s.resource, published.how, serving.kserve_ignored_visibility(obj), serving.kserve_fix(published.mode),
	])
}

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.kind == "LLMInferenceService"
	obj := k8s.review_object
	k8s.api_group(obj) == "serving.kserve.io"
	route := serving.llm_route(obj)
	msg := sprintf("LLMInferenceService %s sets spec.router.route, so KServe publishes the model through %s%s; %s", [
		k8s.resource, route, serving.llm_stop_note(obj),
		"drop spec.router.route to keep it cluster-local, or attach it only to an internal Gateway",
	])
}
