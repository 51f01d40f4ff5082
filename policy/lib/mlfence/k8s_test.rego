package lib.mlfence.k8s_test

import data.lib.mlfence.k8s

_pod_spec(name) := {"containers": [{"name": name, "image": "img"}]}

_tmpl(name) := {"metadata": {"labels": {"app": name}}, "spec": _pod_spec(name)}

_paths(obj) := {t.path | some t in k8s.pod_specs(obj)}

_container_paths(obj) := {c.path | some c in k8s.pod_containers(obj)}

test_builtin_workloads if {
	_paths({"apiVersion": "v1", "kind": "Pod", "spec": _pod_spec("a")}) == {"spec"}
	every kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"] {
		_paths({"kind": kind, "spec": {"template": _tmpl("a")}}) == {"spec.template.spec"}
	}
	_paths({"apiVersion": "batch/v1", "kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": _tmpl("a")}}}}) == {"spec.jobTemplate.spec.template.spec"}
}

test_builtin_kind_in_foreign_group_is_not_a_workload if {
	_paths({"apiVersion": "example.com/v1", "kind": "Deployment", "spec": {"template": _tmpl("a")}}) == set()
}

test_kubeflow_training_jobs if {
	_paths({"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "spec": {"pytorchReplicaSpecs": {"Master": {"template": _tmpl("m")}, "Worker": {"template": _tmpl("w")}}}}) == {
		"spec.pytorchReplicaSpecs.Master.template.spec",
		"spec.pytorchReplicaSpecs.Worker.template.spec",
	}
	_paths({"apiVersion": "kubeflow.org/v1", "kind": "TFJob", "spec": {"tfReplicaSpecs": {"PS": {"template": _tmpl("p")}}}}) == {"spec.tfReplicaSpecs.PS.template.spec"}
	_paths({"apiVersion": "kubeflow.org/v1", "kind": "XGBoostJob", "spec": {"xgbReplicaSpecs": {"Worker": {"template": _tmpl("p")}}}}) == {"spec.xgbReplicaSpecs.Worker.template.spec"}
	_paths({"apiVersion": "kubeflow.org/v1", "kind": "PaddleJob", "spec": {"paddleReplicaSpecs": {"Worker": {"template": _tmpl("p")}}}}) == {"spec.paddleReplicaSpecs.Worker.template.spec"}
	_paths({"apiVersion": "kubeflow.org/v1", "kind": "JAXJob", "spec": {"jaxReplicaSpecs": {"Worker": {"template": _tmpl("p")}}}}) == {"spec.jaxReplicaSpecs.Worker.template.spec"}
	_paths({"apiVersion": "kubeflow.org/v2beta1", "kind": "MPIJob", "spec": {"mpiReplicaSpecs": {"Launcher": {"template": _tmpl("l")}}}}) == {"spec.mpiReplicaSpecs.Launcher.template.spec"}
	_paths({"apiVersion": "kubeflow.org/v1", "kind": "Notebook", "spec": {"template": _tmpl("n")}}) == {"spec.template.spec"}
}

test_jobset_and_trainer if {
	rj := {"replicatedJobs": [{"name": "a", "template": {"spec": {"template": _tmpl("a")}}}, {"name": "b", "template": {"spec": {"template": _tmpl("b")}}}]}
	_paths({"apiVersion": "jobset.x-k8s.io/v1alpha2", "kind": "JobSet", "spec": rj}) == {
		"spec.replicatedJobs[0].template.spec.template.spec",
		"spec.replicatedJobs[1].template.spec.template.spec",
	}
	_paths({"apiVersion": "trainer.kubeflow.org/v1alpha1", "kind": "ClusterTrainingRuntime", "spec": {"template": {"spec": rj}}}) == {
		"spec.template.spec.replicatedJobs[0].template.spec.template.spec",
		"spec.template.spec.replicatedJobs[1].template.spec.template.spec",
	}
	tj := {"apiVersion": "trainer.kubeflow.org/v1alpha1", "kind": "TrainJob", "spec": {
		"trainer": {"image": "t", "env": [{"name": "X", "value": "1"}]},
		"initializer": {"dataset": {"storageUri": "hf://x"}},
		"podTemplateOverrides": [{"targetJobs": [{"name": "node"}], "spec": {"serviceAccountName": "sa"}}],
	}}
	_paths(tj) == {"spec.trainer", "spec.initializer.dataset", "spec.podTemplateOverrides[0].spec"}
	_container_paths(tj) == {"spec.trainer", "spec.initializer.dataset"}
	every t in k8s.pod_templates(tj) {
		t.partial == true
	}
}

test_leader_worker_set if {
	obj := {"apiVersion": "leaderworkerset.x-k8s.io/v1", "kind": "LeaderWorkerSet", "spec": {"leaderWorkerTemplate": {"leaderTemplate": _tmpl("l"), "workerTemplate": _tmpl("w")}}}
	_paths(obj) == {"spec.leaderWorkerTemplate.leaderTemplate.spec", "spec.leaderWorkerTemplate.workerTemplate.spec"}
}

test_ray if {
	cluster := {"headGroupSpec": {"template": _tmpl("h")}, "workerGroupSpecs": [{"template": _tmpl("w0")}, {"template": _tmpl("w1")}]}
	_paths({"apiVersion": "ray.io/v1", "kind": "RayCluster", "spec": cluster}) == {
		"spec.headGroupSpec.template.spec",
		"spec.workerGroupSpecs[0].template.spec",
		"spec.workerGroupSpecs[1].template.spec",
	}
	_paths({"apiVersion": "ray.io/v1", "kind": "RayJob", "spec": {"rayClusterSpec": cluster, "submitterPodTemplate": _tmpl("s")}}) == {
		"spec.rayClusterSpec.headGroupSpec.template.spec",
		"spec.rayClusterSpec.workerGroupSpecs[0].template.spec",
		"spec.rayClusterSpec.workerGroupSpecs[1].template.spec",
		"spec.submitterPodTemplate.spec",
	}
	_paths({"apiVersion": "ray.io/v1", "kind": "RayService", "spec": {"rayClusterConfig": cluster}}) == {
		"spec.rayClusterConfig.headGroupSpec.template.spec",
		"spec.rayClusterConfig.workerGroupSpecs[0].template.spec",
		"spec.rayClusterConfig.workerGroupSpecs[1].template.spec",
	}
	_container_paths({"apiVersion": "ray.io/v1", "kind": "RayCluster", "spec": cluster}) == {
		"spec.headGroupSpec.template.spec.containers[0]",
		"spec.workerGroupSpecs[0].template.spec.containers[0]",
		"spec.workerGroupSpecs[1].template.spec.containers[0]",
	}
}

test_kserve_and_seldon if {
	isvc := {"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService", "metadata": {"annotations": {"a": "b"}}, "spec": {
		"predictor": {"model": {"modelFormat": {"name": "sklearn"}}, "serviceAccountName": "sa", "workerSpec": {"containers": [{"name": "w"}]}},
		"transformer": {"containers": [{"name": "t"}]},
	}}
	_paths(isvc) == {"spec.predictor", "spec.predictor.workerSpec", "spec.transformer"}
	_container_paths(isvc) == {"spec.predictor.model", "spec.predictor.workerSpec.containers[0]", "spec.transformer.containers[0]"}
	{m.path | some m in k8s.pod_metadata(isvc)} == {"metadata", "spec.predictor", "spec.predictor.workerSpec", "spec.transformer"}
	sr := {"apiVersion": "serving.kserve.io/v1alpha1", "kind": "ClusterServingRuntime", "spec": {"containers": [{"name": "kserve-container"}]}}
	_paths(sr) == {"spec"}
	sd := {"apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment", "spec": {"predictors": [{"componentSpecs": [{"spec": _pod_spec("c")}]}]}}
	_paths(sd) == {"spec.predictors[0].componentSpecs[0].spec"}
}

test_volcano_job_is_not_a_batch_job if {
	obj := {"apiVersion": "batch.volcano.sh/v1alpha1", "kind": "Job", "spec": {"tasks": [{"name": "w", "template": _tmpl("w")}], "template": _tmpl("x")}}
	_paths(obj) == {"spec.tasks[0].template.spec"}
}

test_argo if {
	wf := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "spec": {
		"hostNetwork": true,
		"podSpecPatch": "{\"hostNetwork\": true}",
		"templates": [
			{"name": "a", "container": {"image": "x"}, "serviceAccountName": "one", "metadata": {"annotations": {"k": "v"}}},
			{"name": "b", "script": {"image": "x", "source": "print(1)"}, "serviceAccountName": "two", "podSpecPatch": "not: [valid"},
			{"name": "c", "containerSet": {"containers": [{"name": "m"}]}, "serviceAccountName": "three", "initContainers": [{"name": "i"}]},
			{"name": "d", "steps": [[{"name": "s", "template": "a"}]]},
		],
	}}
	_paths(wf) == {"spec", "spec.podSpecPatch"}
	_container_paths(wf) == {
		"spec.templates[0].container", "spec.templates[1].script",
		"spec.templates[2].containerSet.containers[0]", "spec.templates[2].initContainers[0]",
	}
	count([t | some t in k8s.pod_templates(wf); t.path == "spec"; t.spec.serviceAccountName == "one"]) > 0
	{m.path | some m in k8s.pod_metadata(wf)} == {"spec.podMetadata", "spec.templates[0].metadata", "spec.podSpecPatch"}
	cron := {"apiVersion": "argoproj.io/v1alpha1", "kind": "CronWorkflow", "spec": {"workflowSpec": {"templates": [{"container": {"image": "x"}}]}}}
	_paths(cron) == {"spec.workflowSpec"}
}

