# METADATA
# description: |
#   Rule parameters. Every rule reads its settings through `value`, so one rule body works in all
#   three engines: Gatekeeper passes Constraint parameters as input.parameters, and the mlfence
#   adapters pass data/mlfence/config the same way. A parameter that is absent falls back to the
#   secure default below, never to "allow".
package lib.mlfence.config

# Namespaces that belong to the platform itself, not to ML workloads.
default_system_namespaces := [
	"kube-system",
	"kube-public",
	"kube-node-lease",
	"gatekeeper-system",
	"istio-system",
	"cert-manager",
]

# RFC 1918 private space plus RFC 6598 carrier-grade NAT space.
default_internal_cidrs := [
	"10.0.0.0/8",
	"172.16.0.0/12",
	"192.168.0.0/16",
	"100.64.0.0/10",
	"fc00::/7",
]

# Defaults are a partial object so that each area can declare its parameters in its own file
# of this package (config_<area>.rego); the Gatekeeper generator links every file of it.
defaults["system_namespaces"] := default_system_namespaces

defaults["internal_cidrs"] := default_internal_cidrs

# value(key) is the caller's parameter when it was given, else the default.
value(key) := input.parameters[key] if {
	is_object(input.parameters)
	input.parameters[key] != null
} else := defaults[key]

# Published ranges are approved per service by bundle.yaml and filled in by `mlfence sync`;
# with no data nothing public is approved.
defaults["approved_ranges"] := {}

defaults["owner_ranges"] := {}

defaults["approved_index"] := {}

defaults["owner_index"] := {}

# Exemptions: [{rule, resource (glob), reason, owner, expires (YYYY-MM-DD)}]; none by default.
defaults["exemptions"] := []

# How far ahead an exemption may expire, in days after today (UTC), and whether an entry may name
# every rule (`rule: "*"`, never with a resource pattern of wildcards only).
defaults["exemption_limits"] := {"max_days": 90, "allow_all_rules": false}

# Rules on and off and severity overrides, from the settings' `rules:` section:
# {"enable": [ids] (empty: all), "disable": [ids], "severity": {id: severity}}.
defaults["rule_settings"] := {}
