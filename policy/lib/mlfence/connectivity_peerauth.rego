# The mesh's edge for the Istio layer: which workloads run without a sidecar, and the mTLS mode
# (PeerAuthentication) a workload's sidecar applies per port. Part of lib.mlfence.connectivity,
# kept in its own file for size; connectivity_authz.rego applies both to the flows: a source
# without a sidecar speaks plaintext, which a port in STRICT mode refuses and which carries no
# mesh identity for the AuthorizationPolicies; a destination without a sidecar enforces none.
package lib.mlfence.connectivity

import data.lib.mlfence.config
import data.lib.mlfence.istio
import data.lib.mlfence.k8s

# --- sidecars -------------------------------------------------------------------------------------

# outside_mesh(w) holds when workload w's pods run without a sidecar: its Namespace's label
# istio-injection has a value other than "enabled" (then none of Istio's injection webhooks
# matches the namespace; MLF-K8S-012 reads the label the same way), or its pod template's
# metadata turns injection off (istio.sidecar_opt_out: the injector's reading), and the pod does
# not run Istio's proxy itself (istio.runs_proxy: gateways and ztunnel turn injection off because
# they are the proxy, with their own mesh identity). Every other workload counts as in the mesh,
# as before: manifests rarely carry the labels that turn injection on, and a model that took
# them out of the mesh would change every answer for them.
outside_mesh(w) if {
	_injection_off(w)
	not _runs_proxy(w)
}

_injection_off(w) if {
	value := _raw_inventory.cluster.v1.Namespace[w.namespace].metadata.labels["istio-injection"]
	value != "enabled"
}

_injection_off(w) if {
	some template in _templates_of(w)
	istio.sidecar_opt_out(template.metadata)
}

_runs_proxy(w) if {
	some template in _templates_of(w)
	istio.runs_proxy(template.spec)
}

# _templates_of(w) is the pod template {"metadata", "spec"} behind workload w: the object is
# found by namespace, kind and name (the inventory's keys), the template by w's path.
_templates_of(w) := [template |
	some kinds in _groups[w.namespace]
	obj := kinds[w.kind][w.name]
	template := _template_at(obj, w.path)
]

_template_at(obj, path) := {
	"metadata": k8s.object_or_empty(object.get(template, "metadata", {})),
	"spec": template.spec,
} if {
	path == "spec.template.spec" # workload_entries' own path for the built-in kinds
	template := k8s.spec_template(obj)
} else := {"metadata": t.metadata, "spec": t.spec} if {
	some t in pod_templates(obj)
	t.path == path
}

# --- mTLS modes -----------------------------------------------------------------------------------
# Istio's precedence (PeerAuthentication reference): a workload-selector policy of the workload's
# namespace, else the namespace's policy without selector, else the root namespace's (mesh-wide),
# else PERMISSIVE; mode UNSET (or none) inherits from the next level. portLevelMtls, keyed by the
# workload's (container) port, overrides the mode per port and counts only with a selector. A
# selector policy in the root namespace is ignored. Several policies at one level: Istio takes the
# oldest, which manifests do not tell, so the weakest mode is taken (as istio.namespace_wide_mode).

_modes := {"DISABLE": 0, "PERMISSIVE": 1, "STRICT": 2}

# mtls_spans(dst) is the list of {"from", "to", "mode", "by"} covering ports 1-65535 of workload
# dst: the mode its sidecar applies there and the text naming the PeerAuthentication that set it.
mtls_spans(dst) := [object.union({"from": 1, "to": 65535}, _inherited(dst))] if {
	count(_workload_peer_policies(dst)) == 0
} else := array.concat(
	[object.union({"from": n, "to": n}, _weakest([_port_mode(p, n, dst) | some p in policies])) |
		some n in ports
	],
	[object.union(gap, _weakest([_policy_mode(p, dst) | some p in policies])) |
		some gap in uncovered(1, 65535, [{"from": n, "to": n} | some n in ports])
	],
) if {
	policies := _workload_peer_policies(dst)
	ports := {n | some p in policies; some n, _ in _port_levels(p)}
}

# _peer_policies(ns) is the list of PeerAuthentications of namespace ns, any version.
_peer_policies(ns) := [p |
	some version, kinds in _groups[ns]
	startswith(version, "security.istio.io/")
	some p in k8s.object_or_empty(object.get(k8s.object_or_empty(kinds), "PeerAuthentication", {}))
	is_object(p)
]

_workload_peer_policies(dst) := [p |
	dst.namespace != config.value("istio_root_namespace")
	some p in _peer_policies(dst.namespace)
	not istio.selects_all(p)
	_peer_selects(p, dst.labels)
]

