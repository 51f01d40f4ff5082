# METADATA
# title: Ray head (dashboard and job API) is exposed outside the cluster
# description: >-
#   The Ray head serves the dashboard and the job submission API on port 8265 without any
#   authentication: whoever reaches it runs arbitrary code on the cluster (ShadowRay,
#   CVE-2023-48022). A NodePort or LoadBalancer head service, or the KubeRay-managed Ingress,
#   puts it in reach of networks outside the cluster.
# related_resources:
#   - ref: https://docs.ray.io/en/latest/cluster/kubernetes/user-guides/config.html
#   - ref: https://docs.ray.io/en/latest/ray-security/index.html
#   - ref: https://nvd.nist.gov/vuln/detail/CVE-2023-48022
# custom:
#   id: MLF-K8S-033
#   long_id: k8s-ray-head-exposed
#   severity: critical
#   target: kubernetes
#   kinds: [RayCluster, RayJob, RayService]
#   recommended_action: >-
#     Keep the head service ClusterIP (omit headGroupSpec.serviceType or set ClusterIP), drop
#     headGroupSpec.enableIngress, and reach the dashboard with kubectl port-forward or through an
#     authenticating proxy restricted by NetworkPolicy.
package mlfence.k8s.exposure.ray_head_exposed

import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	some cluster in _cluster_specs(k8s.review_object)
	head := cluster.spec.headGroupSpec
	is_object(head)
	some why in _exposures(head, concat(".", [cluster.path, "headGroupSpec"]))
	msg := sprintf(
		"%s %s %s, which exposes the unauthenticated Ray dashboard and job API outside the cluster; %s",
		[k8s.kind, k8s.resource, why, "use a ClusterIP head service and kubectl port-forward or an authenticating proxy"],
	)
}

# Where each Ray kind keeps its RayCluster spec.
_cluster_paths := {"RayCluster": "spec", "RayJob": "spec.rayClusterSpec", "RayService": "spec.rayClusterConfig"}

_cluster_specs(obj) := {{"path": path, "spec": spec} |
	k8s.api_group(obj) == "ray.io"
	path := _cluster_paths[obj.kind]
	spec := object.get(obj, split(path, "."), null)
	is_object(spec)
}

_exposed_types := {"LoadBalancer", "NodePort"}

_exposures(head, path) := ({sprintf("sets %s.serviceType: %s", [path, head.serviceType]) |
	head.serviceType in _exposed_types
} | {sprintf("sets %s.headService.spec.type: %s", [path, head.headService.spec.type]) |
	head.headService.spec.type in _exposed_types
}) | {sprintf("sets %s.enableIngress: true", [path]) |
	head.enableIngress == true
}
