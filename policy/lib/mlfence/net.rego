# METADATA
# description: Address helpers shared by Kubernetes and Terraform rules.
package lib.mlfence.net

# is_everywhere(cidr) holds for a CIDR that spans a whole address family: prefix length 0,
# whatever the address part says ("0.0.0.0/0", "::/0", "::0/0", "1.2.3.4/0").
is_everywhere(cidr) if {
	is_string(cidr)
	parts := split(trim_space(cidr), "/")
	count(parts) == 2
	parts[1] == "0"
}

# Azure and other providers spell "the internet" with words as well as CIDRs.
internet_words := {"*", "internet", "any"}

# is_internet_source(value) holds for a CIDR or a provider keyword meaning any address.
is_internet_source(value) if is_everywhere(value)

is_internet_source(value) if {
	is_string(value)
	lower(trim_space(value)) in internet_words
}