test_argo_account_missing_in_one_template if {
	wf := {"apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate", "spec": {"templates": [
		{"container": {"image": "x"}, "serviceAccountName": "one"},
		{"container": {"image": "y"}},
	]}}
	some t in k8s.pod_templates(wf)
	not t.spec.serviceAccountName
}

test_containers_of_all_lists if {
	spec := {"containers": [{"name": "a"}, "junk"], "initContainers": [{"name": "i"}], "ephemeralContainers": [{"name": "e"}]}
	{c.path | some c in k8s.containers(spec)} == {"containers[0]", "initContainers[0]", "ephemeralContainers[0]"}
	k8s.containers("x") == set()
}

test_malformed_objects_have_no_pods if {
	every obj in [
		{}, {"kind": "Pod"}, {"kind": "Pod", "spec": null}, {"kind": "Deployment", "spec": {"template": "x"}},
		{"apiVersion": "ray.io/v1", "kind": "RayCluster", "spec": {"workerGroupSpecs": "x"}},
		{"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "spec": {"pytorchReplicaSpecs": []}},
		{"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "spec": "x"},
		{"apiVersion": "trainer.kubeflow.org/v1alpha1", "kind": "TrainJob", "spec": {"podTemplateOverrides": [{"spec": 1}]}},
	] {
		count(k8s.pod_specs(obj)) == 0
	}
}

# kind_groups lists kinds in _pod_kind_order, pod_templates dispatches on _kind_family: the two
# name the same kinds, each once, and every family has an extractor (an undefined one would
# leave its kinds without pods, silently).
test_kind_order_lists_every_family_kind if {
	{kind | some kind in k8s._pod_kind_order} == object.keys(k8s._kind_family)
	count(k8s._pod_kind_order) == count(k8s._kind_family)
	every family in {f | some f in k8s._kind_family} {
		is_set(k8s._templates_of(family, {}))
	}
	k8s.kind_groups["pod-workloads"] == k8s._pod_kind_order
}

# _builtin is one function with else branches: each branch against api_group's answer.
test_builtin_group_check if {
	k8s._builtin({"apiVersion": "apps/v1"}, {"apps", "extensions"})
	not k8s._builtin({"apiVersion": "example.com/v1"}, {"apps"})
	k8s._builtin({"apiVersion": "v1"}, {""})
	not k8s._builtin({"apiVersion": "v1"}, {"apps"})
	k8s._builtin({"apiVersion": "a/b/c"}, {""}) # not group/version: the core group, as api_group says
	not k8s._builtin({"apiVersion": "a/b/c"}, {"a"})
	every version in [null, 3, ["apps/v1"]] {
		k8s._builtin({"apiVersion": version}, {"apps"}) # no apiVersion string: a hand-written object
	}
	k8s._builtin({"kind": "Deployment"}, {"apps"})
}

test_api_group_and_metadata_maps if {
	k8s.api_group({"apiVersion": "v1"}) == ""
	k8s.api_group({"apiVersion": "apps/v1"}) == "apps"
	k8s.api_group({}) == ""
	k8s.labels({"metadata": {"labels": {"a": "b"}}}) == {"a": "b"}
	k8s.labels({"metadata": "x"}) == {}
	k8s.annotations({}) == {}
	k8s.object_or_empty(3) == {}
}

test_policy_types_and_rules if {
	# The API server defaults policyTypes from the number of egress rules (netpol-analyzer agrees).
	k8s.policy_types({"spec": {"egress": []}}) == {"Ingress"}
	k8s.policy_types({"spec": {"egress": [{}]}}) == {"Ingress", "Egress"}
	k8s.policy_types({"spec": {}}) == {"Ingress"}
	k8s.ingress_rules({"spec": {"ingress": [{}]}}) == [{}]
	k8s.ingress_rules({"spec": {"policyTypes": ["Egress"], "ingress": [{}]}}) == []
}

test_ports if {
	k8s.allows_port({}, 53, set())
	k8s.allows_port({"ports": [{"protocol": "UDP"}]}, 53, set())
	k8s.allows_port({"ports": [{"port": null}]}, 53, set())
	k8s.allows_port({"ports": [{"port": 50, "endPort": 60}]}, 53, set())
	k8s.allows_port({"ports": [{"port": "dns"}]}, 53, {"dns"})
	not k8s.allows_port({"ports": [{"port": 443}]}, 53, {"dns"})
	k8s.allows_port_explicitly({"ports": [{"port": 53}]}, 53, set())
	not k8s.allows_port_explicitly({}, 53, set())
	not k8s.allows_port_explicitly({"ports": [{"protocol": "TCP"}]}, 53, set())
}

_np(name, spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name}, "spec": spec}

test_default_deny_gaps if {
	deny := _np("deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
	k8s.default_deny_gaps({"deny": deny}) == set()
	count(k8s.default_deny_gaps({})) == 2
	count(k8s.default_deny_gaps(null)) == 2

	# Two policies, one per direction, add up.
	ingress := _np("di", {"podSelector": {}, "policyTypes": ["Ingress"]})
	egress := _np("de", {"podSelector": {}, "policyTypes": ["Egress"]})
	k8s.default_deny_gaps({"di": ingress, "de": egress}) == set()
	count(k8s.default_deny_gaps({"di": ingress})) == 1

	# A subset selector or allow rules make no default deny.
	count(k8s.default_deny_gaps({"x": _np("x", {"podSelector": {"matchLabels": {"a": "b"}}, "policyTypes": ["Ingress", "Egress"]})})) == 2
	count(k8s.default_deny_gaps({"x": _np("x", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "egress": [{"to": [{"podSelector": {}}]}]})})) == 1

	# An allow-all policy for every pod cancels it.
	open_policy := _np("open", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{}]})
	gaps := k8s.default_deny_gaps({"deny": deny, "open": open_policy})
	count(gaps) == 1
	contains(k8s.default_deny_policy("ml"), "namespace: ml")
	count([gap | some gap in gaps; contains(gap, "open")]) == 1
}

