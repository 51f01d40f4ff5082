# The objects that run the model's workloads, the workloads as records (ids and labels without
# their entries), the entries built from them, and the entry of one workload built alone. Part of
# lib.mlfence.connectivity, kept in its own file for size. An admission decision on one
# NetworkPolicy matches selectors against the labels of every workload of the namespaces in scope,
# but reads the entries of the few it judges.
package lib.mlfence.connectivity

import data.lib.mlfence.k8s

# workload_refs[ns] is workloads_in[ns] as [position, id, namespace, labels, object] (the
# position of the object that runs the workload in _workload_objects[ns]; the workload's id,
# namespace and labels as its entry has them), in the same order: what selectors are matched
# against at admission, without building the entry (its named ports, service account, kind, name
# and path; ~400 allocations per workload) of every workload of the namespaces in scope when the
# decision reads the entries of the few it judges (bare_workload).
# The built-in kinds with one template at spec.template (most workloads) are read inline, as
# workload_entries reads them (a function call per object cost ~150 allocations more); Kubeflow's
# training jobs have records of their own (_training_job_records: a null sixth element, their
# entries built when read); the objects left are asked for _template_entries (their records carry
# the entry as a sixth element, which bare_workload reads rather than build it again), and when
# there are some, the kinds of record are put back in the objects' order by their positions.
# regal ignore:prefer-set-or-object-rule
workload_refs := {ns: _distinct(ns, _in_order(fast, array.concat(jobs, slow))) |
	some ns, objs in _workload_objects
	fast := [[i, sprintf("%s/%s/%s", [ns, obj.kind, name]), ns, object.get({false: {}}, is_object(labels), labels), obj] |
		some i, obj in objs
		template := k8s.spec_template(obj)
		raw_name := object.get(obj, ["metadata", "name"], "")
		name := object.get({null: ""}, raw_name, raw_name)
		labels := object.get(template, ["metadata", "labels"], {})
	]
	jobs := [[i, id, ns, labels, obj, null] |
		count(fast) < count(objs) # most namespaces: none left
		some i, obj in objs
		some [id, labels] in _training_job_records(obj, ns)
	]
	slow := [[i, e.id, ns, e.labels, obj, e] |
		count(fast) < count(objs)
		read := {r[0] | some r in array.concat(fast, jobs)}
		count(read) < count(objs) # namespaces of jobs and built-in kinds only: none left
		some i, obj in objs
		not i in read
		some e in _template_entries(obj, ns)
	]
}

# _training_job_records(obj, ns) is [[id, labels]] of a Kubeflow training job's roles whose
# template has a spec, as _template_entries gives them (the role in the id when there are several;
# the labels the training operator adds, under the template's own), without building each role's
# entry (its containers with their paths, its named ports; ~1,300 allocations for a PyTorchJob of
# one role): at admission the few workloads judged are built from their object (record_entries).
_training_job_records(obj, ns) := [[id, labels] |
	some role, template in templates
	id := concat("#", array.concat([resource], [concat(".", [key, role]) | several]))
	labels := object.union(
		object.union_n([{
			"training.kubeflow.org/job-name": name,
			"training.kubeflow.org/replica-type": lower(split(role, ".")[0]),
		} |
			some name in job_name
		]),
		_template_labels(template),
	)
] if {
	key := k8s.replica_specs[obj.kind] # a lookup first: most objects left here are no training job
	replicas := obj.spec[key]
	is_object(replicas)
	k8s.api_group(obj) == "kubeflow.org"
	templates := {role: replica.template | some role, replica in replicas; is_object(replica.template.spec)}
	several := count(templates) > 1
	raw_name := object.get(obj, ["metadata", "name"], "")
	resource := sprintf("%s/%s/%s", [ns, obj.kind, object.get({null: ""}, raw_name, raw_name)])
	job_name := [obj.metadata.name | is_string(obj.metadata.name)] # the operator's label needs a name
}

