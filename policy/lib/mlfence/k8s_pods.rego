# Where each kind keeps its pods: built-in workloads and the ML platforms' custom resources
# (Kubeflow, Kubeflow Trainer, JobSet, LeaderWorkerSet, KServe, Seldon, KubeRay, Argo, Volcano).
# Part of lib.mlfence.k8s, kept in its own file for size.
package lib.mlfence.k8s

# --- containers --------------------------------------------------------------------------------

# containers(spec) is the set of {"path", "container"} of a pod spec's containers, init
# containers and ephemeral containers; paths are relative to the spec ("initContainers[0]").
# The three list names are written out here and in _entry and _template_at: a literal costs
# nothing, a rule holding them is evaluated once per query.
containers(spec) := {{"path": sprintf("%s[%d]", [list, i]), "container": c} |
	is_object(spec)
	some list in ["containers", "initContainers", "ephemeralContainers"]
	cs := spec[list]
	is_array(cs)
	some i, c in cs
	is_object(c)
}

# --- pod templates -------------------------------------------------------------------------------
# pod_templates(obj) is the set of every pod the object would run, as
#   {"path": where the pod spec is, "spec": the pod spec, "metadata": the pod's labels and
#    annotations, "metadata_path", "partial": true for fragments that do not say everything
#    about the pod (overrides, patches, runtimes), "containers": {"path", "container"} with
#    paths from the object's root}.
# Rules that check for a value's presence read every entry; rules that check for a value's
# absence (a missing serviceAccountName) skip partial ones. Gatekeeper's ExpansionTemplate
# cannot reach list-nested templates (Ray worker groups, JobSet replicated jobs), so every
# ML kind is known here.
pod_templates(obj) := _templates_of(family, obj) if {
	family := _kind_family[obj.kind]
} else := set()

# kind_groups names lists of kinds that rule METADATA refers to (custom.kind_groups) instead of
# copying them; mlfence.catalog resolves the names, in the order reports list them.
# "pod-workloads" is every kind whose pods this library extracts; "running-workloads" leaves out
# the templates and runtimes, which describe pods but run none themselves.
kind_groups := {
	"pod-workloads": _pod_kind_order,
	"running-workloads": [kind | some kind in _pod_kind_order; not kind in _template_kinds],
}

_template_kinds := {
	"TrainingRuntime", "ClusterTrainingRuntime", "ServingRuntime", "ClusterServingRuntime",
	"WorkflowTemplate", "ClusterWorkflowTemplate",
}

# _kind_family is kind -> extractor for every kind that runs pods: each kind is looked for only
# where it can be, one extractor per object. An object literal, because pod_templates looks the
# kind up for every workload of every decision: a literal costs a lookup, where a rule built
# from a list of pairs ran through the list each time (~140 allocations per kind per query).
# Every kind an extractor below knows is listed (tests/test_kinds.py keeps it complete), and so
# is every kind of _pod_kind_order (test_kind_order_lists_every_family_kind).
_kind_family := {
	"Pod": "pod",
	"Deployment": "templated",
	"StatefulSet": "templated",
	"DaemonSet": "templated",
	"ReplicaSet": "templated",
	"ReplicationController": "templated",
	"Job": "job",
	"CronJob": "cronjob",
	"PyTorchJob": "kubeflow",
	"TFJob": "kubeflow",
	"XGBoostJob": "kubeflow",
	"PaddleJob": "kubeflow",
	"JAXJob": "kubeflow",
	"MXJob": "kubeflow",
	"MPIJob": "kubeflow",
	"TrainJob": "trainjob",
	"TrainingRuntime": "trainingruntime",
	"ClusterTrainingRuntime": "trainingruntime",
	"JobSet": "jobset",
	"LeaderWorkerSet": "leaderworkerset",
	"InferenceService": "inferenceservice",
	"ServingRuntime": "servingruntime",
	"ClusterServingRuntime": "servingruntime",
	"SeldonDeployment": "seldon",
	"RayCluster": "ray",
	"RayJob": "rayjob",
	"RayService": "ray",
	"Notebook": "notebook",
	"Workflow": "argo",
	"WorkflowTemplate": "argo",
	"ClusterWorkflowTemplate": "argo",
	"CronWorkflow": "argo",
}

