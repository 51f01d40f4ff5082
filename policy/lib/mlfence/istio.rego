# METADATA
# description: |
#   Istio helpers: API groups, AuthorizationPolicy rule semantics (empty fields match
#   everything, `from` entries are alternatives, `when` conditions all apply) and host matching.
package lib.mlfence.istio

import data.lib.mlfence.config
import data.lib.mlfence.k8s
import data.lib.mlfence.selector
import data.lib.mlfence.webhooks

# is_kind(obj, group, kind) holds for an object of that kind in that API group, any version.
is_kind(obj, group, kind) if {
	obj.kind == kind
	is_string(obj.apiVersion)
	split(obj.apiVersion, "/")[0] == group
}

# items(x) is x when it is a list, else [] (absent, null or a wrong type).
default items(_) := []

items(x) := x if is_array(x)

# object_items(x) is the list of [index, entry] of the entries of list x that are objects.
object_items(x) := [[i, entry] |
	some i, entry in items(x)
	is_object(entry)
]

# strings(x) is the list of the strings in list x.
string_items(x) := [s |
	some s in items(x)
	is_string(s)
]

# --- AuthorizationPolicy ----------------------------------------------------------------------

# action(spec) is the policy's action; ALLOW when omitted.
default action(_) := "ALLOW"

action(spec) := upper(spec.action) if is_string(spec.action)

# empty(x) holds for an absent field, null, an empty list or an empty object.
empty(null)

empty([])

empty({})

default _field(_, _) := null

_field(obj, key) := obj[key] if is_object(obj)

# any_caller(rule) holds when the rule's `from` lets every source in: no `from`, or one entry
# whose source sets no field (entries are alternatives, so one open entry opens the rule).
any_caller(rule) if empty(_field(rule, "from"))

any_caller(rule) if empty_source_index(rule) >= 0

# empty_source_index(rule) is the index of the first `from` entry whose source is empty.
empty_source_index(rule) := min({i |
	some i, entry in items(_field(rule, "from"))
	_open_entry(entry)
})

_open_entry(entry) if empty(_field(entry, "source"))

_open_entry(entry) if {
	is_object(entry.source)
	every _, value in entry.source {
		empty(value)
	}
}

# matches_everything(rule) holds for a rule that any request satisfies: any caller, no `to` and
# no `when`, e.g. `rules: [{}]`.
matches_everything(rule) if {
	any_caller(rule)
	empty(_field(rule, "to"))
	empty(_field(rule, "when"))
}

_identity_fields := ["principals", "requestPrincipals", "namespaces"]

# Condition keys that only an authenticated peer (mTLS) or request (JWT) can satisfy.
_identity_keys := {
	"source.principal",
	"source.namespace",
	"request.auth.principal",
	"request.auth.audiences",
	"request.auth.presenter",
}

_identity_condition(condition) if {
	is_string(condition.key)
	_identity_key(condition.key)
	count(string_items(condition.values)) > 0
}

_identity_key(key) if key in _identity_keys

_identity_key(key) if startswith(key, "request.auth.claims[")

_identity_source(entry) if {
	some field in _identity_fields
	count(string_items(entry.source[field])) > 0
}

# identified(rule) holds when every caller the rule admits has an identity: each `from` entry
# names principals, request principals or namespaces, or a `when` condition requires one.
identified(rule) if {
	count(items(_field(rule, "from"))) > 0
	every entry in items(_field(rule, "from")) {
		_identity_source(entry)
	}
}

identified(rule) if {
	some condition in items(_field(rule, "when"))
	_identity_condition(condition)
}

write_methods := {"POST", "PUT", "PATCH", "DELETE"}

# operations(rule) is the list of operations of the rule's `to`; [{}] (all) when omitted.
operations(rule) := [op |
	some entry in items(_field(rule, "to"))
	op := _operation(entry)
] if {
	count(items(_field(rule, "to"))) > 0
} else := [{}]

_operation(entry) := entry.operation if is_object(entry.operation)

else := {}

# write_methods_of(op) is the set of write methods the operation admits.
write_methods_of(op) := {m |
	some m in write_methods
	_method_allowed(op, m)
}

_method_allowed(op, method) if {
	some m in string_items(_field(op, "methods"))
	upper(m) in {method, "*"}
}

_method_allowed(op, method) if {
	count(string_items(_field(op, "methods"))) == 0
	not method in {upper(m) | some m in string_items(_field(op, "notMethods"))}
}

# open_paths(op) is the set of the operation's paths that are not health paths; {"*"} when the
# operation names no paths (all of them).
open_paths(op) := {p |
	some p in string_items(op.paths)
	not health_path(p)
} if {
	count(string_items(_field(op, "paths"))) > 0
} else := {"*"}

