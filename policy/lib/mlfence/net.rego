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

# --- the union of a list of entries -----------------------------------------------------------
# Rules must judge what a list of entries opens together: 0.0.0.0/1 + 128.0.0.0/1 is the whole
# IPv4 internet although neither entry is. Entries are merged per family (net.cidr_merge) and the
# public addresses of the merged blocks are counted by prefix-length arithmetic, so the cost is
# linear in the entries, whatever space they cover.

# default_open_share_threshold is the share of a family's public space from which a list of
# entries counts as "the internet": a quarter, i.e. the public space of a whole /2 (about 925
# million IPv4 addresses). No list of real callers comes near it; halves, quarters and other
# splits of 0.0.0.0/0 or ::/0 all reach it. Rules take their threshold from the parameter
# `open_share_threshold` (lib.mlfence.config) and fall back to this.
default_open_share_threshold := 0.25

# opens_internet(cidrs) holds when the entries together cover at least the default share of the
# public IPv4 or IPv6 space.
opens_internet(cidrs) if opens_share(cidrs, default_open_share_threshold)

# opens_share(cidrs, threshold) holds when the entries together cover at least `threshold`
# (a number in (0, 1]) of the public IPv4 or IPv6 space. Any other threshold (a string from a
# hand-written parameter, 0, a negative number) means the default: it must never disable the check.
opens_share(cidrs, threshold) if open_share(cidrs) >= _threshold(threshold)

_threshold(value) := value if {
	is_number(value)
	value > 0
	value <= 1
} else := default_open_share_threshold

# share_text(cidrs) names the larger share in words for a finding, e.g. "all of the public IPv4
# address space" or "57% of the public IPv6 address space".
share_text(cidrs) := _share_words(_share(entries, family), _family_label[family]) if {
	entries := _entries(cidrs)
	family := _larger_family(entries)
}

_share_words(share, family) := sprintf("all of the public %s address space", [family]) if {
	share == 1
} else := sprintf("%d%% of the public %s address space", [round(share * 100), family])

# union_text(noun, cidrs) names the entries (the first five, sorted) and what they cover, for a
# finding: union_text("ipBlock", ...) is "ipBlocks 0.0.0.0/1 and 128.0.0.0/1, which together
# cover all of the public IPv4 address space".
union_text(noun, cidrs) := sprintf("%s %s, which covers %s", [noun, _listed(names), share_text(cidrs)]) if {
	names := sort({trim_space(c) | some c in cidrs; is_string(c)})
	count(names) == 1
} else := sprintf("%s %s, which together cover %s", [_plural(noun), _listed(names), share_text(cidrs)]) if {
	names := sort({trim_space(c) | some c in cidrs; is_string(c)})
}

_plural(noun) := concat("", [noun, "es"]) if endswith(noun, "s")

else := concat("", [noun, "s"])

_listed(names) := concat(" and ", [concat(", ", array.slice(names, 0, count(names) - 1)), names[count(names) - 1]]) if {
	count(names) > 1
	count(names) <= 5
} else := sprintf("%s and %d more", [concat(", ", array.slice(names, 0, 5)), count(names) - 5]) if {
	count(names) > 5
} else := concat("", names)

_family_label := {"ipv4": "IPv4", "ipv6": "IPv6"}

_larger_family(entries) := "ipv6" if {
	_share(entries, "ipv6") > _share(entries, "ipv4")
} else := "ipv4"

# open_share(cidrs) is the largest share, over IPv4 and IPv6, of that family's public space that
# the union of the entries covers: 0 for none of it, 1 for all. Entries that are not CIDRs or
# addresses (hostnames, words, numbers) are skipped; a bare address counts as a host route.
open_share(cidrs) := 0 if {
	count(cidrs) == 0
} else := max({_share(entries, "ipv4"), _share(entries, "ipv6")}) if {
	entries := _entries(cidrs)
}

# family_share(cidrs, family) is the share of one family's ("ipv4" or "ipv6") public space that
# the union of the entries covers.
family_share(cidrs, family) := _share(_entries(cidrs), family)

# Without entries of the family the share is 0. Most rules name no address at all, and the arithmetic
# of the public space would otherwise be redone for every object a scan judges (each is evaluated
# under its own `with`, which starts a fresh cache).
_share(entries, family) := 0 if {
	count(entries[family]) == 0
} else := _public_covered(_merged(entries, family), family) / _public_size[family]