# The kinds of _kind_family in the order reports list them (kind_groups).
_pod_kind_order := [
	"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob",
	"PyTorchJob", "TFJob", "XGBoostJob", "PaddleJob", "JAXJob", "MXJob", "MPIJob",
	"TrainJob", "TrainingRuntime", "ClusterTrainingRuntime", "JobSet", "LeaderWorkerSet",
	"InferenceService", "ServingRuntime", "ClusterServingRuntime", "SeldonDeployment",
	"RayCluster", "RayJob", "RayService", "Notebook",
	"Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow",
]

# pod_specs(obj) is the set of {"path", "spec"} for every pod spec the object would run.
pod_specs(obj) := {{"path": t.path, "spec": t.spec} | some t in pod_templates(obj)}

# pod_containers(obj) is the set of {"path", "container"} of every container of every pod.
pod_containers(obj) := {c |
	some t in pod_templates(obj)
	some c in t.containers
}

# pod_metadata(obj) is the set of {"path", "metadata"} of every place that sets the labels and
# annotations of the object's pods (Argo templates and KServe objects have several).
pod_metadata(obj) := _extra_metadata(obj) | {{"path": t.metadata_path, "metadata": t.metadata} |
	some t in pod_templates(obj)
}

# _entry(...) is a pod entry (see pod_templates); extra is containers found outside the spec.
# The containers comprehension is written here and in _template_at rather than called: a call
# costs more than the comprehension for the one or two containers most pods have.
_entry(path, spec, metadata, metadata_path, partial, extra) := {
	"path": path,
	"spec": spec,
	"metadata": object_or_empty(metadata),
	"metadata_path": metadata_path,
	"partial": partial,
	"containers": ({{"path": sprintf("%s.%s[%d]", [path, list, i]), "container": c} |
		is_object(spec)
		some list in ["containers", "initContainers", "ephemeralContainers"]
		cs := spec[list]
		is_array(cs)
		some i, c in cs
		is_object(c)
	} | extra),
}

# _template_at(path, metadata_path, template) is the entry of a PodTemplateSpec whose spec is at
# path and metadata at metadata_path: _entry without the calls its other callers need (every
# Deployment of every decision comes through here). Callers spell both paths, as literals or
# two sprintf calls, which cost less than one path and two concat calls.
_template_at(path, metadata_path, template) := {
	"path": path,
	"spec": spec,
	"metadata": _object_at(template, "metadata"),
	"metadata_path": metadata_path,
	"partial": false,
	"containers": {{"path": sprintf("%s.%s[%d]", [path, list, i]), "container": c} |
		some list in ["containers", "initContainers", "ephemeralContainers"]
		cs := spec[list]
		is_array(cs)
		some i, c in cs
		is_object(c)
	},
} if {
	spec := template.spec
	is_object(spec)
}

# _object_at(obj, key) is obj[key] when it is an object, else {}.
_object_at(obj, key) := value if {
	value := obj[key]
	is_object(value)
} else := {}

# A bare Pod is its own template: spec and metadata at the root.
_templates_of("pod", obj) := {e |
	_builtin(obj, {""})
	e := _template_at("spec", "metadata", obj)
}

_templates_of("templated", obj) := {e |
	_builtin(obj, _templated_kinds[obj.kind])
	e := _template_at("spec.template.spec", "spec.template.metadata", obj.spec.template)
}

_templates_of("job", obj) := {e |
	_builtin(obj, {"batch"})
	e := _template_at("spec.template.spec", "spec.template.metadata", obj.spec.template)
} | {e |
	# Volcano's Job shares its kind name with batch/v1 Job; only the group tells them apart.
	api_group(obj) == "batch.volcano.sh"
	some i, task in as_array(obj.spec.tasks)
	e := _template_at(
		sprintf("spec.tasks[%d].template.spec", [i]), sprintf("spec.tasks[%d].template.metadata", [i]),
		task.template,
	)
}

