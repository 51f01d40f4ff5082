# METADATA
# description: |
#   AWS IAM policy documents as Terraform plans carry them (a JSON string in `policy`,
#   `access_policies`...): parsing that never raises, the statement list whether the document
#   holds one statement or many, and who a statement lets in. Used by the rules on bucket, VPC
#   endpoint and OpenSearch policies.
package lib.mlfence.tfiam

import data.lib.mlfence.tfplan

# document(text) is the parsed policy of a JSON string; undefined for anything else.
document(text) := json.unmarshal(text) if {
	is_string(text)
	json.is_valid(text)
}

# statements(policy) is the list of statements of a parsed policy: `Statement` may be a list or
# a single statement object; anything else has none.
# Contract: statements(any) -> list.
statements(policy) := policy.Statement if is_array(policy.Statement)

else := [policy.Statement] if is_object(policy.Statement)

else := []

# everyone(principal) holds for the principal that is anybody: "*" or {"AWS": "*"} (also in a list).
everyone("*")

everyone(principal) if {
	is_object(principal)
	some v in tfplan.string_values(object.get(principal, "AWS", null))
	v == "*"
}

# open_statement(s) holds for an unconditioned Allow for everyone.
open_statement(s) if {
	s.Effect == "Allow"
	everyone(s.Principal)
	not s.Condition
}

# aws_principal(principal) is what a principal names: the AWS member of {"AWS": ...}, else itself.
aws_principal(p) := p.AWS if is_object(p)

else := p

# any_of(x, values) holds when x, or an element of x when it is a list, is one of the values.
any_of(x, values) if x in values

any_of(x, values) if {
	is_array(x)
	some v in x
	v in values
}
