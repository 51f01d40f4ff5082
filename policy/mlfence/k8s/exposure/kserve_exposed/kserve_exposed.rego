# METADATA
# title: KServe InferenceService is published outside the cluster
# description: >-
#   KServe publishes every InferenceService through its ingress unless the object is labelled
#   cluster-local with the label its deployment mode reads (networking.knative.dev/visibility in
#   Serverless mode, networking.kserve.io/visibility in RawDeployment mode), the KServe
#   configuration turns ingress off, Knative's config-domain keeps Serverless routes local, or the
#   InferenceService is stopped (serving.kserve.io/stop: KServe deletes its Knative Service and
#   VirtualService, or its Ingress and HTTPRoutes); an LLMInferenceService with spec.router.route
#   gets an HTTPRoute on a Gateway, stopped or not in KServe v0.16.0. The model then answers anyone
#   who can reach the ingress.
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
#     KServe v0.16.0, read in its release source (the version Kubeflow's manifests vendor):
#     constants NetworkVisibility/VisibilityLabel, IngressReconciler and KsvcReconciler
#     (Serverless), RawIngressReconciler and the HTTPRoute reconciler (RawDeployment),
#     LLMISVCReconciler.reconcileHTTPRoutes; serving.kserve.io/stop removes Serverless and
#     RawDeployment routes, not v0.16.0's LLMInferenceService route; Open Data Hub's `exposed` value
#   verified_against:
#     - repo: kserve/kserve
#       path: pkg/constants/constants.go
#       commit: >-
#         not recorded (module zip github.com/kserve/kserve@v0.16.0 from the Go module proxy,
#         h1:kDkcAU5VMiZf4zhdDXH+UdAIgzXhs10GMv0d9r4qvTs=)
#       version: >-
#         KServe v0.16.0 (github.com/kserve/kserve v0.16.0; the version Kubeflow's manifests vendor)
#       facts: >-
#         NetworkVisibility = networking.kserve.io/visibility, VisibilityLabel =
#         networking.knative.dev/visibility, ClusterLocalVisibility = cluster-local,
#         ClusterLocalDomain = svc.cluster.local, StopAnnotationKey = serving.kserve.io/stop; modes
#         Knative (legacy Serverless), Standard (legacy RawDeployment), ModelMesh; the Knative label
#         is kept off the revision template only (RevisionTemplateLabelDisallowedList)
#     - repo: kserve/kserve
#       path: pkg/controller/v1beta1/inferenceservice/utils/utils.go
#       commit: >-
#         not recorded (module zip github.com/kserve/kserve@v0.16.0 from the Go module proxy,
#         h1:kDkcAU5VMiZf4zhdDXH+UdAIgzXhs10GMv0d9r4qvTs=)
#       version: >-
#         KServe v0.16.0 (github.com/kserve/kserve v0.16.0; the version Kubeflow's manifests vendor)
#       facts: >-
#         GetDeploymentMode: the recorded status, else the deploymentMode annotation (legacy names
#         mapped), else the configured defaultDeploymentMode (Serverless in the shipped
#         inferenceservice-config)
#     - repo: kserve/kserve
#       path: pkg/controller/v1beta1/inferenceservice/reconcilers/ingress/ingress_reconciler.go
#       commit: >-
#         not recorded (module zip github.com/kserve/kserve@v0.16.0 from the Go module proxy,
#         h1:kDkcAU5VMiZf4zhdDXH+UdAIgzXhs10GMv0d9r4qvTs=)
#       version: >-
#         KServe v0.16.0 (github.com/kserve/kserve v0.16.0; the version Kubeflow's manifests vendor)
#       facts: >-
#         Serverless: the VirtualService is internal (no ingress gateway) when the InferenceService
#         is labelled networking.knative.dev/visibility: cluster-local or its Knative URL host is
#         the cluster-local name; a stopped InferenceService has its VirtualService and ExternalName
#         Service deleted
#     - repo: kserve/kserve
#       path: pkg/controller/v1beta1/inferenceservice/reconcilers/knative/ksvc_reconciler.go
#       commit: >-
#         not recorded (module zip github.com/kserve/kserve@v0.16.0 from the Go module proxy,
#         h1:kDkcAU5VMiZf4zhdDXH+UdAIgzXhs10GMv0d9r4qvTs=)
#       version: >-
#         KServe v0.16.0 (github.com/kserve/kserve v0.16.0; the version Kubeflow's manifests vendor)
#       facts: >-
#         the Knative Service carries the component labels, the InferenceService's included, so
#         Knative's visibility label and config-domain selectors apply to them; with
#         serving.kserve.io/stop "true" (any case) on the revision template, where the
#         InferenceService's annotations are copied, the Knative Service is deleted and never
#         created
#     - repo: kserve/kserve
#       path: pkg/controller/v1beta1/inferenceservice/reconcilers/ingress/kube_ingress_reconciler.go
#       commit: >-
#         not recorded (module zip github.com/kserve/kserve@v0.16.0 from the Go module proxy,
#         h1:kDkcAU5VMiZf4zhdDXH+UdAIgzXhs10GMv0d9r4qvTs=)
#       version: >-
#         KServe v0.16.0 (github.com/kserve/kserve v0.16.0; the version Kubeflow's manifests vendor)
#       facts: >-
#         RawDeployment: no Ingress when labelled networking.kserve.io/visibility: cluster-local,
#         ingressDomain is svc.cluster.local or disableIngressCreation is set; a stopped
#         InferenceService has its Ingress deleted
#     - repo: kserve/kserve
#       path: pkg/controller/v1beta1/inferenceservice/reconcilers/ingress/httproute_reconciler.go
#       commit: >-
#         not recorded (module zip github.com/kserve/kserve@v0.16.0 from the Go module proxy,
#         h1:kDkcAU5VMiZf4zhdDXH+UdAIgzXhs10GMv0d9r4qvTs=)
#       version: >-
#         KServe v0.16.0 (github.com/kserve/kserve v0.16.0; the version Kubeflow's manifests vendor)
#       facts: >-
#         enableGatewayApi: the same three conditions decide the HTTPRoutes; stopped, the top-level,
#         predictor, transformer and explainer HTTPRoutes are deleted
#     - repo: kserve/kserve
#       path: pkg/utils/utils.go
#       commit: >-
#         not recorded (module zip github.com/kserve/kserve@v0.16.0 from the Go module proxy,
#         h1:kDkcAU5VMiZf4zhdDXH+UdAIgzXhs10GMv0d9r4qvTs=)
#       version: >-
#         KServe v0.16.0 (github.com/kserve/kserve v0.16.0; the version Kubeflow's manifests vendor)
#       facts: GetForceStopRuntime compares serving.kserve.io/stop with "true", ignoring case
#     - repo: kserve/kserve
#       path: pkg/controller/v1alpha1/llmisvc/router.go, config_merge.go
#       commit: >-
#         not recorded (module zip github.com/kserve/kserve@v0.16.0 from the Go module proxy,
#         h1:kDkcAU5VMiZf4zhdDXH+UdAIgzXhs10GMv0d9r4qvTs=)
#       version: >-
#         KServe v0.16.0 (github.com/kserve/kserve v0.16.0; the version Kubeflow's manifests vendor)
#       facts: >-
#         an HTTPRoute is reconciled when spec.router.route has an http spec (merged from the
#         well-known LLMInferenceServiceConfig kserve-config-llm-router-route when it names no
#         refs); with only http.refs the user's routes are used and none is created; gateway.refs
#         replace the route's parentRefs; nothing in the llmisvc package reads
#         serving.kserve.io/stop
#     - repo: kserve/kserve
#       path: config/llmisvcconfig/config-llm-router-route.yaml
#       commit: >-
#         not recorded (module zip github.com/kserve/kserve@v0.16.0 from the Go module proxy,
#         h1:kDkcAU5VMiZf4zhdDXH+UdAIgzXhs10GMv0d9r4qvTs=)
#       version: >-
#         KServe v0.16.0 (github.com/kserve/kserve v0.16.0; the version Kubeflow's manifests vendor)
#       facts: >-
#         the route's parentRefs name the Gateway GlobalConfig.IngressGatewayName in
#         GlobalConfig.IngressGatewayNamespace (KServe's ingress gateway)
#     - repo: kserve/kserve
#       path: pkg/controller/v1alpha1/llmisvc/router.go
#       commit: 0217bdabaaa250485b336805da1aed04960dc758
#       version: >-
#         release not established: python/VERSION is not stored at this commit; later than v0.16.0
#         (it reads serving.kserve.io/stop, which v0.16.0's llmisvc package never does)
#       facts: an HTTPRoute is reconciled only with spec.router.route set and the object not stopped
#     - repo: kubeflow/manifests
#       path: applications/kserve/kserve/kserve.yaml, kserve-cluster-resources.yaml
#       commit: not recorded (the snapshot under /work/shared/realworld)
#       version: KServe v0.16.0 release manifests (image kserve/kserve-controller:v0.16.0)
#       facts: >-
#         inferenceservice-config: defaultDeploymentMode Serverless, ingressGateway
#         knative-serving/knative-ingress-gateway, ingressDomain example.com, ingressClassName
#         istio, enableGatewayApi false, disableIngressCreation false;
#         kserve-config-llm-router-route as above
#     - repo: kserve/modelmesh-serving
#       path: pkg/mmesh/modelmesh_service.go
#       commit: >-
#         not recorded (module zip github.com/kserve/modelmesh-serving@v0.12.0 from the Go module
#         proxy, h1:tuxLz3vkDixmMBk4dwYcT4cWTUfcoYGBUqRsycjQCm4=; also read at 14eab687 in the
#         index)
#       version: ModelMesh Serving v0.12.0 (github.com/kserve/modelmesh-serving v0.12.0)
#       facts: >-
#         ModelMesh serves InferenceServices through one Service per namespace with no type
#         (ClusterIP), headless by default (config/default/config-defaults.yaml headlessService:
#         true), and creates no Ingress or route
#     - repo: knative/serving
#       path: pkg/reconciler/route/config/domain.go
#       commit: >-
#         not recorded (module zip knative.dev/serving@v0.48.1 from the Go module proxy,
#         h1:Tm8s/KbtnGp/8srGa+r4ETyO+2+8FhG6qX/NPeRyTJo=)
#       version: Knative Serving 1.21.1 (knative.dev/serving v0.48.1)
#       facts: >-
#         LookupDomainForLabels: networking.knative.dev/visibility: cluster-local gives the cluster
#         domain; else the matching selector with most labels, ties to the alphabetically first;
#         NewDomainFromConfigMap skips _example, a key without selector is the default, and without
#         one the default is svc.<cluster domain>
#     - repo: knative/serving
#       ref: https://github.com/knative/serving/pull/13259
#       version: Knative Serving v1.8 (knative/docs#5316 names release-1.8)
#       facts: >-
#         the default domain is the cluster domain svc.cluster.local: routes stay cluster-local
#         until config-domain names a domain
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
