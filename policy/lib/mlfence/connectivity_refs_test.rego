# workload_refs, workload_index, workloads_in (built from the records) and bare_workload answer,
# on odd shapes, as the walk of every object's workload_entries does.
package lib.mlfence.connectivity_test

import data.lib.mlfence.connectivity

_template(labels) := {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": 80}]}]}}

_odd_workloads := [
	_deploy("a", "plain", {"app": "x"}),
	object.union(_deploy("a", "plain", {"app": "older"}), {"apiVersion": "extensions/v1beta1"}), # the same id twice
	_deploy("a", "nolabels", null),
	_deploy("a", "junk", "junk"),
	_deploy("a", "values", {"n": 1, "b": true, "z": null, "app": "x"}),
	{"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "nometa", "namespace": "a"}, "spec": {"template": {"spec": {}}}},
	{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "nullmeta", "namespace": "a"}, "spec": {"template": {"metadata": null, "spec": {}}}},
	{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "nospec", "namespace": "a"}, "spec": {"template": {"metadata": {"labels": {"app": "x"}}, "spec": null}}},
	{"apiVersion": "example.com/v1", "kind": "Deployment", "metadata": {"name": "plain", "namespace": "a"}, "spec": {"template": _template({"app": "x"})}},
	{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "namespace": "a"}, "spec": {"template": _template({"app": "batch"})}},
	{
		# Volcano's Job of one task: the name of the batch/v1 Job above, on the general path
		"apiVersion": "batch.volcano.sh/v1alpha1", "kind": "Job", "metadata": {"name": "j", "namespace": "a"},
		"spec": {"tasks": [{"name": "t", "template": _template({"app": "volcano"})}]},
	},
	{
		"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "ft", "namespace": "a"},
		"spec": {"pytorchReplicaSpecs": {
			"Master": {"template": _template({"app": "x"})},
			"Worker": {"template": {"spec": {"containers": [{"name": "c"}]}}},
		}},
	},
	{
		"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService",
		"metadata": {"name": "llm", "namespace": "a", "labels": {"team": "ml"}},
		"spec": {"predictor": {"containers": [{"name": "c"}]}},
	},
	{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "a", "labels": {"app": "x"}}, "spec": {"containers": [{"name": "c"}]}},
	{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "a"}, "data": {}},
	# training jobs of odd shapes (_training_job_records against _template_entries)
	{"apiVersion": "kubeflow.org/v1", "kind": "TFJob", "metadata": {"name": "one", "namespace": "k"}, "spec": {"tfReplicaSpecs": {
		"Chief": {"template": _template({"app": "tf", "training.kubeflow.org/replica-type": "mine"})},
		"PS": "junk", "Evaluator": {"template": {"metadata": "junk"}}, "Worker": {"template": {"metadata": {"labels": "junk"}, "spec": {}}},
		"a.b": {"template": {"metadata": null, "spec": {"containers": []}}},
	}}},
	{"apiVersion": "kubeflow.org/v1", "kind": "MPIJob", "metadata": {"name": 7, "namespace": "k"}, "spec": {"mpiReplicaSpecs": {"Launcher": {"template": _template(null)}}}},
	{"apiVersion": "kubeflow.org/v1", "kind": "JAXJob", "metadata": {"name": "none", "namespace": "k"}, "spec": {"jaxReplicaSpecs": {"Worker": {"template": {"spec": null}}}}},
	{"apiVersion": "example.com/v1", "kind": "PyTorchJob", "metadata": {"name": "other", "namespace": "k"}, "spec": {"pytorchReplicaSpecs": {"Master": {"template": _template({"app": "x"})}}}},
	{"apiVersion": "kubeflow.org/v1/x", "kind": "PaddleJob", "metadata": {"name": "odd", "namespace": "k"}, "spec": {"paddleReplicaSpecs": {"Master": {"template": _template({"app": "x"})}}}},
	_deploy("b", "other", {"app": "x"}),
	{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "only-volcano-like", "namespace": "b"}, "spec": {"template": {"spec": null}}},
	{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "base"}, "spec": {"template": _template({"app": "x"})}},
	{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b", "labels": {"team": "ml"}}},
]

