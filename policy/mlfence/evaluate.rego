# METADATA
# description: |
#   The engine adapter for everything that is not Gatekeeper. It recognises what arrived
#   (a Kubernetes object, an AdmissionReview, a Terraform plan), builds the Gatekeeper-shaped
#   input every rule is written against, and runs all rules of the matching target with it.
#   Rules are never copied: they are evaluated `with input as` the adapted document.
package mlfence

import data.lib.mlfence.gateway_exposure
import data.lib.mlfence.result
import data.lib.mlfence.tfplan

# Rule parameters come from data/mlfence/config; Gatekeeper gets the same values rendered
# into Constraint parameters by `mlfence build`. The synced published ranges are not passed
# here: lib.mlfence.ranges reads them as data (data.mlfence.rangedata), so no decision
# copies the large indexes into its input.
# A run may override single parameters (data.mlfence.overrides, e.g. `mlfence check
# --all-resources` sets all_resources) without rewriting the data folder: two data files
# cannot both define data.mlfence.config.<key>.
default params := {}

params := object.union(data.mlfence.config, _overrides) if is_object(data.mlfence.config)

default _overrides := {}

_overrides := data.mlfence.overrides if is_object(data.mlfence.overrides)

# document_kind(doc) names what a document is; anything else is "unrecognised".
document_kind(doc) := "admission_review" if {
	is_object(doc)
	doc.kind == "AdmissionReview"
	_reviewable(doc.request)
} else := "terraform_plan" if {
	tfplan.is_plan(doc)
} else := "kubernetes_object" if {
	is_object(doc)
	is_string(doc.kind)
	is_string(doc.apiVersion)
} else := "unrecognised"

# A request mlfence can judge: it carries the object, or it removes one (nothing to check).
# An AdmissionReview without either is malformed and falls to "unrecognised": denied.
_reviewable(request) if is_object(request.object)

_reviewable(request) if request.operation in {"DELETE", "CONNECT"}

# review_of(doc) is Gatekeeper's input.review for a raw object or an AdmissionReview.
review_of(doc) := doc.request if {
	document_kind(doc) == "admission_review"
} else := {
	"object": doc,
	"operation": "CREATE",
	"kind": {"kind": doc.kind, "version": doc.apiVersion},
}

# document_findings(doc, inventory) is the list of findings for one document, sorted.
# `inventory` has Gatekeeper's data.inventory shape, for rules that look across objects; null
# judges against data.inventory as loaded.
document_findings(doc, inventory) := sort(_k8s_findings(review_of(doc), inventory)) if {
	document_kind(doc) in {"kubernetes_object", "admission_review"}
} else := sort(_terraform_findings(doc)) if {
	document_kind(doc) == "terraform_plan"
} else := [unrecognised_finding]

# All rules of a target run under one `with`: OPA caches what the libs compute (the object's
# pod specs, its namespace, the parameters) for the whole evaluation, instead of once per rule.
# An inventory of null leaves data.inventory as it is: replacing data with a value costs time
# proportional to the value (about 50 ms per decision for an inventory of 3,000 objects), which
# a sidecar fed data.inventory need not pay to get the same inventory back.
#
# The rules to run are looked up before the `with` (_rules_for): outside it OPA keeps the answer
# for each kind for the whole scan, inside it every document would look the index up again.
_k8s_findings(review, null) := {as_finding(violation) |
	rules := _rules_for(_kind_of(review))
	found := _k8s_violations(rules) with input as {"review": review, "parameters": params}
	some violation in found
}

# An empty inventory (a sidecar nobody feeds: decision.rego passes {}) has no table worth
# handing in.
_k8s_findings(review, {}) := {as_finding(violation) |
	rules := _rules_for(_kind_of(review))
	found := _k8s_violations(rules) with input as {"review": review, "parameters": params}
		with data.inventory as {}
	some violation in found
}

# What the libs derive from the inventory alone would be derived again for every document under
# its `with` (OPA starts its cache afresh in each): such tables are computed here, once per
# value of the part of the inventory they read (OPA keeps a function's result per argument
# value), and handed in with the inventory.
_k8s_findings(review, inventory) := {as_finding(violation) |
	rules := _rules_for(_kind_of(review))
	found := _k8s_violations(rules) with input as {"review": review, "parameters": params}
		with data.inventory as inventory
		with gateway_exposure.selecting_services as _selecting_services(_namespaced(inventory))
	some violation in found
} if {
	inventory != null
	inventory != {}
}

# selecting_services reads the namespaced objects only, which every document of a scan shares
# (scan.rego's inventory_for varies the cluster-scoped part by scope): keyed by that part, the
# Services are listed once per scan.
_selecting_services(namespaced) := services if {
	services := gateway_exposure.selecting_services with data.inventory as {"namespace": namespaced}
}

_namespaced(inventory) := inventory.namespace if is_object(inventory.namespace)

else := {}

