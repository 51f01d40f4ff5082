package mlfence.terraform.azure.vm_public_ip_ml_subnet_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.azure.vm_public_ip_ml_subnet

_eval(changes, config, params) := v if {
	plan := fixture.plan(changes, config)
	v := vm_public_ip_ml_subnet.violation with input as {"plan": plan, "parameters": params}
}

_subnet(name) := fixture.change("azurerm_subnet.s", "azurerm_subnet", {"id": "/subnets/s", "name": name}, {})

_nic(ipc) := fixture.change(
	"azurerm_network_interface.n", "azurerm_network_interface", {
		"id": "/nics/n",
		"ip_configuration": [object.union({"name": "internal", "subnet_id": "/subnets/s"}, ipc)],
	},
	{},
)

_vm := fixture.change(
	"azurerm_linux_virtual_machine.gpu", "azurerm_linux_virtual_machine", {
		"name": "gpu", "size": "Standard_NC6s_v3", "network_interface_ids": ["/nics/n"],
	},
	{},
)

_cluster := fixture.change(
	"azurerm_machine_learning_compute_cluster.train", "azurerm_machine_learning_compute_cluster", {
		"name": "train", "subnet_resource_id": "/subnets/s",
	},
	{},
)

test_deny_public_ip_on_aml_compute_subnet if {
	v := _eval([_subnet("default"), _nic({"public_ip_address_id": "/pips/p"}), _vm, _cluster], [], {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-069"
	contains(f.msg, "the subnet of Azure ML compute azurerm_machine_learning_compute_cluster.train")
}

# A public IP created in the same plan is known only after apply, and still a public IP.
test_deny_public_ip_created_in_plan_on_named_subnet if {
	nic := fixture.change(
		"azurerm_network_interface.n", "azurerm_network_interface", {
			"id": "/nics/n", "ip_configuration": [{"name": "internal", "subnet_id": "/subnets/s"}],
		},
		{"ip_configuration": [{"public_ip_address_id": true}]},
	)
	config := fixture.written(nic.address, nic.type, {"ip_configuration": [{
		"public_ip_address_id": {"references": ["azurerm_public_ip.p.id", "azurerm_public_ip.p"]},
	}]})
	v := _eval([_subnet("snet-training"), nic, _vm], config, {})
	some f in v
	contains(f.msg, "an ML subnet by name (snet-training)")
}

test_allow_private_nic_or_other_subnet if {
	count(_eval([_subnet("default"), _nic({}), _vm, _cluster], [], {})) == 0
	count(_eval([_subnet("web"), _nic({"public_ip_address_id": "/pips/p"}), _vm], [], {})) == 0
}

test_allow_attribute_omitted if {
	nic := fixture.change(
		"azurerm_network_interface.n", "azurerm_network_interface", {
			"id": "/nics/n", "ip_configuration": [{"name": "internal", "subnet_id": "/subnets/s"}],
		},
		{},
	)
	count(_eval([_subnet("aml"), nic, _vm], [], {})) == 0
}

test_parameter_subnet_names_overridden if {
	changes := [_subnet("web"), _nic({"public_ip_address_id": "/pips/p"}), _vm]
	count(_eval(changes, [], {"azure_ml_subnet_names": ["web"]})) == 1
	count(_eval([_subnet("snet-training"), _nic({"public_ip_address_id": "/pips/p"}), _vm], [], {"azure_ml_subnet_names": []})) == 0
}
