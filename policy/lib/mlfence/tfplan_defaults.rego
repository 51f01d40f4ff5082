# Provider defaults and the one decision every Terraform rule makes about an attribute (part of
# lib.mlfence.tfplan; its METADATA block lives in tfplan.rego).
#
# In a real plan an Optional+Computed attribute that the configuration leaves out is listed in
# after_unknown on create, exactly like a value computed from another resource. Only the
# configuration tells the two apart: a value the user wrote from something known at apply time
# is "unknown"; a value the user never wrote is whatever the provider fills in, which for the
# attributes below is documented and is what the rule must judge.
package lib.mlfence.tfplan

import data.lib.mlfence.result

# provider_defaults[type][attribute path without list indices] is what the provider (or the
# cloud API behind it) uses when the configuration omits the attribute: {"value", "holds_for"}.
# "value" is the effective value (null: the attribute stays absent, e.g. no authorized
# networks block), "holds_for" the provider versions the default was checked against.
# planfixture.py reads this table to give generated plans the after_unknown real plans have.
provider_defaults := {
	"aws_instance": {
		# Optional+Computed: the provider takes the subnet's map_public_ip_on_launch (no constant).
		"associate_public_ip_address": {"value": null, "computed": true, "holds_for": "hashicorp/aws >= 2.0"},
		# Optional+Computed: EC2 picks a default subnet of the default VPC, which assigns public IPs.
		"subnet_id": {"value": null, "computed": true, "holds_for": "hashicorp/aws >= 2.0"},
		"vpc_security_group_ids": {"value": null, "computed": true, "holds_for": "hashicorp/aws >= 2.0"},
	},
	"aws_lb": {"internal": {"value": false, "computed": true, "holds_for": "hashicorp/aws >= 2.0"}},
	"aws_alb": {"internal": {"value": false, "computed": true, "holds_for": "hashicorp/aws >= 2.0"}},
	"aws_elb": {"internal": {"value": false, "computed": true, "holds_for": "hashicorp/aws >= 2.0"}},
	"aws_eks_cluster": {
		"vpc_config.endpoint_public_access": {"value": true, "computed": false, "holds_for": "hashicorp/aws >= 2.0"},
		"vpc_config.public_access_cidrs": {
			"value": ["0.0.0.0/0"], "computed": true,
			"holds_for": "hashicorp/aws >= 2.0",
		},
	},
	# Optional+Computed; interface endpoints resolve the public service name without it.
	"aws_vpc_endpoint": {
		"private_dns_enabled": {"value": false, "computed": true, "holds_for": "hashicorp/aws >= 2.0"},
		# Left out, the endpoint gets AWS's full-access default policy.
		"policy": {"value": null, "computed": true, "holds_for": "hashicorp/aws >= 2.0"},
	},
	"aws_sagemaker_notebook_instance": {
		"direct_internet_access": {"value": "Enabled", "computed": false, "holds_for": "hashicorp/aws >= 2.0"},
		"root_access": {"value": "Enabled", "computed": false, "holds_for": "hashicorp/aws >= 3.0"},
	},
	# Optional without a schema default: null in the plan, the API default false.
	"aws_sagemaker_model": {"enable_network_isolation": {
		"value": false, "computed": false,
		"holds_for": "hashicorp/aws >= 2.0",
	}},
	"aws_sagemaker_training_job": {
		"enable_inter_container_traffic_encryption": {
			"value": false, "computed": false,
			"holds_for": "hashicorp/aws >= 4.0",
		},
		"enable_network_isolation": {"value": false, "computed": false, "holds_for": "CreateTrainingJob API"},
	},
	"aws_sagemaker_data_quality_job_definition": {
		"network_config.enable_inter_container_traffic_encryption": {
			"value": false, "computed": false,
			"holds_for": "hashicorp/aws >= 4.0",
		},
		"network_config.enable_network_isolation": {
			"value": false, "computed": false,
			"holds_for": "hashicorp/aws >= 4.0",
		},
	},
	"aws_sagemaker_model_quality_job_definition": {
		"network_config.enable_inter_container_traffic_encryption": {
			"value": false, "computed": false,
			"holds_for": "hashicorp/aws >= 4.0",
		},
		"network_config.enable_network_isolation": {
			"value": false, "computed": false,
			"holds_for": "hashicorp/aws >= 5.0",
		},
	},
	"aws_sagemaker_model_bias_job_definition": {
		"network_config.enable_inter_container_traffic_encryption": {
			"value": false, "computed": false,
			"holds_for": "hashicorp/aws >= 4.0",
		},
		"network_config.enable_network_isolation": {
			"value": false, "computed": false,
			"holds_for": "CreateModelBiasJobDefinition API",
		},
	},
	"aws_sagemaker_model_explainability_job_definition": {
		"network_config.enable_inter_container_traffic_encryption": {
			"value": false, "computed": false,
			"holds_for": "hashicorp/aws >= 4.0",
		},
		"network_config.enable_network_isolation": {
			"value": false, "computed": false,
			"holds_for": "CreateModelExplainabilityJobDefinition API",
		},
	},
	"aws_sagemaker_domain": {"app_network_access_type": {
		"value": "PublicInternetOnly", "computed": false,
		"holds_for": "hashicorp/aws >= 3.60",
	}},
	"aws_subnet": {"map_public_ip_on_launch": {"value": false, "computed": false, "holds_for": "hashicorp/aws >= 2.0"}},
	"aws_db_instance": {"publicly_accessible": {"value": false, "computed": false, "holds_for": "hashicorp/aws >= 2.0"}},
	# Optional+Computed: the RDS API decides (public when the subnets route to an internet gateway).
	"aws_rds_cluster_instance": {"publicly_accessible": {
		"value": null, "computed": true,
		"holds_for": "hashicorp/aws >= 4.0",
	}},
	"azurerm_storage_account": {"public_network_access_enabled": {
		"value": true, "computed": false,
		"holds_for": "hashicorp/azurerm >= 3.0",
	}},
	"azurerm_key_vault": {"public_network_access_enabled": {
		"value": true, "computed": false,
		"holds_for": "hashicorp/azurerm >= 3.0",
	}},
	# Optional+Computed: "inherited" follows the project or organisation policy, off by default.
	"google_storage_bucket": {"public_access_prevention": {
		"value": "inherited", "computed": true,
		"holds_for": "hashicorp/google >= 4.19",
	}},
	# Optional+Computed blocks; without them the control plane is public and accepts any address.
	"google_container_cluster": {
		"master_authorized_networks_config": {"value": null, "computed": true, "holds_for": "hashicorp/google >= 4.0"},
		"private_cluster_config": {"value": null, "computed": true, "holds_for": "hashicorp/google >= 4.0"},
	},
	# Optional+Computed: the Compute API fills in INGRESS, and 0.0.0.0/0 as the source of an
	# INGRESS rule without source tags or service accounts and as the destination of EGRESS.
	# source_ranges became computed in 4.0 (magic-modules#5309); before, it was null when left out,
	# which rules read the same way.
	"google_compute_firewall": {
		"direction": {"value": "INGRESS", "computed": true, "holds_for": "hashicorp/google >= 2.0"},
		"source_ranges": {"value": null, "computed": true, "holds_for": "hashicorp/google >= 4.0"},
		"destination_ranges": {"value": null, "computed": true, "holds_for": "hashicorp/google >= 2.0"},
	},
}

