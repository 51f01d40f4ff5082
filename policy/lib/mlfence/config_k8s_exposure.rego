# Secure defaults of the Kubernetes exposure, Ingress and Istio rules (MLF-K8S-030 to
# MLF-K8S-059). Each key is mirrored in data/mlfence/config/data.yaml.
package lib.mlfence.config

# Reviewed edge gateways that may face the internet: a list of {"namespace", "labels"}; a Service
# matches an entry when it lives in that namespace and carries every one of its labels. Empty:
# nothing may be public.
defaults["edge_gateways"] := []

# Annotations that make a LoadBalancer Service internal on clouds the built-in list (AWS, GCP,
# Azure) does not know, as {"key", "value"} (value compared case-insensitively), e.g.
# {"key": "service.beta.kubernetes.io/oci-load-balancer-internal", "value": "true"}.
defaults["extra_internal_lb_annotations"] := []

# Ingress classes (spec.ingressClassName or the kubernetes.io/ingress.class annotation) whose
# controller is reachable only from private networks; their Ingresses need no source ranges.
defaults["internal_ingress_classes"] := []

# Request paths an AuthorizationPolicy may leave open to unauthenticated callers: probes and
# metrics. Entries are Istio path patterns; "*" inside an entry matches one path segment.
defaults["istio_health_paths"] := [
	"/health",
	"/healthz",
	"/ready",
	"/readyz",
	"/live",
	"/livez",
	"/v2/health/*",
	"/metrics",
]

# Hosts that mesh workloads may reach through a MESH_EXTERNAL ServiceEntry: the model registries
# and artifact stores the platform approved. "*" matches one DNS label.
defaults["approved_egress_domains"] := [
	"huggingface.co",
	"*.huggingface.co",
	"storage.googleapis.com",
	"*.s3.amazonaws.com",
]

# Istio's root namespace: a PeerAuthentication there without a selector is the mesh-wide policy.
defaults["istio_root_namespace"] := "istio-system"

# How KServe is configured to publish InferenceServices, with the key names of the `ingress` and
# `deploy` JSON of KServe's inferenceservice-config ConfigMap (a scanned ConfigMap takes
# precedence). The defaults are those KServe v0.15 ships: Serverless mode, ingress created.
defaults["kserve_ingress"] := {
	"defaultDeploymentMode": "Serverless",
	"disableIngressCreation": false,
	"enableGatewayApi": false,
	"ingressDomain": "example.com",
	"ingressClassName": "istio",
	"ingressGateway": "knative-serving/knative-ingress-gateway",
	"kserveIngressGateway": "kserve/kserve-ingress-gateway",
}

# Knative's route visibility when no config-domain ConfigMap is scanned with the objects (a
# scanned one decides): "external" when config-domain names a domain for every route, as
# installs that publish do (Kubeflow's gateways overlay sets example.com); "cluster-local" when
# it names none (Knative 1.8+ then gives every route the cluster domain) or maps every route
# to svc.cluster.local.
defaults["knative_default_visibility"] := "external"

# Gateway API GatewayClasses whose load balancers are private (GKE's internal classes are known).
defaults["internal_gateway_classes"] := []

# Ports of ML consoles and servers that have no authentication of their own, by port number:
# a route that reaches one publishes it. Triton's defaults are 8000 (HTTP), 8001 (gRPC), 8002
# (metrics); Kubeflow's central dashboard listens on 8082.
defaults["ml_console_ports"] := {
	"5000": "MLflow tracking server and UI",
	"6006": "TensorBoard",
	"8000": "Triton Inference Server HTTP API",
	"8001": "Triton Inference Server gRPC API",
	"8002": "Triton Inference Server metrics",
	"8082": "Kubeflow central dashboard",
	"8265": "Ray dashboard and job submission API",
	"8888": "Jupyter server",
}

# Service names (globs) of the same consoles, for routes that name the Service port by its
# service port (80) instead: KubeRay names the head Service <cluster>-head-svc.
defaults["ml_console_services"] := {
	"centraldashboard": "Kubeflow central dashboard",
	"ml-pipeline-ui": "Kubeflow Pipelines UI",
	"*-head-svc": "Ray head (dashboard and job submission API)",
	"mlflow*": "MLflow tracking server and UI",
	"tensorboard*": "TensorBoard",
}