test_mesh_namespace if {
	k8s.mesh_namespace("a", {})
	k8s.mesh_namespace("ml-1", {}) with input.parameters as {"mesh_namespaces": ["ml-*"]}
	not k8s.mesh_namespace("other", {}) with input.parameters as {"mesh_namespaces": ["ml-*"]}
	k8s.mesh_namespace("other", {"istio-injection": "enabled"}) with input.parameters as {"mesh_namespaces": ["ml-*"]}
	k8s.mesh_namespace("other", {"istio.io/rev": "1-22"}) with input.parameters as {"mesh_namespaces": ["ml-*"]}
}

test_system_namespace if {
	k8s.is_system_namespace("kube-system")
	not k8s.is_system_namespace("ml")
}

test_resource_of_generate_name if {
	obj := {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"generateName": "train-", "namespace": "ml"}}
	k8s.resource == "ml/Job/train-*" with input as {"review": {"object": obj}}
	named := {"kind": "Job", "metadata": {"generateName": "train-", "name": "train-x1", "namespace": "ml"}}
	k8s.resource == "ml/Job/train-x1" with input as {"review": {"object": named}}
	k8s.resource == "ml/Job/" with input as {"review": {"object": {"kind": "Job", "metadata": {"namespace": "ml", "generateName": 3}}}}
}

test_is_network_policy_by_group if {
	k8s.is_network_policy with input as {"review": {"object": {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy"}}}
	k8s.is_network_policy with input as {"review": {"object": {"kind": "NetworkPolicy"}}}
	not k8s.is_network_policy with input as {"review": {"object": {"apiVersion": "projectcalico.org/v3", "kind": "NetworkPolicy"}}}
	not k8s.is_network_policy with input as {"review": {"object": {"apiVersion": "crd.projectcalico.org/v1", "kind": "NetworkPolicy"}}}
	not k8s.is_network_policy with input as {"review": {"object": {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress"}}}
}