# attribute(r, path) decides what Terraform will do with one attribute (a key or an array path
# such as ["vpc_config", 0, "subnet_ids"]):
#   {"state": "known",   "value": v}    the plan holds the value (written or filled in);
#   {"state": "unknown", "value": null} the configuration sets it from something known only
#                                       after apply (or the plan keeps no configuration to tell);
#   {"state": "default", "value": d}    the configuration leaves it out: d is the provider's
#                                       default from provider_defaults (null when none applies).
# Contract: attribute(r, "a" | [path]) -> {"state": string, "value": any}.
attribute(r, path) := {"state": "unknown", "value": null} if {
	_set_at_apply(r, _path(path))
} else := {"state": "known", "value": v} if {
	v := object.get(r.values, _path(path), null)
	v != null
} else := {"state": "default", "value": provider_default(r.type, path)}

# effective(r, path) is the value Terraform will apply (known or the provider default);
# undefined when it is known only after apply.
effective(r, path) := a.value if {
	a := attribute(r, path)
	a.state != "unknown"
}

# pending(r, path) holds when the attribute is set from a value known only after apply.
pending(r, path) if attribute(r, path).state == "unknown"

# pending_findings(chain, rs, paths) is one `unknown` finding per resource and attribute that is
# set from a value known only after apply: the one body rules use instead of repeating their
# violation bodies for unknown values.
# Contract: pending_findings(chain, [resource], [path]) -> set of findings.
pending_findings(chain, rs, paths) := {result.unknown(chain, r.address, msg) |
	some r in rs
	some path in paths
	pending(r, path)
	msg := sprintf("%s: %s is known only after apply%s; mlfence cannot prove it is safe: set it to a literal value", [
		r.address, path_label(path), _from(r, path),
	])
}

# pending_because(chain, rs, paths, why) is pending_findings with the rule's own reason: one
# `unknown` finding "<address>: <attribute> is known only after apply<why>" per resource and
# attribute set from a value known only after apply (why: "" or "; mlfence cannot prove ...").
# Contract: pending_because(chain, [resource], [path], string) -> set of findings.
pending_because(chain, rs, paths, why) := {result.unknown(chain, r.address, msg) |
	some r in rs
	some path in paths
	pending(r, path)
	msg := sprintf("%s: %s is known only after apply%s", [r.address, path_label(path), why])
}

# The first reference Terraform records for the expression ("var.x", "aws_vpc.main.id").
_from(r, path) := sprintf(" (from %s)", [ref]) if {
	ref := expression(r, path).references[0]
	is_string(ref)
} else := ""

# path_label(path) is "a.b.c" for messages (list indices dropped).
path_label(path) := concat(".", [sprintf("%v", [p]) | some p in _path(path); is_string(p)])

# provider_default(type, path) is the table's default value, or null.
provider_default(type, path) := provider_defaults[type][path_label(path)].value if {
	provider_defaults[type][path_label(path)]
} else := null

# The value is missing from the plan and comes from the configuration at apply time: listed as
# unknown, and the user wrote the attribute or the enclosing block that is unknown as a whole
# (an Optional+Computed leaf left out of a written block is a default, not pending); or listed
# unknown in a plan that carries no configuration at all, so nothing tells.
# Plans without resource_changes (planned_values only) drop unknown values: an attribute
# written from references is then pending too.
_set_at_apply(r, path) if {
	r.unknown[path[0]] != false # as in is_unknown: nothing below an unlisted or known first key
	some n in numbers.range(1, count(path))
	prefix := array.slice(path, 0, n)

	# The prefix is computed at run time, so no reference can replace object.get here.
	# regal ignore:superfluous-object-get
	object.get(r.unknown, prefix, false) == true
	configured(r, prefix)
}

_set_at_apply(r, path) if {
	is_unknown(r, path)
	not _has_configuration
}

_set_at_apply(r, path) if {
	r.actions == ["planned"]
	count(object.get(expression(r, path), "references", [])) > 0
}

_has_configuration if is_object(plan.configuration)
