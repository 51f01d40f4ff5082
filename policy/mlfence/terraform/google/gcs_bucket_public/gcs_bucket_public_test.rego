package mlfence.terraform.google.gcs_bucket_public_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.google.gcs_bucket_public

_eval(changes, config, params) := v if {
	plan := fixture.plan(changes, config)
	v := gcs_bucket_public.violation with input as {"plan": plan, "parameters": params}
}

_bucket(pap) := fixture.change(
	"google_storage_bucket.data", "google_storage_bucket", {
		"name": "vertex-data", "public_access_prevention": pap,
	},
	{},
)

_grant(member) := fixture.change(
	"google_storage_bucket_iam_member.pub", "google_storage_bucket_iam_member", {
		"bucket": "vertex-data", "role": "roles/storage.objectViewer", "member": member,
	},
	{},
)

test_deny_all_users_grant if {
	v := _eval([_bucket("inherited"), _grant("allUsers")], [], {})
	{[f.details.resource, f.details.severity] | some f in v} == {
		["google_storage_bucket_iam_member.pub", "high"],
		["google_storage_bucket.data", "medium"],
	}
}

test_deny_all_authenticated_users_binding_and_acl if {
	binding := fixture.change(
		"google_storage_bucket_iam_binding.b", "google_storage_bucket_iam_binding", {
			"bucket": "other", "role": "roles/storage.admin", "members": ["group:ml@example.com", "allAuthenticatedUsers"],
		},
		{},
	)
	acl := fixture.change(
		"google_storage_bucket_access_control.a", "google_storage_bucket_access_control", {
			"bucket": "other", "role": "READER", "entity": "allUsers",
		},
		{},
	)
	count(_eval([binding, acl], [], {})) == 2
}

# Left out, public_access_prevention is computed ("inherited"): real plans list it in after_unknown.
test_deny_prevention_omitted if {
	b := fixture.change("google_storage_bucket.data", "google_storage_bucket", {"name": "vertex-data"}, {"public_access_prevention": true})
	v := _eval([b], fixture.written(b.address, b.type, {"name": {"constant_value": "vertex-data"}}), {})
	some f in v
	contains(f.msg, "public_access_prevention = \"inherited\"")
}

test_allow_enforced if {
	count(_eval([_bucket("enforced"), _grant("allUsers")], [], {})) == 0
	count(_eval([_bucket("enforced"), _grant("serviceAccount:x@p.iam.gserviceaccount.com")], [], {})) == 0
}

test_unknown_prevention_from_variable if {
	b := fixture.change("google_storage_bucket.data", "google_storage_bucket", {"name": "vertex-data"}, {"public_access_prevention": true})
	v := _eval([b], fixture.written(b.address, b.type, fixture.pending(["public_access_prevention"])), {})
	count(v) == 1
	some f in v
	f.details.status == "unknown"
}

test_parameter_allowlist if {
	count(_eval([_bucket("inherited"), _grant("allUsers")], [], {"public_resource_allowlist": ["google_storage_bucket*.*"]})) == 0
}
