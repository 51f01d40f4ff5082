package lib.mlfence.result_test

import data.lib.mlfence.result

# 2026-06-15T12:00:00Z
_noon := 1781524800000000000

_chain := [{"annotations": {
	"title": "T",
	"custom": {"id": "MLF-K8S-900", "severity": "high", "recommended_action": "fix it"},
}}]

_exemption(rule, resource, expires) := {
	"rule": rule, "resource": resource, "reason": "reviewed", "owner": "platform", "expires": expires,
}

_finding(exemptions) := f if {
	f := result.violation(_chain, "ml/Service/gw", "open") with input.parameters as {"exemptions": exemptions}
		with time.now_ns as _noon
}

test_finding_carries_metadata if {
	f := _finding([])
	f.msg == "MLF-K8S-900: open"
	f.details == {
		"rule_id": "MLF-K8S-900", "severity": "high", "title": "T", "resource": "ml/Service/gw",
		"remediation": "fix it", "status": "fail",
	}
}

test_active_exemption_exempts_and_says_why if {
	f := _finding([_exemption("MLF-K8S-900", "ml/Service/*", "2026-07-01")])
	f.details.status == "exempted"
	f.details.exemption.state == "active"
	contains(f.msg, "exempted until 2026-07-01: reviewed, owner platform")
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
	f := _finding([_exemption("MLF-K8S-900", "*", "2020-01-01"), _exemption("*", "ml/*", "2027-01-01")])
	f.details.status == "exempted"
}

test_other_rule_or_resource_does_not_exempt if {
	_finding([_exemption("MLF-K8S-901", "*", "2027-01-01")]).details.status == "fail"
	_finding([_exemption("MLF-K8S-900", "other/*", "2027-01-01")]).details.status == "fail"
}

test_far_future_and_malformed_dates if {
	_finding([_exemption("MLF-K8S-900", "*", "2999-12-31")]).details.status == "exempted"
	_finding([_exemption("MLF-K8S-900", "*", "soon")]).details.status == "fail"
	_finding([{"rule": "MLF-K8S-900", "resource": "*"}, "junk", null]).details.status == "fail"
}

test_warning_and_unknown_statuses if {
	result.warning(_chain, "r", "m").details.status == "warn"
	result.unknown(_chain, "r", "m").details.status == "unknown"
	result.with_severity(_chain, "r", "m", "critical").details.severity == "critical"
}