_templates_of("cronjob", obj) := {e |
	_builtin(obj, {"batch"})
	e := _template_at(
		"spec.jobTemplate.spec.template.spec", "spec.jobTemplate.spec.template.metadata",
		obj.spec.jobTemplate.spec.template,
	)
}

_templates_of("notebook", obj) := {e |
	api_group(obj) == "kubeflow.org"
	e := _template_at("spec.template.spec", "spec.template.metadata", obj.spec.template)
}

_templates_of("kubeflow", obj) := _kubeflow(obj)

_templates_of("trainjob", obj) := _trainjob_overrides(obj) | _trainjob_parts(obj)

_templates_of("trainingruntime", obj) := {e |
	api_group(obj) == "trainer.kubeflow.org"
	some e in _replicated_jobs("spec.template.spec", obj.spec.template.spec)
}

_templates_of("jobset", obj) := {e |
	api_group(obj) == "jobset.x-k8s.io"
	some e in _replicated_jobs("spec", obj.spec)
}

_templates_of("leaderworkerset", obj) := _lws(obj)

_templates_of("ray", obj) := _ray(obj)

_templates_of("rayjob", obj) := _ray(obj) | _ray_submitter(obj)

_templates_of("inferenceservice", obj) := _kserve_components(obj) | _kserve_workers(obj)

_templates_of("servingruntime", obj) := _kserve_workers(obj) | _serving_runtime(obj)

_templates_of("seldon", obj) := _seldon(obj)

_templates_of("argo", obj) := _argo(obj)

# Built-in workload kinds sharing the PodTemplateSpec at spec.template, and their groups.
_templated_kinds := {
	"Deployment": {"apps", "extensions"},
	"StatefulSet": {"apps"},
	"DaemonSet": {"apps", "extensions"},
	"ReplicaSet": {"apps", "extensions"},
	"ReplicationController": {""},
}

# Kubeflow Training Operator jobs: a map from replica type (Master, Worker, PS, Launcher...)
# to a replica spec holding a pod template.
# replica_specs is {kind: the key of its replica specs} of Kubeflow's training jobs (kubeflow.org):
# read by the connectivity model's workload records as well (connectivity_refs.rego).
replica_specs := {
	"PyTorchJob": "pytorchReplicaSpecs",
	"TFJob": "tfReplicaSpecs",
	"XGBoostJob": "xgbReplicaSpecs",
	"PaddleJob": "paddleReplicaSpecs",
	"JAXJob": "jaxReplicaSpecs",
	"MXJob": "mxReplicaSpecs",
	"MPIJob": "mpiReplicaSpecs",
}

_kubeflow(obj) := {e |
	api_group(obj) == "kubeflow.org"
	key := replica_specs[obj.kind]
	replicas := obj.spec[key]
	is_object(replicas)
	some role, replica in replicas
	e := _template_at(
		sprintf("spec.%s.%s.template.spec", [key, role]), sprintf("spec.%s.%s.template.metadata", [key, role]),
		replica.template,
	)
}

# Kubeflow Trainer's TrainJob: its overrides and trainer/initializer settings are fragments
# merged into the pods of the runtime (a JobSet template) it names.
_trainjob_overrides(obj) := {e |
	api_group(obj) == "trainer.kubeflow.org"
	some i, override in as_array(obj.spec.podTemplateOverrides)
	is_object(override.spec)
	path := sprintf("spec.podTemplateOverrides[%d]", [i])
	metadata := object.get(override, "metadata", {})
	e := _entry(concat(".", [path, "spec"]), override.spec, metadata, concat(".", [path, "metadata"]), true, set())
}

# The trainer and the initializers carry image, env and resources: containers of a kind.
_trainjob_parts(obj) := {e |
	api_group(obj) == "trainer.kubeflow.org"
	some path, steps in {
		"spec.trainer": ["spec", "trainer"],
		"spec.initializer.dataset": ["spec", "initializer", "dataset"],
		"spec.initializer.model": ["spec", "initializer", "model"],
	}
	part := object.get(obj, steps, null)
	is_object(part)
	e := _entry(path, {}, {}, path, true, {{"path": path, "container": part}})
}

