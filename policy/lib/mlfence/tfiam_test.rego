package lib.mlfence.tfiam_test

import data.lib.mlfence.tfiam

test_statements_one_or_many if {
	tfiam.statements(tfiam.document(`{"Statement": {"Effect": "Allow"}}`)) == [{"Effect": "Allow"}]
	tfiam.statements(tfiam.document(`{"Statement": [{"Effect": "Deny"}]}`)) == [{"Effect": "Deny"}]
	tfiam.statements({"Statement": "x"}) == []
	not tfiam.document("{not json")
	not tfiam.document(42)
}

test_open_statement if {
	tfiam.open_statement({"Effect": "Allow", "Principal": "*"})
	tfiam.open_statement({"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::1:root", "*"]}})
	not tfiam.open_statement({"Effect": "Allow", "Principal": "*", "Condition": {"StringEquals": {}}})
	not tfiam.open_statement({"Effect": "Deny", "Principal": "*"})
	not tfiam.open_statement({"Effect": "Allow", "Principal": "arn:aws:iam::1:root"})
}

test_any_of if {
	tfiam.any_of("*", {"*"})
	tfiam.any_of(["s3:Get*", "*"], {"*"})
	not tfiam.any_of(["s3:Get*"], {"*"})
	tfiam.aws_principal({"AWS": "*"}) == "*"
}