# health_path(path) holds for a path the istio_health_paths parameter leaves open; "*" in a
# configured entry matches one path segment, and an entry also matches itself verbatim.
health_path(path) if {
	some pattern in string_items(config.value("istio_health_paths"))
	_path_match(pattern, path)
}

_path_match(pattern, path) if pattern == path

_path_match(pattern, path) if glob.match(pattern, ["/"], path)

# --- hosts ------------------------------------------------------------------------------------

# domain_match(pattern, host) holds when a DNS glob ("*" = one label) matches the host,
# case-insensitively. A wildcard host only matches a pattern at least as wide.
domain_match(pattern, host) if {
	is_string(pattern)
	glob.match(lower(trim_space(pattern)), ["."], lower(trim_space(host)))
}

# any_caller_reported(rule) holds for the rules MLF-K8S-041 reports: every request matches, or
# a `from` entry has an empty source. Other rules use it to report a rule once.
any_caller_reported(rule) if matches_everything(rule)

any_caller_reported(rule) if empty_source_index(rule) >= 0

# service_entry_location(spec) is a ServiceEntry's location; MESH_EXTERNAL when omitted.
default service_entry_location(_) := "MESH_EXTERNAL"

service_entry_location(spec) := upper(spec.location) if is_string(spec.location)

# --- PeerAuthentication ---------------------------------------------------------------------------
# Istio (pilot/pkg/model/authentication.go at commit 02262c5b; precedence mesh < namespace <
# workload) treats a missing policy, and mode UNSET, as inheriting from the parent; the mesh
# default is PERMISSIVE.

# peer_mode(policy) is a PeerAuthentication's spec.mtls.mode, upper-cased; UNSET when absent.
default peer_mode(_) := "UNSET"

peer_mode(policy) := upper(policy.spec.mtls.mode) if is_string(policy.spec.mtls.mode)

# selects_all(policy) holds for a PeerAuthentication without a selector (or an empty one): it
# applies to its whole namespace, or to the mesh in the root namespace.
selects_all(policy) if empty(_field(_field(policy, "spec"), "selector"))

selects_all(policy) if {
	is_object(policy.spec.selector)
	empty(_field(policy.spec.selector, "matchLabels"))
}

# namespace_wide_mode(policies) is the mode set by the selector-less PeerAuthentications of one
# namespace (a list of objects), UNSET when none sets one. Istio uses the oldest when several
# exist; scanned manifests carry no creation time, so the weakest one is taken.
namespace_wide_mode(policies) := mode if {
	modes := {peer_mode(p) | some p in policies; selects_all(p)} - {"UNSET"}
	count(modes) > 0
	mode := _weakest(modes)
} else := "UNSET"

_weakest(modes) := "DISABLE" if {
	"DISABLE" in modes
} else := "PERMISSIVE" if {
	"PERMISSIVE" in modes
} else := "STRICT"

# peer_authentications(inventory, ns) is the list of PeerAuthentications of namespace ns in a
# Gatekeeper-shaped inventory, whatever security.istio.io version they were written in.
peer_authentications(inventory, ns) := [p |
	some api_version, kinds in _object_or_empty(_object_or_empty(_object_or_empty(inventory).namespace)[ns])
	startswith(api_version, "security.istio.io/")
	some p in _object_or_empty(_object_or_empty(kinds).PeerAuthentication)
	is_object(p)
]

default _object_or_empty(_) := {}

_object_or_empty(x) := x if is_object(x)

# --- sidecar injection --------------------------------------------------------------------------
# As Istio's injector decides (istio/istio pkg/kube/inject/inject.go, injectRequired, read at
# commit 00af2c5549d5): the label sidecar.istio.io/inject, when present, wins over the
# annotation of that name (the label is the newer API); the value is lower-cased and only "y",
# "yes", "true" and "on" ask for injection, "" (or no value) leaves the namespace's default,
# and every other value ("false", "no", "off", "0", "n", "disabled", " true", anything) turns
# injection off. A newer stored copy (b0d2c6ad, release not established) accepts only "true" and
# "false" and falls back to the namespace default for every other value, so only "false" is off
# in both; MLF-K8S-012's finding says so for the other spellings. The webhooks' objectSelector (NotIn
# ["false"], manifests/charts/istio-control/istio-discovery) skips pods labelled exactly "false"
# before the injector runs, which ends the same way.

