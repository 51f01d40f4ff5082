# The Istio layer over the L3/L4 flows: AuthorizationPolicy ALLOW and DENY (AUDIT decides nothing)
# on the destination workload. Part of lib.mlfence.connectivity, kept in its own file for size.
# Istio's order: a matching DENY rule denies; else, with no ALLOW policy on the workload, the
# request is allowed; else it is allowed only when an ALLOW rule matches. Judged statically per
# flow and port: a rule's source matches the source workload by namespace and principal
# (cluster.local/ns/<namespace>/sa/<serviceAccountName>, the identity a source with a sidecar
# presents over mTLS; a source without one has none: connectivity_peerauth.rego), its `to` by
# ports. A rule that also depends on the request (methods, paths, hosts, requestPrincipals,
# `when`, notPorts, ipBlocks) matches some requests only: it never denies a whole flow, and an
# ALLOW rule of that kind lets the flow through "for some requests", which the deciding text says.
# Only TCP is mediated by the sidecar.
package lib.mlfence.connectivity

import data.lib.mlfence.config
import data.lib.mlfence.istio
import data.lib.mlfence.k8s

# authorization_policies[ns] is the list of AuthorizationPolicies of namespace ns, any version.
# (One comprehension: connectivity_model.rego's _group_names says why.)
# regal ignore:prefer-set-or-object-rule
authorization_policies := {ns: [p |
	some version, kinds in groups
	startswith(version, "security.istio.io/")
	some p in k8s.object_or_empty(object.get(k8s.object_or_empty(kinds), "AuthorizationPolicy", {}))
	is_object(p)
	is_object(p.spec)
	not _targets_gateways(p)
] |
	some ns in _group_names
	groups := _groups[ns]
}

# Policies bound with targetRef(s) act on a gateway or waypoint, not on the workload's sidecar.
_targets_gateways(p) if "targetRef" in object.keys(p.spec)

_targets_gateways(p) if "targetRefs" in object.keys(p.spec)

# authz_of(w) is the list of {"policy", "ref", "action"} that apply to workload w: those of its
# namespace and of the root namespace whose selector matches its labels (no selector: all pods).
authz_of(w) := [{"policy": p, "ref": sprintf("%s/%s", [ns, _name(p)]), "action": istio.action(p.spec)} |
	some ns in {w.namespace, config.value("istio_root_namespace")}
	some p in object.get(authorization_policies, ns, [])
	_authz_selects(p, w.labels)
]

_authz_selects(p, _) if not is_object(object.get(p.spec, "selector", null))

_authz_selects(p, labels) if {
	is_object(p.spec.selector)
	every key, value in k8s.object_or_empty(object.get(p.spec.selector, "matchLabels", {})) {
		labels[key] == value
	}
}

# mesh_connection(src, dst) is connection(src, dst) after the mesh: each TCP piece the mesh
# decides carries "authz_by"; pieces nothing mediates are unchanged. The mesh decides when dst's
# AuthorizationPolicies act on it, or when a source without a sidecar calls a destination with a
# sidecar that requires mTLS on some port (connectivity_peerauth.rego).
mesh_connection(src, dst) := connection(src, dst) if {
	not _mesh_decides(src, dst)
} else := array.concat(
	[p | some p in connection(src, dst); p.protocol != "TCP"],
	[object.union(p, {"authz_by": _no_sidecar_text}) | some p in connection(src, dst); p.protocol == "TCP"],
) if {
	outside_mesh(dst)
} else := array.concat(
	[p | some p in connection(src, dst); p.protocol != "TCP"],
	[object.union(p, span) |
		some p in connection(src, dst)
		p.protocol == "TCP"
		some span in _mesh_allowed(src, dst, p.from, p.to)
	],
)

# A destination without a sidecar enforces no AuthorizationPolicy: the policies that select it
# decide nothing.
_no_sidecar_text := "no sidecar: its AuthorizationPolicies are not enforced"

# mesh_denied(src, dst) is the list of TCP pieces the NetworkPolicies allow and the mesh denies:
# {"protocol", "from", "to", "denied_by"}, by dst's AuthorizationPolicies or, for a source without
# a sidecar, by the PeerAuthentication requiring mTLS.
mesh_denied(src, dst) := [] if {
	not _mesh_decides(src, dst)
} else := [] if {
	outside_mesh(dst)
} else := [{"protocol": "TCP", "from": d.from, "to": d.to, "denied_by": d.by} |
	some p in connection(src, dst)
	p.protocol == "TCP"
	some d in _mesh_refused(src, dst, p.from, p.to)
]

