package mlfence.terraform.google.ml_instance_public_ip_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.google.ml_instance_public_ip

_vm(after) := fixture.change("google_compute_instance.vm", "google_compute_instance", after, {})

_public_nic := [{"network": "ml", "access_config": [{"nat_ip": null, "network_tier": "PREMIUM"}]}]

_private_nic := [{"network": "ml", "access_config": []}]

_violations(changes, params) := v if {
	plan := fixture.bare_plan(changes)
	v := ml_instance_public_ip.violation with input as {"plan": plan, "parameters": params}
}

_v(changes) := _violations(changes, {})

test_deny_gpu_instance_with_external_ip if {
	v := _v([_vm({"guest_accelerator": [{"type": "nvidia-tesla-t4", "count": 1}], "network_interface": _public_nic})])
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-047"
	f.details.status == "fail"
	contains(f.msg, "GPU attached")
	contains(f.msg, "network_interface[0].access_config")
}

test_deny_accelerator_machine_type_label_and_tag if {
	a3 := _vm({"machine_type": "a3-highgpu-8g", "network_interface": _public_nic})
	x1 := {"machine_type": "n2-standard-8", "labels": {"workload": "training"}, "network_interface": _public_nic}
	labelled := _vm(x1)
	x2 := {"tags": ["ray"], "network_interface": _public_nic}
	tagged := fixture.change("google_compute_instance_template.ray", "google_compute_instance_template", x2, {})
	some f in _v([a3])
	contains(f.msg, "machine type a3-highgpu-8g")
	some g in _v([labelled])
	contains(g.msg, "label workload=training")
	some h in _v([tagged])
	contains(h.msg, "network tag ray")
}

test_deny_tpu_vm_external_ips if {
	tpu := fixture.change("google_tpu_v2_vm.tpu", "google_tpu_v2_vm", {"network_config": [{"enable_external_ips": true}]}, {})
	count(_v([tpu])) == 1
}

test_deny_nested_in_module if {
	x3 := {"machine_type": "g2-standard-8", "network_interface": _public_nic}
	vm := fixture.change("module.train.google_compute_instance.worker[3]", "google_compute_instance", x3, {})
	{f.details.resource | some f in _v([vm])} == {"module.train.google_compute_instance.worker[3]"}
}

test_allow_private_ml_instance_and_public_non_ml if {
	count(_v([_vm({"machine_type": "a2-highgpu-1g", "network_interface": _private_nic})])) == 0
	count(_v([_vm({"machine_type": "e2-small", "labels": {"team": "web"}, "network_interface": _public_nic})])) == 0
	tpu := fixture.change("google_tpu_v2_vm.tpu", "google_tpu_v2_vm", {"network_config": [{"enable_external_ips": false}]}, {})
	count(_v([tpu])) == 0
}

# Attribute omitted: no network_interface, no guest_accelerator, no labels.
test_allow_attributes_omitted if {
	x4 := {"machine_type": "a2-highgpu-1g"}
	count(_v([_vm(x4), fixture.change("google_compute_instance.bare", "google_compute_instance", {}, {})])) == 0
}

test_unknown_network_interface_is_reported_as_unknown if {
	x5 := {"machine_type": "a2-highgpu-1g"}
	vm := fixture.change("google_compute_instance.vm", "google_compute_instance", x5, {"network_interface": true})
	v := _v([vm])
	count(v) == 1
	some f in v
	f.details.status == "unknown"
}

test_parameter_ml_labels_and_tags_overridden if {
	x6 := {
		"machine_type": "n2-standard-8", "labels": {"team": "research"},
		"tags": ["batch"], "network_interface": _public_nic,
	}
	vm := _vm(x6)
	count(_v([vm])) == 0
	count(_violations([vm], {"gcp_ml_labels": {"team": ["research"]}})) == 1
	count(_violations([vm], {"gcp_ml_network_tags": ["batch"]})) == 1
	gpu := _vm({"machine_type": "a2-highgpu-1g", "network_interface": _public_nic})
	count(_violations([gpu], {"gcp_ml_machine_type_prefixes": []})) == 0
	count(_violations([gpu], {"public_resource_allowlist": ["google_compute_instance.vm"]})) == 0
}

test_allow_malformed if {
	x7 := {"guest_accelerator": [{"count": "1"}], "labels": "x", "tags": 3, "network_interface": [null, "x"]}
	count(_v([_vm(x7)])) == 0
}
