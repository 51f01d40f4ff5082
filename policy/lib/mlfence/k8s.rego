# METADATA
# description: |
#   Kubernetes object helpers. Rules read the object from Gatekeeper's input shape
#   (input.review.object); the conftest and bundle adapters build that shape, so these helpers
#   are the only place that knows where the object lives.
package lib.mlfence.k8s

import data.lib.mlfence.config

# The object under review, or {} when the input carries none.
default review_object := {}

review_object := input.review.object if is_object(input.review.object)

default kind := ""

kind := review_object.kind if is_string(review_object.kind)

default name := ""

name := review_object.metadata.name if is_string(review_object.metadata.name)

# The object's namespace; AdmissionReview requests also carry it beside the object.
default namespace := ""

namespace := review_object.metadata.namespace if {
	is_string(review_object.metadata.namespace)
} else := input.review.namespace if {
	is_string(input.review.namespace)
}

# A stable reference for findings and exemptions: "namespace/Kind/name".
resource := sprintf("%s/%s/%s", [namespace, kind, name])

# in_scope holds unless the object lives in one of the configured system namespaces.
# Cluster-scoped objects and objects without a namespace are in scope: secure by default.
in_scope if not namespace in {ns | some ns in config.value("system_namespaces")}

# field(obj, path, fallback) is obj at path when every step is an object, else fallback.
# Rules use it instead of object.get so that a wrong type anywhere never raises an error.
field(obj, path, fallback) := value if {
	value := object.get(obj, path, fallback)
	is_object(obj)
} else := fallback

_templated_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}

# pod_specs(obj) is the set of {"path", "spec"} for every pod spec the object would run.
pod_specs(obj) := ({{"path": "spec", "spec": obj.spec} |
	obj.kind == "Pod"
	is_object(obj.spec)
} | {{"path": "spec.template.spec", "spec": spec} |
	obj.kind in _templated_kinds
	spec := obj.spec.template.spec
	is_object(spec)
}) | {{"path": "spec.jobTemplate.spec.template.spec", "spec": spec} |
	obj.kind == "CronJob"
	spec := obj.spec.jobTemplate.spec.template.spec
	is_object(spec)
}

# policy_types(policy) is the effective set of policy types of a NetworkPolicy, applying the
# API's defaulting: Ingress always, Egress only when egress rules are present.
policy_types(policy) := {t | some t in policy.spec.policyTypes} if {
	is_array(policy.spec.policyTypes)
	count(policy.spec.policyTypes) > 0
} else := {"Ingress", "Egress"} if {
	is_array(policy.spec.egress)
} else := {"Ingress"}

# egress_rules(policy) is the list of egress rules that take effect.
egress_rules(policy) := policy.spec.egress if {
	"Egress" in policy_types(policy)
	is_array(policy.spec.egress)
} else := []