# A PeerAuthentication's selector is the WorkloadSelector an AuthorizationPolicy's is: matched as
# _authz_selects matches it, once its matchLabels is a map (selects_all took the empty ones).
_peer_selects(p, labels) if {
	is_object(p.spec.selector.matchLabels)
	_authz_selects(p, labels)
}

# _inherited(dst) is the mode {"mode", "by"} dst's namespace, else the mesh, sets.
_inherited(dst) := m if {
	m := _namespace_mode(dst.namespace)
} else := m if {
	m := _namespace_mode(config.value("istio_root_namespace"))
} else := {"mode": "PERMISSIVE", "by": "no PeerAuthentication (PERMISSIVE)"}

_namespace_mode(ns) := {"mode": mode, "by": sprintf("PeerAuthentication %s (%s)", [ref, mode])} if {
	wide := [p | some p in _peer_policies(ns); istio.selects_all(p)]
	mode := istio.namespace_wide_mode(wide)
	mode in object.keys(_modes)
	ref := min({sprintf("%s/%s", [ns, _name(p)]) | some p in wide; istio.peer_mode(p) == mode})
}

# _policy_mode(p, dst) is the mode a workload-selector policy sets on dst's ports it does not list.
_policy_mode(p, dst) := {"mode": mode, "by": sprintf("PeerAuthentication %s/%s (%s)", [
	dst.namespace, _name(p), mode,
])} if {
	mode := istio.peer_mode(p)
	mode in object.keys(_modes)
} else := _inherited(dst)

_port_mode(p, n, dst) := {"mode": mode, "by": sprintf("PeerAuthentication %s/%s (%s on port %d)", [
	dst.namespace, _name(p), mode, n,
])} if {
	mode := _port_levels(p)[n]
} else := _policy_mode(p, dst)

# _port_levels(p) is {port: mode} of a policy's portLevelMtls entries that set a mode. (YAML
# writes the keys as numbers; JSON and Gatekeeper's sync as strings.)
_port_levels(p) := {n: mode |
	some key, setting in k8s.object_or_empty(object.get(p.spec, "portLevelMtls", {}))
	n := _port_key(key)
	mode := istio.peer_mode({"spec": {"mtls": setting}})
	mode in object.keys(_modes)
}

_port_key(key) := key if is_number(key)

_port_key(key) := to_number(key) if {
	is_string(key)
	regex.match(`^[0-9]{1,5}$`, key)
}

_weakest(settings) := {"mode": s.mode, "by": s.by} if {
	low := min({_modes[x.mode] | some x in settings})
	by := min({x.by | some x in settings; _modes[x.mode] == low})
	some s in settings
	s.by == by
}

# --- plaintext callers ----------------------------------------------------------------------------

# _plaintext_meets_strict(src, dst) holds when a source without a sidecar calls a workload with
# one whose sidecar requires mTLS on some port. (The cheap test first: most pairs meet no STRICT.)
_plaintext_meets_strict(src, dst) if {
	_requires_mtls(dst)
	outside_mesh(src)
	not outside_mesh(dst)
}

_requires_mtls(dst) if {
	_mtls_policies_near(dst)
	some span in mtls_spans(dst)
	span.mode == "STRICT"
}

# _mtls_policies_near(dst) holds when dst's namespace or the root namespace holds a
# PeerAuthentication: without one every port is PERMISSIVE. (_peer_policies is kept per namespace:
# a lookup per pair, cheaper than building the spans; most platforms' namespaces hold none.)
_mtls_policies_near(dst) if {
	some ns in [dst.namespace, config.value("istio_root_namespace")]
	count(_peer_policies(ns)) > 0
}

# _plaintext_accepted(src, dst, lo, hi) is the sub-ranges {"from", "to"} of [lo, hi] where dst's
# sidecar accepts src's traffic.
_plaintext_accepted(src, dst, lo, hi) := uncovered(lo, hi, [s | some s in mtls_spans(dst); s.mode == "STRICT"]) if {
	_plaintext_meets_strict(src, dst)
} else := [{"from": lo, "to": hi}]

# _strict_refused(src, dst, lo, hi) is the list of {"from", "to", "by"} of [lo, hi] that dst's
# sidecar refuses to src's plaintext.
_strict_refused(src, dst, lo, hi) := [{"from": max([lo, s.from]), "to": min([hi, s.to]), "by": s.by} |
	_plaintext_meets_strict(src, dst)
	some s in mtls_spans(dst)
	s.mode == "STRICT"
	max([lo, s.from]) <= min([hi, s.to])
]