_lws(obj) := {e |
	api_group(obj) == "leaderworkerset.x-k8s.io"
	some role in ["leaderTemplate", "workerTemplate"]
	e := _template_at(
		sprintf("spec.leaderWorkerTemplate.%s.spec", [role]), sprintf("spec.leaderWorkerTemplate.%s.metadata", [role]),
		obj.spec.leaderWorkerTemplate[role],
	)
}

_replicated_jobs(prefix, spec) := {e |
	some i, job in as_array(spec.replicatedJobs)
	e := _template_at(
		sprintf("%s.replicatedJobs[%d].template.spec.template.spec", [prefix, i]),
		sprintf("%s.replicatedJobs[%d].template.spec.template.metadata", [prefix, i]),
		job.template.spec.template,
	)
}

# KubeRay: a RayCluster spec stands alone or inside a RayJob / RayService.
_ray(obj) := {e |
	api_group(obj) == "ray.io"
	steps := _ray_clusters[obj.kind]
	cluster := object.get(obj, steps, null)
	is_object(cluster)
	some e in _ray_cluster(concat(".", steps), cluster)
}

# A RayJob's submitter pod, beside its cluster.
_ray_submitter(obj) := {e |
	api_group(obj) == "ray.io"
	e := _template_at(
		"spec.submitterPodTemplate.spec", "spec.submitterPodTemplate.metadata",
		obj.spec.submitterPodTemplate,
	)
}

# Where each KubeRay kind keeps its RayCluster spec.
_ray_clusters := {
	"RayCluster": ["spec"],
	"RayJob": ["spec", "rayClusterSpec"],
	"RayService": ["spec", "rayClusterConfig"],
}

_ray_cluster(prefix, cluster) := {e |
	e := _template_at(
		sprintf("%s.headGroupSpec.template.spec", [prefix]), sprintf("%s.headGroupSpec.template.metadata", [prefix]),
		cluster.headGroupSpec.template,
	)
} | {e |
	some i, group in as_array(cluster.workerGroupSpecs)
	e := _template_at(
		sprintf("%s.workerGroupSpecs[%d].template.spec", [prefix, i]),
		sprintf("%s.workerGroupSpecs[%d].template.metadata", [prefix, i]),
		group.template,
	)
}

# KServe components are pod specs inline, plus container-like framework and model specs;
# their pod labels and annotations sit on the component. Seldon's componentSpecs are pod
# templates.
_kserve_containers := [
	"model", "sklearn", "xgboost", "tensorflow", "pytorch", "triton", "onnx", "huggingface",
	"lightgbm", "paddle", "pmml", "art", "alibi",
]

_kserve_components(obj) := {e |
	api_group(obj) == "serving.kserve.io"
	some component in ["predictor", "transformer", "explainer"]
	spec := obj.spec[component]
	is_object(spec)
	path := sprintf("spec.%s", [component])
	extra := {{"path": sprintf("%s.%s", [path, key]), "container": part} |
		some key, part in spec # the component's few keys, not the 13 names: most are absent
		key in _kserve_containers
		is_object(part)
	}
	meta := {"labels": object.get(spec, "labels", {}), "annotations": object.get(spec, "annotations", {})}
	e := _entry(path, spec, meta, path, false, extra)
}

# The worker specs of an InferenceService and of serving runtimes (multi-node serving).
_kserve_workers(obj) := {e |
	api_group(obj) == "serving.kserve.io"
	some steps in [["spec", "predictor", "workerSpec"], ["spec", "workerSpec"]]
	worker := object.get(obj, steps, null)
	is_object(worker)
	path := concat(".", steps)
	e := _entry(path, worker, {}, path, true, set())
}

# A serving runtime is the pod spec of every InferenceService that uses it, minus the
# service account, which comes from the InferenceService.
_serving_runtime(obj) := {e |
	api_group(obj) == "serving.kserve.io"
	is_object(obj.spec)
	meta := {"labels": object.get(obj.spec, "labels", {}), "annotations": object.get(obj.spec, "annotations", {})}
	e := _entry("spec", obj.spec, meta, "spec", true, set())
}