# A reference down to `.violation` evaluates only that rule of each package (never a whole
# package document, which would also evaluate its tests). With the rule index (data/mlfence/
# rule_index, written from the rules' METADATA kinds by `make generate` and by every bundle
# build) only the rules that list the object's kind run, exactly the Constraints Gatekeeper
# would match; without an index every rule runs.
#
# _rules_for(kind) is the [area, rule] pairs the index routes the kind to, null without an index.
_rules_for(kind) := array.concat(object.get(_rule_index.kinds, [kind], []), _any_kind_rules) if {
	is_object(_rule_index.kinds)
} else := null

_k8s_violations(null) := union({found |
	some area, rule
	found := data.mlfence.k8s[area][rule].violation
})

_k8s_violations(rules) := union({found |
	some pair in rules
	found := data.mlfence.k8s[pair[0]][pair[1]].violation
}) if {
	rules != null
}

_kind_of(review) := review.object.kind if is_string(review.object.kind)

else := ""

default _rule_index := {}

_rule_index := data.mlfence.rule_index.kubernetes if is_object(data.mlfence.rule_index.kubernetes)

default _any_kind_rules := []

_any_kind_rules := _rule_index.any_kind if is_array(_rule_index.any_kind)

# cross_object_rules are the IDs of the Kubernetes rules that read data.inventory (the index
# lists them, derived from their sources): their verdict on an object depends on the objects
# around it. Without an index: none.
cross_object_rules contains id if {
	is_array(_rule_index.cross_object)
	some id in _rule_index.cross_object
}

_terraform_findings(plan) := {as_finding(violation) |
	some violation in _judged(plan).violations
}

# unchanged_summary(doc) says, for a plan, how many unchanged resources were left out of the
# review (nothing changed depends on them and posture mode is off); {} for anything else.
unchanged_summary(doc) := {"unchanged_not_judged": _judged(doc).unchanged_not_judged} if {
	document_kind(doc) == "terraform_plan"
} else := {}

# _judged(plan) is the plan's violations and its count of unchanged resources not judged, both
# under one `with`: what the rules and the count share (the plan's resources, what the changed
# ones depend on) is computed once per plan. OPA keeps a function's result for the same
# argument, so the scan's two calls (findings, then summary) evaluate the plan once.
#
# The rules to run are looked up before the `with`, as for Kubernetes objects (_k8s_findings).
_judged(plan) := {"violations": violations, "unchanged_not_judged": n} if {
	rules := _terraform_rules_for(plan)
	[violations, n] := [_terraform_violations(rules), tfplan.unchanged_not_judged] with input as {
		"plan": plan,
		"parameters": params,
	}
}

_terraform_violations(null) := union({found |
	some provider, rule
	found := data.mlfence.terraform[provider][rule].violation
})

_terraform_violations(rules) := union({found |
	some pair in rules
	found := data.mlfence.terraform[pair[0]][pair[1]].violation
}) if {
	rules != null
}

# _terraform_rules_for(plan) is the set of [area, rule] pairs the rule index routes the plan's
# resource types to (data/mlfence/rule_index, from the rules' METADATA kinds), null (every rule)
# without an index or without resource_changes. Every resource a rule judges or joins comes from
# resource_changes when the plan has them (lib.mlfence.tfplan), and each rule judges resources
# of its kinds, so a rule none of whose kinds the plan holds has nothing to say about it: most
# rules, for most plans.
_terraform_rules_for(plan) := {pair |
	some type in {c.type | some c in plan.resource_changes; is_string(c.type)}
	some pair in _terraform_rules_of_type(type)
} | {pair | some pair in _terraform_index.any_type} if {
	is_object(_terraform_index.types)
	is_array(plan.resource_changes)
} else := null

# Looked up once per type for the whole scan (OPA keeps a function's result per argument).
_terraform_rules_of_type(type) := {pair | some pair in object.get(_terraform_index.types, [type], [])} | {pair |
	some prefix, pairs in _terraform_index.prefixes
	startswith(type, prefix)
	some pair in pairs
}

default _terraform_index := {}

_terraform_index := data.mlfence.rule_index.terraform if is_object(data.mlfence.rule_index.terraform)

# as_finding(violation) flattens a rule's {"msg", "details"} into the finding contract: `message`
# is the message as conftest and Gatekeeper print it (with the rule ID), `text` the same without.
as_finding(violation) := object.union(violation.details, {"message": violation.msg})

# Anything mlfence cannot read is refused: a policy engine that passes what it cannot parse
# fails open.
unrecognised_finding := {
	"rule_id": "MLF-INPUT-001",
	"severity": "high",
	"status": "fail",
	"title": "Input not recognised",
	"resource": "",
	"message": result.with_rule_id("MLF-INPUT-001", _unrecognised_text),
	"text": _unrecognised_text,
	"remediation": "Send a Kubernetes object, an admission.k8s.io/v1 AdmissionReview, or `terraform show -json` output.",
}

_unrecognised_text := "input is neither a Kubernetes object, an AdmissionReview nor a Terraform plan"

# is_failing(finding) holds for findings that block: failures and values unknown until apply
# do not block (the latter are warnings), exemptions never block.
is_failing(finding) if finding.status == "fail"
