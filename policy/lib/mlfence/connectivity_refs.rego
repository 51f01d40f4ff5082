# Admission's reads of the model's workloads: their ids and labels without their entries, and the
# entry of one workload built alone. Part of lib.mlfence.connectivity, kept in its own file for
# size. An admission decision on one NetworkPolicy matches selectors against the labels of every
# workload of the namespaces in scope, but reads the entries of the few it judges only.
package lib.mlfence.connectivity

import data.lib.mlfence.k8s
import data.lib.mlfence.selector

# workload_refs[ns] is workloads_in[ns] as [position, id, namespace, labels, object] (the
# position of the object that runs the workload in _workload_objects[ns]; the workload's id,
# namespace and labels as its entry has them), in the same order: what selectors are matched
# against at admission, without building the entry (its named ports, service account, kind, name
# and path; ~400 allocations per workload) of every workload of the namespaces in scope when the
# decision reads the entries of the few it judges (bare_workload).
# The built-in kinds with one template at spec.template (most workloads) are read inline, as
# workload_entries reads them (a function call per object cost ~150 allocations more); the
# objects they leave are asked for _template_entries (their records carry the entry as a sixth
# element, which bare_workload reads rather than build it again), and when there are some, both
# kinds of record are put back in the objects' order by their positions.
# regal ignore:prefer-set-or-object-rule
workload_refs := {ns: _in_order(fast, slow) |
	some ns, objs in _workload_objects
	fast := [[i, sprintf("%s/%s/%s", [ns, obj.kind, name]), ns, object.get({false: {}}, is_object(labels), labels), obj] |
		some i, obj in objs
		template := k8s.spec_template(obj)
		raw_name := object.get(obj, ["metadata", "name"], "")
		name := object.get({null: ""}, raw_name, raw_name)
		labels := object.get(template, ["metadata", "labels"], {})
	]
	slow := [[i, e.id, ns, e.labels, obj, e] |
		count(fast) < count(objs) # most namespaces: none left
		read := {r[0] | some r in fast}
		some i, obj in objs
		not i in read
		some e in _template_entries(obj, ns)
	]
}

# _in_order(fast, slow) is workload_refs' records of a namespace in the objects' order: an
# object's entries are ordered by id as workload_entries' set orders them, and a record's
# position, id, namespace and labels are those of its entry.
_in_order(fast, slow) := fast if slow == []

else := sort(array.concat(fast, slow))

# workload_index is {id: workload_refs' record of that id} (as in bare_workloads, the last of two
# entries of one id wins).
workload_index := object.union_n([{r[1]: r} |
	some list in workload_refs
	some r in list
])

# bare_workload(id) is bare_workloads[id], built for that workload alone from its object
# (workload_index); a record of _template_entries carries its entry (a sixth element).
bare_workload(id) := r[5] if {
	r := workload_index[id]
	count(r) == 6
} else := entries[count(entries) - 1] if {
	r := workload_index[id]
	entries := [e | some e in workload_entries(r[4], r[2]); e.id == id]
}

# rule_ref_pods(rule, direction, ns) is rule_pods(rule, direction, ns), the peers matched against
# workload_refs (each workload's labels) rather than workloads_in (its whole entry): at admission
# the pods of the reviewed policy's rules are found without building every workload of the
# namespaces in scope (connectivity_test.rego compares the two).
rule_ref_pods(rule, direction, ns) := "all" if count(_peers(rule, direction)) == 0

else := {id |
	some peer in _peers(rule, direction)
	some id in peer_refs(peer, ns)
}

# peer_refs(peer, ns) is peer_workloads(peer, ns), the same tests on workload_refs.
peer_refs(peer, ns) := {r[1] |
	some r in object.get(workload_refs, ns, [])
	selector.matches(peer.podSelector, r[3])
} if {
	is_object(peer)
	object.keys(peer) & {"ipBlock", "namespaceSelector"} == set()
	is_object(peer.podSelector)
} else := {r[1] |
	pods := object.get(peer, "podSelector", {})
	some other in _candidate_namespaces(peer.namespaceSelector)
	selector.matches(peer.namespaceSelector, namespaces[other])
	some r in object.get(workload_refs, other, [])
	_pods_match(pods, r[3])
} if {
	is_object(peer)
	not "ipBlock" in object.keys(peer)
	is_object(peer.namespaceSelector)
} else := set()
