# METADATA
# title: KServe InferenceService is published outside the cluster
# description: >-
#   KServe publishes every InferenceService through its ingress unless the object is labelled
#   cluster-local with the label its deployment mode reads (networking.knative.dev/visibility in
#   Serverless mode, networking.kserve.io/visibility in RawDeployment mode) or the KServe
#   configuration turns ingress off; an LLMInferenceService with spec.router.route gets an
#   HTTPRoute on a Gateway. The model then answers anyone who can reach the ingress.
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
#   verified_against: >-
#     kserve/kserve source read on 2026-12-06 (stored index, commit tags not recorded there):
#     pkg/constants/constants.go (NetworkVisibility = "networking.kserve.io/visibility",
#     ClusterLocalVisibility = "cluster-local", ClusterLocalDomain = "svc.cluster.local");
#     reconcilers/ingress/rawingress_reconciler.go at de47e67c (no Ingress when the label is
#     cluster-local, IngressDomain is svc.cluster.local or DisableIngressCreation is set); the
#     Istio VirtualService builder's determineIfInternal reads the same label. Not verified here:
#     the Serverless path's networking.knative.dev/visibility propagation, ModelMesh, and
#     llmisvc/router.go (kept from the earlier reading). KServe @000652d7: pkg/constants/
#     constants.go also holds VisibilityLabel = "networking.knative.dev/visibility" (Serverless)
#     and the modes Serverless, RawDeployment, ModelMesh. KServe v0.16.0 release manifests as
#     vendored by kubeflow/manifests applications/kserve/kserve/kserve.yaml, ConfigMap
#     inferenceservice-config: defaultDeploymentMode Serverless, ingress defaults equal to
#     the kserve_ingress parameter's defaults (ingressDomain example.com, ingressClassName istio,
#     enableGatewayApi false, disableIngressCreation false), and its _example names the modes
#     Standard and Knative (the legacy names RawDeployment and Serverless still accepted). Not
#     found in the index's kserve/kserve source: the Standard/Knative constants themselves.
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
	msg := sprintf("LLMInferenceService %s sets spec.router.route, so KServe publishes the model through %s; %s", [
		k8s.resource, route, "drop spec.router.route to keep it cluster-local, or attach it only to an internal Gateway",
	])
}