# [workload_refs, workloads_in, workload_index, bare_workloads, bare_workload of each id] on the
# odd workloads (one `with`, one cache).
_refs_and_entries := {
	"refs": {ns: [[r[1], r[2], r[3]] | some r in list] | some ns, list in connectivity.workload_refs},
	"entries": {ns: [[w.id, w.namespace, w.labels] | some w in list] | some ns, list in connectivity.workloads_in},
	"model": connectivity.workloads_in,
	# the reference: every workload-running object's workload_entries, in the inventory's order,
	# with the ids the model tells apart by API group (id_of)
	"walk": {ns: [_grouped(w, connectivity.id_of(ns, obj, w.id)) |
		some obj in objs
		some w in connectivity.workload_entries(obj, ns)
	] |
		some ns, objs in connectivity._workload_objects
	},
	"index": {id: [r[2], r[3]] | some id, r in connectivity.workload_index},
	"carried": {id: r[5] | some id, r in connectivity.workload_index; is_object(r[5])},
	"jobs": {id | some id, r in connectivity.workload_index; count(r) == 6; is_null(r[5])},
	"bare": {id: [w.namespace, w.labels] | some id, w in connectivity.bare_workloads},
	"built": {id: connectivity.bare_workload(id) | some id, _ in connectivity.bare_workloads},
	"bare_whole": connectivity.bare_workloads,
}

# (The odd workloads told apart by group run one template each: their resource is their id.)
_grouped(w, id) := w if id == w.id

else := object.union(w, {"id": id, "resource": id})

test_workload_refs_are_the_entries_ids_and_labels_in_order if {
	found := _refs_and_entries with data.inventory as _inv(_odd_workloads)
	found.model == found.walk
	found.refs == found.entries
	found.index == found.bare
	found.built == found.bare_whole

	# entries carried by the records of _template_entries (the InferenceService's, the Pod's,
	# Volcano's Job's) and by the records told apart by group (both Jobs); the PyTorchJob's two
	# roles have records of their own (_training_job_records), their entries built when read
	count(found.carried) == 4
	found.carried["a/Pod/p"] == found.bare_whole["a/Pod/p"]

	# not vacuous: both paths are there; batch/v1's Job and Volcano's, one name in one namespace,
	# are two workloads with their groups in their ids (each with its own labels), where the
	# duplicate id of one group stays one, the last in the inventory's order winning (apps/v1
	# before extensions/v1beta1, whose Deployment is apps')
	count(found.entries.a) == 13
	found.bare["a/Job.batch/j"] == ["a", {"app": "batch"}]
	found.bare["a/Job.batch.volcano.sh/j"] == ["a", {"app": "volcano"}]
	not found.bare["a/Job/j"]
	found.built["a/Job.batch/j"].resource == "a/Job.batch/j"
	found.bare["a/Deployment/plain"] == ["a", {"app": "older"}]
	found.bare["/Deployment/base"] == ["", {"app": "x"}]

	# the training jobs: the roles with a spec only, the template's labels over the operator's,
	# no operator labels without a name that is a string; no records for other groups
	[r[0] | some r in found.refs.k] == [
		"k/MPIJob/%!s(int64=7)",
		"k/TFJob/one#tfReplicaSpecs.Chief", "k/TFJob/one#tfReplicaSpecs.Worker", "k/TFJob/one#tfReplicaSpecs.a.b",
	]
	found.bare["k/MPIJob/%!s(int64=7)"] == ["k", {}]
	found.bare["k/TFJob/one#tfReplicaSpecs.Chief"][1] == {"app": "tf", "training.kubeflow.org/job-name": "one", "training.kubeflow.org/replica-type": "mine"}
	found.bare["k/TFJob/one#tfReplicaSpecs.a.b"][1] == {"training.kubeflow.org/job-name": "one", "training.kubeflow.org/replica-type": "a"}
	found.jobs == {r[0] | some r in found.refs.k} | {"a/PyTorchJob/ft#pytorchReplicaSpecs.Master", "a/PyTorchJob/ft#pytorchReplicaSpecs.Worker"}
}
