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

import data.lib.mlfence.k8s
import data.lib.mlfence.selector

_kinds := {"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"}

# backends(inventory, namespace, pod_selector) is the set of {"ports": target ports (numbers
# and names), "service": "ns/name", "webhook": "Kind/name"} of the webhooks whose Service pods
# the pod selector of a policy in `namespace` selects: pods carrying the Service's selector
# labels and the labels the policy pins, which the policy's selector then accepts (pod labels
# are not in the inventory; a pod of that Service with those labels is assumed to exist).
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

# review_inventory is the part of data.inventory that backends reads for a policy of the reviewed
# object's namespace: the webhook configurations and that namespace's Services. Rules pass it
# rather than data.inventory: a function argument costs time in proportion to its size on every
# call (about 50 ms per admission decision for an inventory of 3,000 objects).
review_inventory := {
	"cluster": {"admissionregistration.k8s.io/v1": _inventory_configs},
	"namespace": {k8s.namespace: {"v1": {"Service": _inventory_services}}},
}

default _inventory_configs := {}

_inventory_configs := _inventory.cluster["admissionregistration.k8s.io/v1"]

default _inventory_services := {}

_inventory_services := _inventory.namespace[k8s.namespace].v1.Service

# Gatekeeper's synced objects; the CLI and conftest adapters build the same shape.
default _inventory := {}

_inventory := data.inventory

_configs(inventory, kind) := inventory.cluster["admissionregistration.k8s.io/v1"][kind]

# The Service port the webhook calls (clientConfig.service.port, default 443) forwards to its
# targetPort (default: the same number).
_target_ports(service, ref) := {object.get(entry, "targetPort", entry.port) |
	some entry in _array(service.spec.ports)
	entry.port == _called_port(ref)
}

_called_port(ref) := ref.port if is_number(ref.port)

else := 443

# The labels the selector pins: matchLabels, and `In` expressions with one value (Knative's
# policies write {key: role, operator: In, values: [net-istio-webhook]}).
_match_labels(pod_selector) := object.union(_pinned(pod_selector), _exact(pod_selector))

_exact(pod_selector) := pod_selector.matchLabels if is_object(pod_selector.matchLabels)

else := {}

# A key two such expressions pin to different values (a valid selector that matches no pod) is not
# pinned: an object built from both would be a conflict error, and the selector itself, checked
# against the assumed labels afterwards, still turns that pod down.
_pinned(pod_selector) := {key: value |
	pins := _pins(pod_selector)
	some key in {pin[0] | some pin in pins}
	values := {pin[1] | some pin in pins; pin[0] == key}
	count(values) == 1
	some value in values
}

_pins(pod_selector) := {[e.key, e.values[0]] |
	some e in _array(pod_selector.matchExpressions)
	e.operator == "In"
	is_string(e.key)
	count(_array(e.values)) == 1
}

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
		opens(entry.port, backend.ports)
	}
}

# opens(port, target_ports) holds when a policy's port may be one of the backend's target ports.
opens(port, target_ports) if port in target_ports

# A named targetPort resolves against the pods' containerPorts, which the inventory does not
# hold: a numbered rule port may be that port (Kubeflow's kserve policy opens 9443 for the
# targetPort named webhook-server).
opens(port, target_ports) if {
	is_number(port)
	some target in target_ports
	is_string(target)
}
