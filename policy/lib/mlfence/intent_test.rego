package lib.mlfence.intent_test

import data.lib.mlfence.intent

test_gaps if {
	intent.gaps(1, 10, []) == {{"from": 1, "to": 10}}
	intent.gaps(1, 10, [{"from": 3, "to": 4}, {"from": 5, "to": 6}]) == {{"from": 1, "to": 2}, {"from": 7, "to": 10}}
	intent.gaps(5000, 5000, [{"from": 1, "to": 65535}]) == set()
	intent.gaps(1, 65535, [{"from": 53, "to": 53}]) == {{"from": 1, "to": 52}, {"from": 54, "to": 65535}}
}

test_declared_ranges if {
	intent.declared_ranges({"ports": [5000, "8000-8100", {"port": 53, "protocol": "UDP"}, {"port": 29500, "endPort": 29501}]}) == [
		{"protocol": "TCP", "from": 5000, "to": 5000},
		{"protocol": "TCP", "from": 8000, "to": 8100},
		{"protocol": "UDP", "from": 53, "to": 53},
		{"protocol": "TCP", "from": 29500, "to": 29501},
	]
	count(intent.declared_ranges({})) == 3
}

test_membership if {
	w := {"id": "x", "namespace": "ml", "namespace_known": true, "labels": {"app": "a"}}
	intent.in_component({"name": "c", "namespaces": ["ml"]}, w)
	intent.in_component({"name": "c", "namespaces": ["ml"], "pods": {"matchLabels": {"app": "a"}}}, w)
	not intent.in_component({"name": "c", "namespaces": ["ml"], "pods": {"matchLabels": {"app": "b"}}}, w)
	not intent.in_component({"name": "c", "namespaces": ["other"]}, w)
	intent.in_component({"name": "c", "namespace_selector": {"matchLabels": {"kubernetes.io/metadata.name": "ml"}}}, w)
	not intent.in_component({"name": "c"}, object.union(w, {"namespace_known": false}))
}
