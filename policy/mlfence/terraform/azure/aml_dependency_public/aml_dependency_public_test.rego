package mlfence.terraform.azure.aml_dependency_public_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.azure.aml_dependency_public

_eval(changes, config, params) := v if {
	plan := fixture.plan(changes, config)
	v := aml_dependency_public.violation with input as {"plan": plan, "parameters": params}
}

_ws := fixture.change(
	"azurerm_machine_learning_workspace.ml", "azurerm_machine_learning_workspace", {
		"name": "ml", "storage_account_id": "/sa/mlsa", "key_vault_id": "/kv/mlkv",
	},
	{},
)

_sa(after) := fixture.change("azurerm_storage_account.ml", "azurerm_storage_account", object.union({"id": "/sa/mlsa"}, after), {})

_kv(after) := fixture.change("azurerm_key_vault.ml", "azurerm_key_vault", object.union({"id": "/kv/mlkv"}, after), {})

test_deny_storage_and_key_vault_public if {
	v := _eval([_ws, _sa({"public_network_access_enabled": true}), _kv({})], [], {})
	{f.details.resource | some f in v} == {"azurerm_storage_account.ml", "azurerm_key_vault.ml"}
}

# Left out, public network access is on (the provider default).
test_deny_attribute_omitted if {
	v := _eval([_ws, _sa({}), _kv({"public_network_access_enabled": false})], [], {})
	count(v) == 1
	some f in v
	contains(f.msg, "storage account of azurerm_machine_learning_workspace.ml")
}

test_allow_private_or_deny_by_default if {
	sa := _sa({"public_network_access_enabled": false})
	kv := _kv({"network_acls": [{"default_action": "Deny", "bypass": "AzureServices"}]})
	count(_eval([_ws, sa, kv], [], {})) == 0

	# A storage account no workspace uses is not this rule's business.
	count(_eval([_sa({})], [], {})) == 0
}

test_unknown_from_variable if {
	sa := fixture.change("azurerm_storage_account.ml", "azurerm_storage_account", {"id": "/sa/mlsa"}, {"public_network_access_enabled": true})
	config := fixture.written(sa.address, sa.type, fixture.pending(["public_network_access_enabled"]))
	v := _eval([_ws, sa, _kv({"public_network_access_enabled": false})], config, {})
	count(v) == 1
	some f in v
	f.details.status == "unknown"
}

test_parameter_allowlist if {
	count(_eval([_ws, _sa({}), _kv({"public_network_access_enabled": false})], [], {"public_resource_allowlist": ["azurerm_storage_account.ml"]})) == 0
}
