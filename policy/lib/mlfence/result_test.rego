package lib.mlfence.result_test

import data.lib.mlfence.result

# 2026-06-15T12:00:00Z
_noon := 1781524800000000000

_chain := [{"annotations": {
	"title": "T",
	"custom": {"id": "MLF-K8S-900", "severity": "high", "recommended_action": "fix it"},
}}]

_exemption(rule, resource, expires) := {
	"rule": rule, "resource": resource, "reason": "reviewed by security", "owner": "platform", "expires": expires,
}

_with(parameters) := f if {
	f := result.failure(_chain, "ml/Service/gw", "open") with input.parameters as parameters
		with time.now_ns as _noon
}

_finding(exemptions) := _with({"exemptions": exemptions})

_at(resource, exemptions) := f if {
	f := result.failure(_chain, resource, "open") with input.parameters as {"exemptions": exemptions}
		with time.now_ns as _noon
}

test_finding_carries_metadata if {
	f := _finding([])
	f.msg == "MLF-K8S-900: open"
	f.details == {
		"rule_id": "MLF-K8S-900", "severity": "high", "title": "T", "resource": "ml/Service/gw",
		"remediation": "fix it", "status": "fail", "text": "open",
	}
}

# The message without the rule ID is data: a report never strips the ID off `msg` again, and a
# waiver's note is part of both.
test_text_is_the_message_without_the_rule_id if {
	f := _finding([_exemption("MLF-K8S-900", "ml/Service/*", "2026-07-01")])
	f.details.text == "open [exempted until 2026-07-01: reviewed by security, owner platform]"
	f.msg == concat("", ["MLF-K8S-900: ", f.details.text])
}

test_active_exemption_exempts_and_says_why if {
	f := _finding([_exemption("MLF-K8S-900", "ml/Service/*", "2026-07-01")])
	f.details.status == "exempted"
	f.details.exemption.state == "active"
	contains(f.msg, "exempted until 2026-07-01: reviewed by security, owner platform")
}

test_exemption_valid_through_its_last_day if {
	_finding([_exemption("MLF-K8S-900", "*", "2026-06-15")]).details.status == "exempted"
}

test_expired_exemption_keeps_failing_and_says_so if {
	f := _finding([_exemption("MLF-K8S-900", "*", "2026-06-14")])
	f.details.status == "fail"
	f.details.exemption.state == "expired"
	contains(f.msg, "exemption expired on 2026-06-14")
}

test_active_wins_over_expired if {
	f := _finding([_exemption("MLF-K8S-900", "*", "2020-01-01"), _exemption("MLF-K8S-900", "ml/*", "2026-08-01")])
	f.details.status == "exempted"
}

test_other_rule_or_resource_does_not_exempt if {
	_finding([_exemption("MLF-K8S-901", "*", "2026-08-01")]).details.status == "fail"
	_finding([_exemption("MLF-K8S-900", "other/*", "2026-08-01")]).details.status == "fail"
}

# Issue 16 §4: the abusive entry silences nothing, in any engine (they all run this code).
test_abusive_exemption_exempts_nothing if {
	abusive := {"rule": "*", "resource": "*", "reason": "x", "owner": "x", "expires": "9999-12-31"}
	_finding([abusive]).details.status == "fail"
	_finding([object.union(abusive, {"reason": "reviewed by security", "owner": "platform"})]).details.status == "fail"
}

test_expiry_beyond_the_maximum_lifetime_does_not_exempt if {
	_finding([_exemption("MLF-K8S-900", "*", "2026-09-13")]).details.status == "exempted"
	_finding([_exemption("MLF-K8S-900", "*", "2026-09-14")]).details.status == "fail"
	_finding([_exemption("MLF-K8S-900", "*", "2999-12-31")]).details.status == "fail"
	longer := {"exemptions": [_exemption("MLF-K8S-900", "*", "2026-12-31")], "exemption_limits": {"max_days": 365}}
	_with(longer).details.status == "exempted"
}

test_rule_wildcard_needs_the_setting_and_a_specific_resource if {
	entry := _exemption("*", "ml/Service/*", "2026-07-01")
	_finding([entry]).details.status == "fail"
	allowed := {"allow_all_rules": true}
	_with({"exemptions": [entry], "exemption_limits": allowed}).details.status == "exempted"
	_with({"exemptions": [object.union(entry, {"resource": "**"})], "exemption_limits": allowed}).details.status == "fail"
}