# merged_blocks(cidrs, family) is the union of the entries of one family as a set of disjoint CIDRs.
# net.cidr_merge reads an IPv4-mapped IPv6 block (::ffff:0:0/96) as the IPv4 block it maps (as
# Go's net package, and so Kubernetes, does); given such a block with IPv4 entries, or IPv4 and
# IPv6 entries together, it panics or drops a family (OPA v1.17 to v1.21). So IPv6 entries are
# canonicalised one by one first, which turns the mapped ones into IPv4, and families are merged
# apart.
merged_blocks(cidrs, family) := _merged(_entries(cidrs), family)

_merged(entries, family) := net.cidr_merge(entries[family]) if {
	count(entries[family]) > 0
} else := set()

_entries(cidrs) := {
	"ipv4": ({cidr |
		some entry in cidrs
		cidr := _valid(entry)
		not contains(cidr, ":")
	} | {block |
		some merged in canonical6
		some block in merged
		not contains(block, ":")
	}),
	"ipv6": {block |
		some merged in canonical6
		some block in merged
		contains(block, ":")
	},
} if {
	canonical6 := [net.cidr_merge([cidr]) |
		some entry in cidrs
		cidr := _valid(entry)
		contains(cidr, ":")
	]
}

_valid(entry) := cidr if {
	is_string(entry)
	cidr := _with_length(trim_space(entry))
	net.cidr_is_valid(cidr)
}

# _with_length(text) gives a bare address its host length: net.cidr_merge would otherwise read
# "10.1.2.3" as the classful 10.0.0.0/8.
_with_length(text) := text if contains(text, "/")

else := concat("", [text, "/128"]) if contains(text, ":")

else := concat("", [text, "/32"])

_family(block) := "ipv6" if contains(block, ":")

else := "ipv4"

# The public space of a family is a root block minus the reserved blocks inside it; reserved
# blocks are disjoint. The lists follow IANA's IPv4 and IPv6 special-purpose address registries
# as Python 3.11's ipaddress encodes them (tests/test_net_union.py checks every boundary with
# it): a public address is one that is global and neither multicast, reserved nor site-local.
# IPv4: RFC 1918 and 6598 space, loopback, link-local, "this network", documentation and
# benchmarking blocks, IETF protocol assignments, multicast and the reserved 240.0.0.0/4.
# IPv6: only 2000::/3 is allocated global unicast; inside it, the IETF protocol assignments
# (2001::/23, including Teredo and ORCHID) and documentation (2001:db8::/32).
_public_space := {
	"ipv4": {"root": "0.0.0.0/0", "reserved": [
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
		"172.16.0.0/12", "192.0.0.0/29", "192.0.0.170/31", "192.0.2.0/24", "192.168.0.0/16",
		"198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
	]},
	"ipv6": {"root": "2000::/3", "reserved": ["2001::/23", "2001:db8::/32"]},
}

_width := {"ipv4": 32, "ipv6": 128}

# _size(block, family) is the number of addresses in a canonical block.
_size(block, family) := bits.lsh(1, _width[family] - to_number(split(block, "/")[1]))

# _public_size is the number of public addresses of each family: the root's less the reserved
# blocks' (disjoint). Written out because it depends on nothing an input brings, and OPA would
# work it out again (19 _size calls) in every query that judges a share, as an admission decision
# does (bench/README.md 3c); net_test.rego recomputes it from _public_space.
_public_size := {"ipv4": 3702258934, "ipv6": 42535255221069938115316640440924504064}

# _public_covered(blocks, family) counts the public addresses of disjoint blocks: their addresses
# in the root less those in reserved blocks. Two CIDRs are nested or disjoint, so each
# overlapping pair shares the smaller one; three net.cidr_contains_matches calls find all pairs.
_public_covered(blocks, family) := ((in_root + root_inside) - in_reserved) - around_reserved if {
	space := _public_space[family]
	list := [block | some block in blocks]
	sizes := [_size(block, family) | some block in list]
	in_root := sum([sizes[pair[1]] | some pair in net.cidr_contains_matches([space.root], list)])
	root_inside := sum([_size(space.root, family) |
		some pair in net.cidr_contains_matches(list, [space.root])
		list[pair[0]] != space.root
	])
	inside := net.cidr_contains_matches(space.reserved, list)
	in_reserved := sum([sizes[pair[1]] | some pair in inside])
	around_reserved := sum([_size(space.reserved[pair[1]], family) |
		some pair in net.cidr_contains_matches(list, space.reserved)
		not [pair[1], pair[0]] in inside
	])
}
