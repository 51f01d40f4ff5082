# METADATA
# title: Security group allows ingress from the whole internet
# description: >-
#   A security group rule that admits 0.0.0.0/0 or ::/0 makes whatever it is attached to
#   reachable by anyone: notebooks, Ray dashboards, MLflow and model servers are found and
#   abused within hours of exposure. Only an approved edge load balancer should face the internet.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/vpc_security_group_ingress_rule
# custom:
#   id: MLF-TF-001
#   long_id: tf-aws-sg-ingress-open
#   severity: high
#   target: terraform
#   kinds: [aws_security_group, aws_default_security_group, aws_security_group_rule,
#     aws_vpc_security_group_ingress_rule]
#   recommended_action: >-
#     Restrict the source to the networks that must connect (cidr_blocks of your VPC or VPN,
#     a prefix list, or source_security_group_id of the load balancer in front of the service).
package mlfence.terraform.aws.sg_ingress_open

import data.lib.mlfence.result
import data.lib.mlfence.tfaws
import data.lib.mlfence.tfports

# One finding per group: every port whose sources, all its rules taken together, cover the
# internet. Open ML service ports are the worst case (critical); a group that the plan shows is
# used only by things without a public address is reachable from the VPC, not the internet as
# configured (medium).
violation contains result.with_severity(rego.metadata.chain(), o.owner.address, msg, _severity(o, hits)) if {
	some o in _open
	hits := tfports.ml_ports_in([item.ports | some item in o.items])
	msg := sprintf("%s allows ingress from the internet (%s) on %s (%s)%s%s; restrict the source", [
		o.owner.address, concat(", ", o.families), _list([i.label | some i in o.items]),
		_list(o.attributes), _ml_note(hits), _reach_note(o.owner),
	])
}

violation contains result.unknown(rego.metadata.chain(), r.address, msg) if {
	some hit in tfaws.sg_unknown("ingress")
	not hit.why
	r := hit.resource
	msg := sprintf("%s: %s is known only after apply; mlfence cannot prove it is not open to the internet", [
		r.address, hit.attribute,
	])
}

violation contains result.unknown(rego.metadata.chain(), r.address, msg) if {
	some hit in tfaws.sg_unknown("ingress")
	hit.why == "old_terraform"
	r := hit.resource
	msg := sprintf("%s: %s %s; %s", [
		r.address,
		"ingress is wholly unknown, and a plan from Terraform before 1.1 does not show whether it is left out",
		"or a dynamic block over values known only after apply",
		"plan with Terraform 1.1 or later, or write aws_vpc_security_group_ingress_rule resources",
	])
}

violation contains result.warning(rego.metadata.chain(), bad.resource.address, msg) if {
	some bad in tfaws.sg_invalid_ports("ingress")
	msg := sprintf("%s: from_port %v is above to_port %v, which AWS rejects; fix the range (its ports were not judged)", [
		bad.attribute, bad.from, bad.to,
	])
}

_severity(o, hits) := "medium" if {
	tfaws.sg_private_only(o.owner)
} else := tfports.severity(hits, "high")

_ml_note(hits) := sprintf(", including ML service ports %s", [_list(hits)]) if count(hits) > 0

else := ""

_reach_note(sg) := sprintf("; it is used only by %s, which have no public address", [
	_list(sort([a.resource | some a in tfaws.sg_attachments(sg)])),
]) if {
	tfaws.sg_private_only(sg)
} else := ""

# Long lists stay readable: the first five and how many there are.
_list(items) := concat(", ", items) if count(items) <= 5

else := sprintf("%s, ... (%d in all)", [concat(", ", array.slice(items, 0, 5)), count(items)])

# _open is every open group, without the web ports of a group that only fronts an approved
# edge-gateway load balancer: that is the one place meant to face the internet.
_open contains object.union(o, {"items": items}) if {
	some o in tfaws.sg_open("ingress")
	items := [i | some i in o.items; not _edge_web(o.owner, i)]
	count(items) > 0
}

_edge_web(sg, item) if {
	item.ports in {[80, 80], [443, 443]}
	tfaws.edge_group(sg)
}