test_placeholder_owner_or_short_reason_does_not_exempt if {
	_finding([object.union(_exemption("MLF-K8S-900", "*", "2026-07-01"), {"owner": "x"})]).details.status == "fail"
	_finding([object.union(_exemption("MLF-K8S-900", "*", "2026-07-01"), {"owner": "TBD"})]).details.status == "fail"
	_finding([object.union(_exemption("MLF-K8S-900", "*", "2026-07-01"), {"reason": "ok"})]).details.status == "fail"
	not result.real_owner("me")
	result.real_owner("ml-platform@example.com")
}

test_malformed_entries_do_not_exempt if {
	_finding([_exemption("MLF-K8S-900", "*", "soon")]).details.status == "fail"
	_finding([{"rule": "MLF-K8S-900", "resource": "*"}, "junk", null]).details.status == "fail"
}

# Issue 16 §4: `*` matches Terraform addresses as it matches Kubernetes names; glob meta
# characters other than * and ? are literal, so an exact address matches itself.
test_resource_glob_is_the_same_for_terraform_addresses if {
	_at("module.ml.aws_security_group.notebook[0]", [_exemption("MLF-K8S-900", "*", "2026-07-01")]).details.status == "exempted"
	_at("module.ml.aws_security_group.notebook[0]", [_exemption("MLF-K8S-900", "module.ml.*", "2026-07-01")]).details.status == "exempted"
	exact := "module.ml.aws_security_group.notebook[0]"
	_at(exact, [_exemption("MLF-K8S-900", exact, "2026-07-01")]).details.status == "exempted"
	_at("module.ml.aws_security_group.notebook0", [_exemption("MLF-K8S-900", exact, "2026-07-01")]).details.status == "fail"
	_at("ml/Service/a.b", [_exemption("MLF-K8S-900", "ml/Service/*", "2026-07-01")]).details.status == "exempted"
	_at("aws_s3_bucket.b[\"x\"]", [_exemption("MLF-K8S-900", "aws_s3_bucket.b[\"?\"]", "2026-07-01")]).details.status == "exempted"
}

test_disabled_rule_reports_nothing if {
	not result.failure(_chain, "r", "m") with input.parameters as {"rule_settings": {"disable": ["MLF-K8S-900"]}}
	result.failure(_chain, "r", "m") with input.parameters as {"rule_settings": {"disable": ["MLF-K8S-901"]}}
	not result.failure(_chain, "r", "m") with input.parameters as {"rule_settings": {"enable": ["MLF-K8S-901"]}}
	result.failure(_chain, "r", "m") with input.parameters as {"rule_settings": {"enable": ["MLF-K8S-900"]}}
}

test_severity_override if {
	f := result.failure(_chain, "r", "m") with input.parameters as {"rule_settings": {"severity": {"MLF-K8S-900": "low"}}}
	f.details.severity == "low"
	g := result.with_severity(_chain, "r", "m", "critical") with input.parameters as {"rule_settings": {"severity": {"MLF-K8S-900": "low"}}}
	g.details.severity == "low"
}

_annotated(annotations) := f if {
	f := result.failure(_chain, "ml/Service/gw", "open") with input.review.object as {"metadata": {"annotations": annotations}}
		with time.now_ns as _noon
}

test_annotation_suppresses_with_a_reason if {
	f := _annotated({"mlfence.io/suppress": "MLF-K8S-901, mlf-k8s-900", "mlfence.io/suppress-reason": "behind the VPN, PLAT-1"})
	f.details.status == "exempted"
	f.details.suppression.state == "active"
	contains(f.msg, "suppressed inline: behind the VPN, PLAT-1")
}

test_annotation_without_reason_or_expired_is_reported if {
	f := _annotated({"mlfence.io/suppress": "MLF-K8S-900"})
	f.details.status == "fail"
	f.details.suppression.state == "invalid"
	contains(f.msg, "inline suppression ignored")
	g := _annotated({
		"mlfence.io/suppress": "MLF-K8S-900", "mlfence.io/suppress-reason": "behind the VPN, PLAT-1",
		"mlfence.io/suppress-expires": "2026-06-14",
	})
	g.details.status == "fail"
	g.details.suppression.state == "expired"
	h := _annotated({"mlfence.io/suppress": "MLF-K8S-901", "mlfence.io/suppress-reason": "behind the VPN, PLAT-1"})
	h.details.status == "fail"
	not h.details.suppression
}

