package mlfence.terraform.azure.nsg_ingress_open_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.azure.nsg_ingress_open

_r(after) := fixture.change("azurerm_network_security_rule.ssh", _nsr, after, {})

_violations(plan, params) := v if {
	v := nsg_ingress_open.violation with input as {"plan": plan, "parameters": params}
}

_v(changes) := _violations({"format_version": "1.2", "resource_changes": changes, "configuration": {"root_module": {}}}, {})

_rule(source, ports) := {
	"direction": "Inbound", "access": "Allow", "protocol": "Tcp", "name": "r",
	"source_address_prefix": source, "destination_port_range": ports,
}

test_deny_ssh_from_internet_is_critical if {
	v := _v([_r(_rule("Internet", "22"))])
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-060"
	f.details.severity == "critical"
	f.details.status == "fail"
}

test_deny_inline_rule_and_prefixes_list if {
	x1 := {"source_address_prefixes": ["10.0.0.0/8", "0.0.0.0/0"], "destination_port_ranges": ["443"]}
	rule := object.union(_rule(null, null), x1)
	x2 := {"security_rule": [rule]}
	nsg := fixture.change("azurerm_network_security_group.nsg", "azurerm_network_security_group", x2, {})
	some f in _v([nsg])
	f.details.severity == "high"
	contains(f.msg, "security_rule r")
}

test_deny_star_source_all_ports_and_icmp if {
	icmp := object.union(_rule("Any", "*"), {"protocol": "Icmp"})
	some f in _v([_r(_rule("*", "*"))])
	contains(f.msg, "all ports")
	f.details.severity == "critical"
	some g in _v([_r(icmp)])
	g.details.severity == "high"
}

test_deny_nested_in_module if {
	r := fixture.change("module.ml.azurerm_network_security_rule.jupyter", _nsr, _rule("*", "8888"), {})
	{f.details.resource | some f in _v([r])} == {"module.ml.azurerm_network_security_rule.jupyter"}
}

test_allow_private_outbound_and_deny if {
	count(_v([_r(_rule("VirtualNetwork", "22"))])) == 0
	count(_v([_r(object.union(_rule("*", "22"), {"direction": "Outbound"}))])) == 0
	count(_v([_r(object.union(_rule("*", "22"), {"access": "Deny"}))])) == 0
}

# Attributes omitted: no source at all, NSG without inline rules.
test_allow_attributes_omitted if {
	count(_v([_r({"direction": "Inbound", "access": "Allow"})])) == 0
	count(_v([fixture.change("azurerm_network_security_group.nsg", "azurerm_network_security_group", {}, {})])) == 0
}

test_unknown_source_is_reported_as_unknown if {
	x3 := {"source_address_prefix": true}
	r := fixture.change("azurerm_network_security_rule.ssh", _nsr, _rule(null, "22"), x3)
	v := _violations(fixture.with_config(r, {"source_address_prefix": {"references": ["var.source"]}}), {})
	count(v) == 1
	some f in v
	f.details.status == "unknown"
}

# security_rule is computed on the NSG: unknown only counts when the configuration writes it.
test_unknown_inline_rules_only_when_configured if {
	nsg := fixture.change("azurerm_network_security_group.nsg", "azurerm_network_security_group", {}, {"security_rule": true})
	count(_v([nsg])) == 0
	some f in _violations(fixture.with_config(nsg, {"security_rule": {"references": ["var.rules"]}}), {})
	f.details.status == "unknown"
}

test_parameter_ml_ports_overridden if {
	x4 := fixture.bare_plan([_r(_rule("*", "3389"))])
	some f in _violations(x4, {"ml_ports": ["3389"]})
	f.details.severity == "critical"
}

test_allow_malformed if {
	count(_v([_r({"direction": 1, "access": null, "source_address_prefixes": "x"})])) == 0
	count(_v([_r(object.union(_rule("*", "ssh"), {"destination_port_ranges": [null, 22]}))])) == 1
}

_nsr := "azurerm_network_security_rule"

# Issue 16: source prefixes that together cover the internet are judged as the internet.
test_deny_union_of_halves if {
	v6 := object.union(_rule(null, "22"), {"source_address_prefixes": ["::/1", "8000::/1"]})
	count(_v([_r(v6)])) == 1
	private := object.union(_rule(null, "22"), {"source_address_prefixes": ["10.0.0.0/9", "10.128.0.0/9"]})
	count(_v([_r(private)])) == 0
	rule := object.union(_rule(null, "22"), {"source_address_prefixes": ["0.0.0.0/1", "128.0.0.0/1"]})
	v := _v([_r(rule)])
	count(v) == 1
	some f in v
	contains(f.msg, "0.0.0.0/1, 128.0.0.0/1 (together the internet)")
}