_mesh_decides(_, dst) if _mediated(dst)

_mesh_decides(src, dst) if _plaintext_meets_strict(src, dst)

_mediated(dst) if {
	some a in authz_of(dst)
	a.action in {"ALLOW", "DENY"}
}

# _mesh_allowed(src, dst, lo, hi) is the list of spans {"from", "to"} (with "authz_by" when dst's
# AuthorizationPolicies decide) of [lo, hi] the mesh lets through.
_mesh_allowed(src, dst, lo, hi) := [span |
	some g in _plaintext_accepted(src, dst, lo, hi)
	some span in _authz_or_open(src, dst, g.from, g.to)
]

_authz_or_open(src, dst, lo, hi) := _authz_allowed(src, dst, lo, hi) if _mediated(dst)

else := [{"from": lo, "to": hi}]

# _mesh_refused(src, dst, lo, hi) is the list of {"from", "to", "by"} of [lo, hi] the mesh refuses.
_mesh_refused(src, dst, lo, hi) := array.concat(
	_strict_refused(src, dst, lo, hi),
	[d |
		_mediated(dst)
		some g in _plaintext_accepted(src, dst, lo, hi)
		some d in _authz_denied(src, dst, g.from, g.to)
	],
)

# --- spans ---------------------------------------------------------------------------------------

# _deny_spans(src, dst) is the list of {"from", "to", "by"} port spans that DENY rules matching
# the whole flow cover.
_deny_spans(src, dst) := [object.union(span, {"by": sprintf("AuthorizationPolicy %s (DENY) rule %d", [a.ref, i])}) |
	some a in authz_of(dst)
	a.action == "DENY"
	some i, rule in istio.items(a.policy.spec.rules)
	not _request_level(rule)
	_from_matches(rule, src)
	some span in _rule_ports(rule)
]

_allow_policies(dst) := [a | some a in authz_of(dst); a.action == "ALLOW"]

# _allow_spans(src, dst) is the list of {"from", "to", "by"} port spans ALLOW rules admit.
_allow_spans(src, dst) := [object.union(span, {"by": sprintf("AuthorizationPolicy %s (ALLOW) rule %d%s", [
	a.ref, i, _some_requests(rule),
])}) |
	some a in _allow_policies(dst)
	some i, rule in istio.items(a.policy.spec.rules)
	_from_matches(rule, src)
	some span in _rule_ports(rule)
]

# (The note is empty for a source in the mesh: today's texts stay as they were.)
_identity_note(src) := " (the source has no sidecar, hence no mesh identity)" if outside_mesh(src)

else := ""

_some_requests(rule) := ", some requests only" if _request_level(rule)

else := ""

# _authz_allowed(src, dst, lo, hi) is the list of {"from", "to", "authz_by"} of [lo, hi] that
# no DENY rule covers and, when the workload has ALLOW policies, that an ALLOW rule admits.
_authz_allowed(src, dst, lo, hi) := [{"from": g.from, "to": g.to, "authz_by": "no ALLOW policy"} |
	some g in uncovered(lo, hi, _deny_spans(src, dst))
] if {
	count(_allow_policies(dst)) == 0
} else := [{"from": max([g.from, s.from]), "to": min([g.to, s.to]), "authz_by": s.by} |
	some g in uncovered(lo, hi, _deny_spans(src, dst))
	some s in _allow_spans(src, dst)
	max([g.from, s.from]) <= min([g.to, s.to])
]

_authz_denied(src, dst, lo, hi) := array.concat(
	[{"from": max([lo, d.from]), "to": min([hi, d.to]), "by": d.by} |
		some d in _deny_spans(src, dst)
		max([lo, d.from]) <= min([hi, d.to])
	],
	_unallowed(src, dst, lo, hi),
)

_unallowed(src, dst, lo, hi) := [] if {
	count(_allow_policies(dst)) == 0
} else := [{"from": g.from, "to": g.to, "by": sprintf("no ALLOW rule of AuthorizationPolicy %s matches%s", [
	concat(", ", sort({a.ref | some a in _allow_policies(dst)})), _identity_note(src),
])} |
	some g in uncovered(lo, hi, array.concat(_deny_spans(src, dst), _allow_spans(src, dst)))
]

