# METADATA
# description: |
#   Admission webhook backends. The API server calls a webhook through the Service its
#   ValidatingWebhookConfiguration or MutatingWebhookConfiguration names (clientConfig.service:
#   namespace, name, port, default 443); the Service forwards to the targetPort of its pods. The
#   API server is not a pod: no NetworkPolicy selector can name it, so a policy that isolates a
#   webhook's pods must admit it by address (the control_plane_cidrs parameter) or from anyone.
#   Reads the webhook configurations and Services of data.inventory (synced by Gatekeeper,
#   built from the scanned objects by the CLI and conftest --combine).
package lib.mlfence.webhooks

import data.lib.mlfence.selector

_kinds := {"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"}

# backends(inventory, namespace, pod_selector) is the set of {"ports": target ports (numbers
# and names), "service": "ns/name", "webhook": "Kind/name"} of the webhooks whose Service pods
# the pod selector of a policy in `namespace` selects: pods carrying the Service's selector
# labels and the policy's own matchLabels, which the policy's selector then accepts.
backends(inventory, namespace, pod_selector) := {{
	"ports": _target_ports(service, ref),
	"service": concat("/", [namespace, ref.name]),
	"webhook": concat("/", [kind, name]),
} |
	some kind in _kinds
	some name, config in _configs(inventory, kind)
	some hook in _array(config.webhooks)
	ref := hook.clientConfig.service
	ref.namespace == namespace
	is_string(ref.name)
	service := inventory.namespace[namespace].v1.Service[ref.name]
	pod_labels := service.spec.selector
	is_object(pod_labels)
	count(pod_labels) > 0
	selector.matches(pod_selector, object.union(_match_labels(pod_selector), pod_labels))
}

_configs(inventory, kind) := inventory.cluster["admissionregistration.k8s.io/v1"][kind]

# The Service port the webhook calls (clientConfig.service.port, default 443) forwards to its
# targetPort (default: the same number).
_target_ports(service, ref) := {object.get(entry, "targetPort", entry.port) |
	some entry in _array(service.spec.ports)
	entry.port == _called_port(ref)
}

_called_port(ref) := ref.port if is_number(ref.port)

else := 443

_match_labels(pod_selector) := pod_selector.matchLabels if is_object(pod_selector.matchLabels)

else := {}

_array(x) := x if is_array(x)

else := []

# serves_only(rule, backends) holds when an ingress rule lists ports and each is a target port of
# one of the backends: the rule opens the webhook endpoints and nothing else.
serves_only(rule, found) if {
	ports := _array(rule.ports)
	count(ports) > 0
	every entry in ports {
		is_object(entry)
		some backend in found
		entry.port in backend.ports
	}
}
