package lib.mlfence.selector_test

import data.lib.mlfence.selector

test_match_labels if {
	selector.matches({"matchLabels": {"app": "a"}}, {"app": "a", "x": "y"})
	not selector.matches({"matchLabels": {"app": "a"}}, {"app": "b"})
	not selector.matches({"matchLabels": {"app": "a"}}, {})
}

test_empty_selector_selects_everything if {
	selector.matches({}, {})
	selector.matches({"matchLabels": null, "matchExpressions": null}, {"a": "b"})
	selector.is_empty({})
	selector.is_empty({"matchLabels": {}})
	not selector.is_empty({"matchLabels": {"a": "b"}})
}

test_expressions if {
	selector.matches({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]}, {"tier": "b"})
	not selector.matches({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]}, {})
	selector.matches({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["a"]}]}, {})
	selector.matches({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["a"]}]}, {"tier": "b"})
	not selector.matches({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["a"]}]}, {"tier": "a"})
	selector.matches({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, {"tier": ""})
	not selector.matches({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, {})
	selector.matches({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, {})
	not selector.matches({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, {"tier": "a"})
	not selector.matches({"matchExpressions": [{"key": "tier", "operator": "Bogus"}]}, {"tier": "a"})
}

test_malformed_selectors_select_nothing if {
	not selector.matches(null, {})
	not selector.matches("x", {})
	not selector.matches({"matchLabels": "x"}, {})
	not selector.matches({"matchExpressions": "x"}, {})
	not selector.matches({}, "labels")
}

test_requires if {
	selector.requires({"matchLabels": {"a": "b"}}, "a", "b")
	selector.requires({"matchExpressions": [{"key": "a", "operator": "In", "values": ["b"]}]}, "a", "b")
	not selector.requires({"matchExpressions": [{"key": "a", "operator": "In", "values": ["b", "c"]}]}, "a", "b")
	not selector.requires({}, "a", "b")
	selector.requires_all({"matchLabels": {"a": "b", "c": "d"}}, {"a": "b"})
	selector.requires_all({}, {})
	not selector.requires_all({"matchLabels": {"a": "b"}}, {"a": "b", "c": "d"})
}

test_peer_selects if {
	pod := {"namespace": "ml", "labels": {"app": "x"}, "namespace_labels": selector.namespace_labels("ml", {"team": "t"})}
	selector.peer_selects({"podSelector": {"matchLabels": {"app": "x"}}}, "ml", pod)
	not selector.peer_selects({"podSelector": {"matchLabels": {"app": "x"}}}, "other", pod)
	selector.peer_selects({"namespaceSelector": {"matchLabels": {"team": "t"}}}, "other", pod)
	selector.peer_selects({"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ml"}}, "podSelector": {"matchLabels": {"app": "x"}}}, "other", pod)
	not selector.peer_selects({"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "y"}}}, "ml", pod)
	not selector.peer_selects({"ipBlock": {"cidr": "10.0.0.0/8"}}, "ml", pod)
	not selector.peer_selects("x", "ml", pod)
}