# sidecar_opt_out(metadata) is {"where": "labels" | "annotations", "value": value} when a pod's
# metadata turns sidecar injection off.
sidecar_opt_out(metadata) := {"where": where, "value": value} if {
	where := _inject_source(metadata)
	value := metadata[where][_inject_key]
	not _inject_text(value) in _inject_on
}

_inject_key := "sidecar.istio.io/inject"

_inject_on := {"y", "yes", "true", "on", ""}

_inject_source(metadata) := "labels" if {
	is_object(metadata.labels)
	_inject_key in object.keys(metadata.labels)
} else := "annotations" if {
	is_object(metadata.annotations)
	_inject_key in object.keys(metadata.annotations)
}

# A null value decodes to "" in Kubernetes' map[string]string; a YAML boolean or number never
# reaches the injector (the API server refuses it) but reads as its text, so `false` is off.
_inject_text(null) := ""

_inject_text(value) := lower(value) if is_string(value)

_inject_text(value) := lower(sprintf("%v", [value])) if {
	not is_string(value)
	value != null
}

# runs_proxy(spec) holds for a pod spec that runs Istio's proxy as its own container (named
# istio-proxy, as the injector names the sidecar): Istio's gateways and ambient mode's ztunnel,
# whose charts turn injection off because the pod is the proxy. Such a pod has a mesh identity of
# its own (a gateway's proxy also enforces the AuthorizationPolicies that select it).
runs_proxy(spec) if {
	some c in items(_field(spec, "containers"))
	_field(c, "name") == "istio-proxy"
}

# service_entry_resolution(spec) is a ServiceEntry's resolution; NONE when omitted.
default service_entry_resolution(_) := "NONE"

service_entry_resolution(spec) := upper(spec.resolution) if is_string(spec.resolution)

# service_entry_loopback_only(spec) holds for a ServiceEntry whose traffic can only reach the
# proxy's own host, so it opens no egress: every destination it may send to is loopback
# (127.0.0.0/8, ::1, "localhost" and *.localhost names, RFC 6761) or a unix socket. The
# destinations are, as Istio's ServiceEntry reference describes: the endpoints' addresses when
# endpoints are listed (STATIC, or DNS names with DNS resolution), else the hosts, resolved, for
# DNS resolution. NONE forwards to whatever address the client asked for, and HTTP traffic is
# matched by Host header whatever `addresses` says, so it is never loopback-only.
service_entry_loopback_only(spec) if {
	destinations := _se_destinations(spec)
	count(destinations) > 0
	every destination in destinations {
		_loopback(destination)
	}
}

_se_destinations(spec) := [e.address | some e in items(spec.endpoints); is_object(e)] if {
	count(items(spec.endpoints)) > 0
} else := string_items(spec.hosts) if {
	service_entry_resolution(spec) in {"DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS"}
} else := []

_loopback(address) if {
	is_string(address)
	some block in ["127.0.0.0/8", "::1/128"]
	net.cidr_contains(block, _as_block(trim_space(address)))
}

_loopback(address) if {
	is_string(address)
	name := trim_suffix(lower(trim_space(address)), ".")
	_local_name(name)
}

_loopback(address) if {
	is_string(address)
	startswith(address, "unix://")
}

_local_name("localhost")

_local_name(name) if endswith(name, ".localhost")

# _as_block(text) is a CIDR for an address or CIDR; net.cidr_contains is false for anything else.
_as_block(text) := text if {
	contains(text, "/")
	net.cidr_is_valid(text)
} else := concat("", [text, "/128"]) if {
	contains(text, ":")
	net.cidr_is_valid(concat("", [text, "/128"]))
} else := concat("", [text, "/32"]) if {
	net.cidr_is_valid(concat("", [text, "/32"]))
} else := "255.255.255.255/32"

# callers_expected(policy, inventory) holds for an AuthorizationPolicy whose workload selector
# picks pods that must accept callers without a mesh identity: the pods of an approved edge
# gateway (edge_gateways: its namespace, and a selector pinning every label of the entry), or,
# while control_plane_cidrs is not declared, the backends of an admission webhook (the API
# server calls them from outside the mesh). A policy without a selector never qualifies.
callers_expected(policy, _) if {
	workload := policy.spec.selector
	is_object(workload.matchLabels)
	some gateway in config.value("edge_gateways")
	is_object(gateway)
	gateway.namespace == policy.metadata.namespace
	selector.requires_all(workload, gateway.labels)
}

callers_expected(policy, inventory) if {
	count(config.value("control_plane_cidrs")) == 0
	workload := policy.spec.selector
	is_object(workload.matchLabels)
	count(webhooks.backends(inventory, k8s.field(policy, ["metadata", "namespace"], ""), workload)) > 0
}
