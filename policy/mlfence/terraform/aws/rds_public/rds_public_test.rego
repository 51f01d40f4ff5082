package mlfence.terraform.aws.rds_public_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.rds_public

_eval(changes, config, params) := v if {
	plan := fixture.plan(changes, config)
	v := rds_public.violation with input as {"plan": plan, "parameters": params}
}

_db(after) := fixture.change("aws_db_instance.mlflow", "aws_db_instance", object.union({"engine": "postgres"}, after), {})

test_deny_public_mlflow_database if {
	v := _eval([_db({"publicly_accessible": true})], [], {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-025"
	contains(f.msg, "engine postgres")
}

test_deny_public_aurora_instance if {
	i := fixture.change("aws_rds_cluster_instance.features", "aws_rds_cluster_instance", {"publicly_accessible": true}, {})
	count(_eval([i], [], {})) == 1
}

test_allow_private_and_omitted if {
	count(_eval([_db({"publicly_accessible": false})], [], {})) == 0
	count(_eval([_db({})], [], {})) == 0

	# Aurora left to the API: computed, listed in after_unknown, not reported.
	i := fixture.change("aws_rds_cluster_instance.features", "aws_rds_cluster_instance", {}, {"publicly_accessible": true})
	count(_eval([i], fixture.written(i.address, i.type, {}), {})) == 0
}

test_unknown_from_a_variable if {
	db := fixture.change("aws_db_instance.mlflow", "aws_db_instance", {}, {"publicly_accessible": true})
	v := _eval([db], fixture.written(db.address, db.type, fixture.pending(["publicly_accessible"])), {})
	count(v) == 1
	some f in v
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	count(_eval([_db({"publicly_accessible": true})], [], {"public_resource_allowlist": ["x"]})) == 1
}