_seldon(obj) := {e |
	api_group(obj) == "machinelearning.seldon.io"
	some i, predictor in as_array(obj.spec.predictors)
	some j, component in as_array(predictor.componentSpecs)
	e := _template_at(
		sprintf("spec.predictors[%d].componentSpecs[%d].spec", [i, j]),
		sprintf("spec.predictors[%d].componentSpecs[%d].metadata", [i, j]),
		component,
	)
}

# Argo Workflows: pod-level settings (hostNetwork, serviceAccountName, dnsPolicy...) live in
# the workflow spec and apply to every step pod; containers live in the templates. The spec is
# one pod entry whose containers are gathered from every template, and each podSpecPatch (a
# YAML or JSON string merged into the pods) is a partial entry of its own.
_argo_kinds := {"Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate"}

_argo_spec(obj) := ["spec", obj.spec] if {
	obj.kind in _argo_kinds
	api_group(obj) == "argoproj.io"
	is_object(obj.spec)
} else := ["spec.workflowSpec", obj.spec.workflowSpec] if {
	obj.kind == "CronWorkflow"
	api_group(obj) == "argoproj.io"
	is_object(obj.spec.workflowSpec)
}

_argo(obj) := {_argo_entry(prefix, spec)} | {e |
	some path, patch in _argo_patches(prefix, spec)
	e := _entry(path, patch, {}, path, true, set())
} if {
	[prefix, spec] := _argo_spec(obj)
} else := set()

_argo_entry(prefix, spec) := _entry(
	prefix, _argo_pod_spec(spec), object.get(spec, "podMetadata", {}), concat(".", [prefix, "podMetadata"]),
	false, _argo_containers(prefix, spec),
)

# The service account of the step pods: the workflow's, or, when it names none, the one every
# pod-producing template names itself (templates may each run as their own account).
_argo_pod_spec(spec) := spec if is_string(spec.serviceAccountName)

else := object.union(spec, {"serviceAccountName": accounts[0]}) if {
	steps := [t | some t in as_array(spec.templates); _argo_runs_pod(t)]
	accounts := [t.serviceAccountName | some t in steps; is_string(t.serviceAccountName)]
	count(steps) > 0
	count(accounts) == count(steps)
} else := spec

_argo_runs_pod(template) if is_object(template.container)

_argo_runs_pod(template) if is_object(template.script)

_argo_runs_pod(template) if is_object(template.containerSet)

_argo_containers(prefix, spec) := ({{"path": sprintf("%s.templates[%d].%s", [prefix, i, key]), "container": t[key]} |
	some i, t in as_array(spec.templates)
	some key in ["container", "script"]
	is_object(t[key])
} | {{"path": sprintf("%s.templates[%d].%s[%d]", [prefix, i, list, j]), "container": c} |
	some i, t in as_array(spec.templates)
	some list in ["initContainers", "sidecars"]
	some j, c in as_array(t[list])
	is_object(c)
}) | {{"path": sprintf("%s.templates[%d].containerSet.containers[%d]", [prefix, i, j]), "container": c} |
	some i, t in as_array(spec.templates)
	some j, c in as_array(t.containerSet.containers)
	is_object(c)
}

_argo_patches(prefix, spec) := {path: patch |
	some path, text in object.union(
		{concat(".", [prefix, "podSpecPatch"]): object.get(spec, "podSpecPatch", null)},
		{sprintf("%s.templates[%d].podSpecPatch", [prefix, i]): t.podSpecPatch | some i, t in as_array(spec.templates)},
	)
	is_string(text)
	yaml.is_valid(text)
	patch := yaml.unmarshal(text)
	is_object(patch)
}

# Pod metadata set outside the pod entries: each Argo template's metadata, and a KServe
# object's own metadata, whose labels and annotations KServe copies onto the pods.
_extra_metadata(obj) := {{"path": sprintf("%s.templates[%d].metadata", [prefix, i]), "metadata": t.metadata} |
	[prefix, spec] := _argo_spec(obj)
	some i, t in as_array(spec.templates)
	is_object(t.metadata)
} | {{"path": "metadata", "metadata": obj.metadata} |
	obj.kind in {"InferenceService", "ServingRuntime", "ClusterServingRuntime"}
	api_group(obj) == "serving.kserve.io"
	is_object(obj.metadata)
}