test_terraform_tag_suppresses_its_resource_only if {
	plan := {"resource_changes": [{"address": "aws_security_group.a", "change": {"after": {"tags": {
		"mlfence-suppress": "MLF-K8S-900",
		"mlfence-suppress-reason": "bastion, reviewed in PLAT-9",
		"mlfence-suppress-expires": "2026-12-31",
	}}}}]}
	a := result.failure(_chain, "aws_security_group.a", "open") with input.plan as plan with time.now_ns as _noon
	a.details.status == "exempted"
	b := result.failure(_chain, "aws_security_group.b", "open") with input.plan as plan with time.now_ns as _noon
	b.details.status == "fail"
}

# Comments on .tf resource blocks, passed in by mlfence check beside the plan.
_commented(marks) := {
	"resource_changes": [{"address": "aws_security_group.a", "change": {"after": {}}}],
	"mlfence_source_suppressions": {"aws_security_group.a": object.union({"where": "main.tf:3"}, marks)},
}

test_terraform_comment_suppresses_its_resource_only if {
	plan := _commented({"rules": "MLF-K8S-900", "reason": "bastion, reviewed in PLAT-9", "expires": "2026-12-31"})
	a := result.failure(_chain, "aws_security_group.a", "open") with input.plan as plan with time.now_ns as _noon
	a.details.status == "exempted"
	a.details.suppression == {
		"rules": "MLF-K8S-900", "reason": "bastion, reviewed in PLAT-9", "expires": "2026-12-31",
		"where": "main.tf:3", "state": "active",
	}
	b := result.failure(_chain, "aws_security_group.b", "open") with input.plan as plan with time.now_ns as _noon
	b.details.status == "fail"
}

test_terraform_comment_judged_as_the_tag if {
	no_reason := _commented({"rules": "MLF-K8S-900"})
	a := result.failure(_chain, "aws_security_group.a", "open") with input.plan as no_reason with time.now_ns as _noon
	a.details.status == "fail"
	a.details.suppression.state == "invalid"
	expired := _commented({"rules": "MLF-K8S-900", "reason": "bastion, reviewed in PLAT-9", "expires": "2020-01-01"})
	b := result.failure(_chain, "aws_security_group.a", "open") with input.plan as expired with time.now_ns as _noon
	b.details.status == "fail"
	b.details.suppression.state == "expired"
	other_rule := _commented({"rules": "MLF-K8S-901", "reason": "bastion, reviewed in PLAT-9"})
	c := result.failure(_chain, "aws_security_group.a", "open") with input.plan as other_rule with time.now_ns as _noon
	c.details.status == "fail"
	not c.details.suppression
}

test_terraform_tag_wins_over_comment if {
	plan := {
		"resource_changes": [{"address": "aws_security_group.a", "change": {"after": {"tags": {
			"mlfence-suppress": "MLF-K8S-900",
			"mlfence-suppress-reason": "tagged: bastion, reviewed in PLAT-9",
		}}}}],
		"mlfence_source_suppressions": {"aws_security_group.a": {"rules": "MLF-K8S-900", "reason": "commented x"}},
	}
	a := result.failure(_chain, "aws_security_group.a", "open") with input.plan as plan with time.now_ns as _noon
	a.details.suppression.reason == "tagged: bastion, reviewed in PLAT-9"
}

test_warning_and_unknown_statuses if {
	result.warning(_chain, "r", "m").details.status == "warn"
	result.unknown(_chain, "r", "m").details.status == "unknown"
	result.with_severity(_chain, "r", "m", "critical").details.severity == "critical"
}

# Without settings failure, unknown, warning and with_severity write the finding out themselves;
# it must be what the general path (finding, which applies the settings) makes, with the ID taken
# from the nearest chain entry that has one (a rule's own annotations often carry none).
test_plain_literal_is_the_general_finding if {
	some chain in [_chain, array.concat([{"annotations": {"title": "rule without an id"}}], _chain)]
	result.failure(chain, "r", "m") == result.finding(chain, "r", "m", "fail")
	result.unknown(chain, "r", "m") == result.finding(chain, "r", "m", "unknown")
	result.warning(chain, "r", "m") == result.finding(chain, "r", "m", "warn")
	general := result.finding(chain, "r", "m", "fail")
	result.with_severity(chain, "r", "m", "critical") == object.union(
		general,
		{"details": object.union(general.details, {"severity": "critical"})},
	)
}

# A setting that changes nothing (every rule enabled) takes the general path to the same finding.
test_settings_that_change_nothing_give_the_plain_finding if {
	plain := result.failure(_chain, "r", "m")
	plain == result.failure(_chain, "r", "m") with input.parameters as {"rule_settings": {"enable": ["MLF-K8S-900"]}}
	plain.details.severity == "high"
}