# _workload_objects[ns] is the objects of namespace ns that run workloads of their own, in the
# order of the inventory: what workloads_in and workload_refs are built from.
# regal ignore:prefer-set-or-object-rule
_workload_objects := {ns: [obj |
	# every object of the namespace, walked here: a list of them is not needed.
	groups := _groups[ns]

	# The kinds synced beside the workloads run no pods (no pod template in pod_templates): skipped
	# by a lookup rather than asked for their templates, first a whole kind by its key (the
	# inventory files each object under its own kind, as Gatekeeper's sync does: the eleven
	# NetworkPolicies of a namespace in one test, not eleven), then each object by its own kind
	# (one filed under another kind's key is judged as before). (A literal, not a rule: a rule's
	# set is built again per decision, which costs more than the Namespaces of a cut it saves.)
	podless := {
		"NetworkPolicy", "Namespace", "Service", "Ingress", "AuthorizationPolicy", "PeerAuthentication",
		"CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy", "GlobalNetworkPolicy",
		"AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy",
		"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "SeldonConfig",
	}
	some kinds in groups
	is_object(kinds)
	some kind, objs in kinds
	not kind in podless
	is_object(objs)
	some obj in objs
	is_object(obj)
	not obj.kind in podless

	# An object a controller made (a Deployment's ReplicaSet and Pods, synced from a live cluster)
	# stands for its owner's pods, which the owner already counts: skipped when one of its
	# ownerReferences says controller: true. (Tested by an empty list, not `not _controlled(obj)`:
	# a negated call cost ~11 allocations per workload more.)
	[1 |
		refs := obj.metadata.ownerReferences
		is_array(refs)
		some ref in refs
		ref.controller == true
	] == []
] |
	some ns in _group_names
}

# _distinct(ns, records) is the records of namespace ns, but where objects of different API groups
# share a kind and a name (batch/v1's Job and Volcano's, a custom resource named like a built-in
# kind), each of them carries its group in its id, as kubectl spells it ("ns/Job.batch/train",
# "ns/Job.batch.volcano.sh/train"), and its entry with it: they are different workloads, with
# their own pods, and without it the admission path (workload_index, the last record of an id)
# and the model (workloads_in, every record) would see different ones. Two versions of one group
# (and extensions/v1beta1's legacy Deployment beside apps/v1's) stay one id: one object, the last
# record winning as before. Most namespaces have every id once: one set comprehension.
_distinct(ns, records) := records if {
	count({r[1] | some r in records}) == count(records)
} else := [_grouped_record(ns, r, clashing) | some r in records] if {
	clashing := {id |
		some id in {r[1] | some r in records}
		count({id_group(r[4]) | some r in records; r[1] == id}) > 1
	}
}

# _grouped_record(ns, r, clashing) is record r with its group in its id and its entry's when its id
# is among `clashing`; the group of the core API ("" : Pod, Service) is not written.
_grouped_record(ns, r, clashing) := [
	r[0], id, r[2], r[3], r[4],
	object.union(entry, {"id": id, "resource": resource}),
] if {
	r[1] in clashing
	group := id_group(r[4])
	group != ""
	id := grouped_id(ns, r[4].kind, group, r[1])
	some entry in record_entries(r)
	resource := grouped_id(ns, r[4].kind, group, entry.resource)
} else := r

# grouped_id(ns, kind, group, id) is a workload id ("ns/Kind/name", "ns/Kind/name#role") with
# "Kind.group" for its kind.
grouped_id(ns, kind, group, id) := concat("", [
	sprintf("%s/%s.%s/", [ns, kind, group]),
	trim_prefix(id, sprintf("%s/%s/", [ns, kind])),
])

# id_group(obj) is the API group an object's id is told apart by: its apiVersion's group, the
# legacy "extensions" counted as "apps", which serves the same workload kinds.
id_group(obj) := object.get({"extensions": "apps"}, group, group) if {
	group := k8s.api_group(obj)
}

# id_of(ns, obj, id) is the model's id of workload `id` that obj runs in namespace ns: `id`, or
# grouped_id's where _distinct told obj apart from an object of another group.
id_of(ns, obj, id) := grouped if {
	group := id_group(obj)
	group != ""
	grouped := grouped_id(ns, obj.kind, group, id)
	workload_index[grouped]
} else := id

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

# record_entries(r) is the workloads of a workload_refs record: the entry it carries, or its
# object's (built-in kinds read at spec.template: one entry, workload_entries' first path; a
# training job's role, whose record carries null: the entry of that role among the job's).
record_entries(r) := workload_entries(r[4], r[2]) if count(r) == 5

else := {r[5]} if is_object(r[5])

else := {w | some w in workload_entries(r[4], r[2]); w.id == r[1]} # a training job's role (null)

# bare_workload(id) is bare_workloads[id], built for that workload alone from its object's record
# (workload_index): an admission decision reads the entries of the few workloads it judges.
bare_workload(id) := w if {
	some w in record_entries(workload_index[id])
	w.id == id
}
