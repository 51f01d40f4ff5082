# METADATA
# title: Declared component matches no workload
# description: >-
#   A component of the declared flows (`flows.components` in .mlfence.yaml) names this namespace
#   but none of the workloads in the inventory belongs to it: its selectors are probably wrong
#   (a misspelt label), so the flows declared for it protect nothing.
# custom:
#   id: MLF-K8S-062
#   long_id: k8s-component-without-workloads
#   severity: low
#   target: kubernetes
#   kinds: [Namespace]
#   recommended_action: >-
#     Correct the component's namespaces, namespace_selector or pods selector so that it selects
#     the component's workloads, or remove the component.
package mlfence.k8s.intent.component_without_workloads

import data.lib.mlfence.intent
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.warning(rego.metadata.chain(), k8s.resource, msg) if {
	some name in intent.empty_components
	msg := sprintf("component %s names Namespace %s but matches no workload", [name, k8s.name])
}
