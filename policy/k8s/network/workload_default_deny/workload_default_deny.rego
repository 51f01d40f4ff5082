# METADATA
# title: Workload admitted into a namespace without an effective default deny
# description: >-
#   Pods of a namespace without a default-deny NetworkPolicy accept and send any traffic unless
#   another policy happens to select them. A training job or model server deployed there is
#   reachable from every pod in the cluster and can reach the internet.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies
# custom:
#   id: MLF-K8S-009
#   long_id: k8s-workload-default-deny
#   severity: high
#   target: kubernetes
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job,
#     CronJob, PyTorchJob, TFJob, XGBoostJob, PaddleJob, JAXJob, MXJob, MPIJob, TrainJob,
#     TrainingRuntime, ClusterTrainingRuntime, JobSet, LeaderWorkerSet, InferenceService,
#     ServingRuntime, ClusterServingRuntime, SeldonDeployment, RayCluster, RayJob, RayService,
#     Notebook, Workflow, WorkflowTemplate, ClusterWorkflowTemplate, CronWorkflow]
#   recommended_action: >-
#     Create the namespace's default deny before its workloads:
#     `{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: default-deny-all,
#     namespace: <namespace>}, spec: {podSelector: {}, policyTypes: [Ingress, Egress]}}`, then
#     allow what the workload needs with further policies (DNS to the cluster DNS, its callers,
#     its dependencies).
package k8s.network.workload_default_deny

import data.lib.mlfence.k8s
import data.lib.mlfence.result

# Any object that runs pods. Objects created by a controller (ownerReferences) are skipped:
# their owner was checked. With nothing known about the namespace (no NetworkPolicy in the
# inventory at all) the rule fires: secure by default.
violation contains result.violation(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	k8s.kind != "Namespace"
	count(k8s.pod_templates(k8s.review_object)) > 0
	count(k8s.as_array(k8s.field(k8s.review_object, ["metadata", "ownerReferences"], []))) == 0
	gaps := k8s.default_deny_gaps(_policies)
	count(gaps) > 0
	msg := sprintf("%s runs pods in namespace %s, which has no effective default deny: %s; add %s", [
		k8s.resource, _namespace_text, concat("; ", sort(gaps)), k8s.default_deny_policy(_target),
	])
}

# Manifests without a namespace (a kustomize base) land in the namespace they are applied to,
# together with the NetworkPolicies written beside them without one: those are indexed as
# cluster-scoped by the CLI and conftest adapters.
default _policies := {}

_policies := _inventory.namespace[k8s.namespace]["networking.k8s.io/v1"].NetworkPolicy if k8s.namespace != ""

_policies := _inventory.cluster["networking.k8s.io/v1"].NetworkPolicy if k8s.namespace == ""

default _target := "<namespace>"

_target := k8s.namespace if k8s.namespace != ""

default _namespace_text := "(the one it is applied to)"

_namespace_text := k8s.namespace if k8s.namespace != ""

# Gatekeeper's synced objects; the CLI and conftest adapters build the same shape.
default _inventory := {}

_inventory := data.inventory
