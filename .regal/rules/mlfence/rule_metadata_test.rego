package custom.regal.rules.mlfence["rule-metadata_test"]

import data.custom.regal.rules.mlfence["rule-metadata"] as rule
import data.regal.config

_config := {"rules": {"mlfence": {"rule-metadata": {
	"level": "error",
	"kind-groups": ["pod-workloads"],
	"max-kinds": 3,
	"retired-ids": ["MLF-TF-007"],
}}}}

_good := `# METADATA
# title: A rule
# description: Why it matters.
# custom:
#   id: MLF-TF-025
#   long_id: tf-aws-a-rule
#   severity: high
#   target: terraform
#   kinds: [aws_db_instance]
#   recommended_action: Fix it.
package mlfence.terraform.aws.a_rule
`

_report(file, policy) := report if {
	report := rule.report with input as regal.parse_module(file, policy) with config.rules as _config.rules
}

_descriptions(file, policy) := {v.description | some v in _report(file, policy)}

test_complete_metadata_passes if {
	count(_report("policy/mlfence/terraform/aws/a_rule/a_rule.rego", _good)) == 0
}

test_tests_and_libraries_are_not_rules if {
	count(_report("policy/mlfence/terraform/aws/a_rule/a_rule_test.rego", "package mlfence.terraform.aws.a_rule_test\n")) == 0
	count(_report("policy/lib/mlfence/x.rego", "package lib.mlfence.x\n")) == 0
}

test_missing_block_and_fields if {
	_descriptions("policy/mlfence/terraform/aws/a_rule/a_rule.rego", "package mlfence.terraform.aws.a_rule\n") == {
		"rule file without a package METADATA block",
	}
	bare := replace(replace(_good, "# title: A rule\n", ""), "#   recommended_action: Fix it.\n", "")
	_descriptions("policy/mlfence/terraform/aws/a_rule/a_rule.rego", bare) == {
		"METADATA needs title",
		"METADATA needs custom.recommended_action",
	}
}

test_target_must_match_the_folder if {
	_descriptions("policy/mlfence/k8s/pod/a_rule/a_rule.rego", _good) == {
		`custom.target "terraform" does not match the rule's folder policy/mlfence/k8s ("kubernetes")`,
		`custom.id "MLF-TF-025" is not MLF-K8S-NNN`,
	}
}

test_bad_severity_and_retired_id if {
	policy := replace(replace(_good, "severity: high", "severity: urgent"), "MLF-TF-025", "MLF-TF-007")
	_descriptions("policy/mlfence/terraform/aws/a_rule/a_rule.rego", policy) == {
		`custom.severity "urgent" is not one of low, medium, high, critical`,
		"custom.id MLF-TF-007 is retired: IDs are never reused, take the next free one",
	}
}

test_long_kind_lists_are_named_groups if {
	copied := replace(_good, "kinds: [aws_db_instance]", "kinds: [Pod, Deployment, Job, CronJob]")
	_descriptions("policy/mlfence/terraform/aws/a_rule/a_rule.rego", copied) == {
		"custom.kinds lists 4 kinds; name a kind group (custom.kind_groups) instead",
	}
	grouped := replace(_good, "kinds: [aws_db_instance]", "kind_groups: [pod-workloads]")
	count(_report("policy/mlfence/terraform/aws/a_rule/a_rule.rego", grouped)) == 0
	unknown := replace(_good, "kinds: [aws_db_instance]", "kind_groups: [workloads]")
	_descriptions("policy/mlfence/terraform/aws/a_rule/a_rule.rego", unknown) == {
		`custom.kind_groups: "workloads" is not a kind group (pod-workloads)`,
	}
}

test_an_id_used_twice_is_reported_once_per_extra_holder if {
	one := regal.parse_module("policy/mlfence/terraform/aws/a_rule/a_rule.rego", _good)
	two := regal.parse_module("policy/mlfence/terraform/aws/b_rule/b_rule.rego", replace(_good, "a_rule", "b_rule"))
	aggregates := {entry |
		some module in [one, two]
		some entry in _aggregate(module)
	}
	report := rule.aggregate_report with input.aggregate as aggregates
	count(report) == 1
	some v in report
	v.description == "custom.id MLF-TF-025 is also used by policy/mlfence/terraform/aws/a_rule/a_rule.rego"
	v.location.file == "policy/mlfence/terraform/aws/b_rule/b_rule.rego"
}

_aggregate(module) := entries if {
	entries := rule.aggregate with input as module with config.rules as _config.rules
}

_platform := replace(_good, "#   recommended_action: Fix it.\n", `#   recommended_action: Fix it.
#   platform: KServe v0.16
#   verified_against:
#     - repo: kserve/kserve
#       path: pkg/constants/constants.go
#       commit: 000652d723032b3813ffc6d4a452fbcc31bd8649
#       version: release not established (index commit)
#       facts: NetworkVisibility = networking.kserve.io/visibility
#     - repo: knative/serving
#       ref: https://github.com/knative/serving/pull/13259
#       version: v1.8
#       facts: the default domain is svc.cluster.local
#     - repo: kubeflow/manifests
#       path: applications/kserve/kserve/kserve.yaml
#       commit: not recorded (vendored snapshot)
#       version: KServe v0.16.0
#       facts: defaultDeploymentMode Serverless
`)

_file := "policy/mlfence/terraform/aws/a_rule/a_rule.rego"

test_verified_sources_pass if {
	count(_report(_file, _platform)) == 0
}

test_platform_needs_verified_sources if {
	bare := replace(_good, "#   recommended_action: Fix it.\n", "#   recommended_action: Fix it.\n#   platform: KServe\n")
	_descriptions(_file, bare) == {"custom.platform needs custom.verified_against: the platform sources the rule encodes"}
	text := replace(bare, "#   platform: KServe\n", "#   platform: KServe\n#   verified_against: read the code\n")
	_descriptions(_file, text) == {"custom.verified_against is a non-empty list of sources"}
}

test_each_source_names_repo_place_version_and_facts if {
	broken := replace(replace(replace(_platform, "kserve/kserve", "kserve"), "000652d723032b3813ffc6d4a452fbcc31bd8649", "v0.16"), "#       version: v1.8\n", "")
	_descriptions(_file, broken) == {
		`custom.verified_against[0]: repo "kserve" is not owner/name`,
		`custom.verified_against[0]: commit v0.16 is neither 7-40 hex digits nor "not recorded ..."`,
		"custom.verified_against[1]: needs version",
	}
	no_place := replace(_platform, "#       ref: https://github.com/knative/serving/pull/13259\n", "")
	_descriptions(_file, no_place) == {"custom.verified_against[1]: needs path and commit, or ref"}
}
