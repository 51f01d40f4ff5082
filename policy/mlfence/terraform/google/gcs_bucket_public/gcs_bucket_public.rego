# METADATA
# title: Cloud Storage bucket is public or lacks public access prevention
# description: >-
#   Vertex AI datasets, pipeline artifacts and model uploads live in Cloud Storage. An IAM or ACL
#   grant to allUsers or allAuthenticatedUsers (any Google account) publishes them; without
#   public_access_prevention = "enforced", one such grant is all it takes.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/storage_bucket
#   - ref: https://cloud.google.com/storage/docs/public-access-prevention
# custom:
#   id: MLF-TF-050
#   long_id: tf-google-gcs-bucket-public
#   severity: high
#   target: terraform
#   kinds: [google_storage_bucket, google_storage_bucket_iam_member, google_storage_bucket_iam_binding,
#     google_storage_bucket_access_control, google_storage_default_object_access_control]
#   recommended_action: >-
#     Set public_access_prevention = "enforced" and uniform_bucket_level_access = true, grant
#     roles to service accounts and groups instead of allUsers/allAuthenticatedUsers, and serve
#     public content through a load balancer with Cloud CDN.
package mlfence.terraform.google.gcs_bucket_public

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

_public_members := {"allUsers", "allAuthenticatedUsers"}

# A grant to everyone on a bucket whose public access prevention is not enforced.
violation contains result.failure(rego.metadata.chain(), g.resource.address, msg) if {
	some g in _grants
	not tfplan.allowlisted(g.resource)
	not _protected(g.resource)
	msg := sprintf("%s grants %s to %s; remove the public member and enforce public access prevention", [
		g.resource.address, g.what, g.member,
	])
}

# No grant yet, but nothing stops one: the bucket inherits the project or organisation setting
# (the default "inherited", which is off unless an organisation policy enforces it).
violation contains result.with_severity(rego.metadata.chain(), b.address, msg, "medium") if {
	some b in tfplan.of_type("google_storage_bucket")
	not tfplan.allowlisted(b)
	not _enforced(b)
	not tfplan.pending(b, "public_access_prevention")
	msg := sprintf("%s has public_access_prevention = %q, so a single public grant publishes it; set it to \"enforced\"", [
		b.address, tfplan.value(b, "public_access_prevention", "inherited"),
	])
}

violation contains f if {
	buckets := tfplan.of_type("google_storage_bucket")
	some f in tfplan.pending_findings(rego.metadata.chain(), buckets, ["public_access_prevention"])
}

_enforced(b) if tfplan.effective(b, "public_access_prevention") == "enforced"

_grants contains {"resource": r, "member": m, "what": r.values.role} if {
	some r in tfplan.of_type("google_storage_bucket_iam_member")
	m := r.values.member
	m in _public_members
}

_grants contains {"resource": r, "member": m, "what": r.values.role} if {
	some r in tfplan.of_type("google_storage_bucket_iam_binding")
	some m in tfplan.string_list(r.values.members)
	m in _public_members
}

_grants contains {"resource": r, "member": m, "what": sprintf("ACL role %v", [r.values.role])} if {
	some type in ["google_storage_bucket_access_control", "google_storage_default_object_access_control"]
	some r in tfplan.of_type(type)
	m := r.values.entity
	m in _public_members
}

# The grant is on a bucket in the plan that enforces prevention (grants to everyone then fail).
_protected(r) if {
	some b in tfplan.linked(r, "bucket", "google_storage_bucket")
	_enforced(b)
}