# uncovered(lo, hi, spans) is the set of sub-ranges {"from", "to"} of [lo, hi] that no span
# ({"from", "to"}) covers.
uncovered(lo, hi, spans) := {gap |
	some s in _gap_starts(lo, hi, spans)
	not _covered(s, spans)
	gap := {"from": s, "to": min({hi} | {x | some r in spans; r.from > s; x := r.from - 1; x <= hi})}
}

_gap_starts(lo, hi, spans) := {lo} | {x | some r in spans; x := r.to + 1; x >= lo; x <= hi}

_covered(x, spans) if {
	some r in spans
	r.from <= x
	x <= r.to
}

# --- rules ---------------------------------------------------------------------------------------

# _rule_ports(rule) is the port spans a rule's `to` names: every port when it names none (or any
# `to` entry names none).
_rule_ports(rule) := [{"from": 1, "to": 65535}] if {
	some entry in _to_entries(rule)
	count(istio.string_items(object.get(_operation(entry), "ports", []))) == 0
} else := [{"from": n, "to": n} |
	some entry in _to_entries(rule)
	some port in istio.string_items(object.get(_operation(entry), "ports", []))
	regex.match(`^[0-9]{1,5}$`, port)
	n := to_number(port)
]

_to_entries(rule) := [{}] if count(istio.items(object.get(k8s.object_or_empty(rule), "to", []))) == 0

else := [k8s.object_or_empty(e) | some e in rule.to]

_request_keys := {"methods", "paths", "hosts", "notMethods", "notPaths", "notHosts", "notPorts"}

_source_request_keys := {
	"requestPrincipals", "notRequestPrincipals",
	"ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks",
}

# _request_level(rule) holds when the rule depends on more than the source workload and the port.
_request_level(rule) if count(istio.items(object.get(k8s.object_or_empty(rule), "when", []))) > 0

_request_level(rule) if {
	some entry in _to_entries(rule)
	some key in object.keys(_operation(entry))
	key in _request_keys
}

_request_level(rule) if {
	some entry in istio.items(object.get(k8s.object_or_empty(rule), "from", []))
	some key in object.keys(k8s.object_or_empty(object.get(k8s.object_or_empty(entry), "source", {})))
	key in _source_request_keys
}

# _from_matches(rule, src) holds when the rule's `from` admits the source workload: no `from`, or
# one entry whose source fields all admit it.
_from_matches(rule, _) if count(istio.items(object.get(k8s.object_or_empty(rule), "from", []))) == 0

_from_matches(rule, src) if {
	some entry in istio.items(rule.from)
	source := k8s.object_or_empty(object.get(k8s.object_or_empty(entry), "source", {}))
	_source_admits(source, src)
}

_source_admits(source, src) if {
	not outside_mesh(src)
	_admits(source, "namespaces", "notNamespaces", src.namespace)
	_admits(source, "principals", "notPrincipals", principal(src))
}

# A source without a sidecar speaks plaintext and has no mesh identity: a rule naming principals
# or namespaces does not match it (Istio matches them on the peer certificate), and the negated
# fields, which list identities it does not have, do.
_source_admits(source, src) if {
	outside_mesh(src)
	not "namespaces" in object.keys(source)
	not "principals" in object.keys(source)
}

# principal(w) is the SPIFFE identity Istio gives the workload's pods.
principal(w) := sprintf("cluster.local/ns/%s/sa/%s", [w.namespace, w.service_account])

_admits(source, key, not_key, value) if {
	not key in object.keys(source)
	not _listed(istio.string_items(object.get(source, not_key, [])), value)
}

_admits(source, key, not_key, value) if {
	_listed(istio.string_items(source[key]), value)
	not _listed(istio.string_items(object.get(source, not_key, [])), value)
}

# Istio's string match: exact, "*", a "prefix*" or a "*suffix".
_listed(patterns, value) if {
	some p in patterns
	_string_match(p, value)
}

_string_match("*", _)

_string_match(p, value) if p == value

_string_match(p, value) if {
	endswith(p, "*")
	p != "*"
	startswith(value, trim_suffix(p, "*"))
}

_string_match(p, value) if {
	startswith(p, "*")
	p != "*"
	endswith(value, trim_prefix(p, "*"))
}

_operation(entry) := k8s.object_or_empty(object.get(entry, "operation", {}))
