# METADATA
# description: |
#   Classifies an egress destination CIDR against the approved internal CIDRs, the approved
#   published cloud-service ranges and the ownership of published ranges (clouds and CDNs).
#   Each input is a parameter when the caller gives one (Gatekeeper: rendered into the
#   Constraint; anyone: hand-set in data/mlfence/config), else the document `mlfence sync`
#   wrote under data.mlfence.rangedata, which the bundle, conftest and the CLI load as data.
#   Reading it as data (not as input.parameters) spares every decision a copy of the large
#   indexes. It sits outside data.lib because OPA's path conflict check copies data.lib once
#   per lib rule on every bundle activation (bench/README.md); Gatekeeper templates may name
#   only data.lib and data.inventory, so `mlfence build` points these references into the
#   template's lib namespace, where they are undefined (tools/mlfence/gatekeeper.py). Shapes:
#     approved_ranges: {provider: {service: {region: {"ipv4": [cidr], "ipv6": [cidr]}}}}
#     owner_ranges:    {owner: {"kind": "cdn" | "cloud", "ipv4": [cidr], "ipv6": [cidr]}}
#     approved_index:  {"ipv4" | "ipv6": {"nodes": {hex prefix: node}}}
#     owner_index:     the same, plus {"kinds": {owner: "cdn" | "cloud"}}
#   The two indexes are optional and bundle-only (too big for a Constraint): without them the
#   classifier scans approved_ranges and owner_ranges linearly, which is fine for the small,
#   collapsed lists Gatekeeper gets; a destination no given range covers is "public" with no
#   owner. An index must be built from the ranges it stands for (tools/mlfence/cidr.py).
package lib.mlfence.ranges

import data.lib.mlfence.config

# family(cidr) is "ipv6" for an address with a colon, else "ipv4".
family(cidr) := "ipv6" if contains(cidr, ":")

else := "ipv4"

# as_cidr(text) gives a bare address its explicit host length (/32 or /128); providers' rules
# (Azure NSGs, Terraform) accept bare addresses where Kubernetes wants a CIDR.
as_cidr(text) := text if contains(text, "/")

else := concat("", [text, "/128"]) if contains(text, ":")

else := concat("", [text, "/32"])

_is_cidr(cidr) if {
	is_string(cidr)
	net.cidr_is_valid(as_cidr(cidr))
}

# egress_class(cidr) describes where a destination CIDR (or bare address) points:
#   {"class": "internal" | "link_local" | "loopback" | "approved" | "partial" | "cdn" | "cloud" |
#    "public" | "invalid", "owner": name or "", "service": "provider/service/region" or ""}
# "partial" means the block overlaps an approved range but is not inside one. "link_local" and
# "loopback" are special-use space that never leaves the node or its link (RFC 3927, RFC 4291,
# RFC 1122): the instance metadata service and NodeLocal DNSCache (169.254.20.10) live there; the
# owner names such a well-known address.
egress_class(cidr) := {"class": "invalid", "owner": "", "service": ""} if {
	not _is_cidr(cidr)
} else := {"class": "internal", "owner": "", "service": ""} if {
	some private in config.value("internal_cidrs")

	# A parameter entry that is not a CIDR string is ignored (the builtins raise errors on it).
	is_string(private)
	net.cidr_is_valid(private)
	family(private) == family(cidr)
	net.cidr_contains(private, as_cidr(cidr))
} else := {"class": class, "owner": object.get(_well_known, as_cidr(cidr), ""), "service": ""} if {
	some special, class in _special_use
	family(special) == family(cidr)
	net.cidr_contains(special, as_cidr(cidr))
} else := _published_class(_found(as_cidr(cidr)))

_special_use := {
	"169.254.0.0/16": "link_local",
	"fe80::/10": "link_local",
	"127.0.0.0/8": "loopback",
	"::1/128": "loopback",
}

# Well-known addresses of link-local space, named in findings instead of "public".
_well_known := {
	"169.254.20.10/32": "NodeLocal DNSCache",
	"169.254.169.254/32": "instance metadata service",
	"169.254.169.253/32": "Amazon VPC DNS resolver",
	"169.254.169.123/32": "Amazon Time Sync Service",
}

# Each lookup is done once per destination (_found); the class is picked from its result.
_published_class(found) := object.union({"class": "approved"}, _service(min(found.approved))) if {
	count(found.approved) > 0
} else := object.union({"class": "partial"}, _service(min(found.overlapping))) if {
	count(found.overlapping) > 0
} else := {"class": "cdn", "owner": min(found.cdn), "service": ""} if {
	# A CDN wins over a cloud when both claim the space (CloudFront is AWS and a CDN): a CDN
	# address says nothing about who is behind it, so the advice differs.
	count(found.cdn) > 0
} else := {"class": "cloud", "owner": min(found.cloud), "service": ""} if {
	count(found.cloud) > 0
} else := {"class": "public", "owner": "", "service": ""}

# _found(cidr) is {"approved": labels of approved ranges containing the block, "overlapping":
# labels of approved ranges sharing addresses with it, "cdn"/"cloud": owners overlapping it}.
# Labels read "provider/service/region".
_found(cidr) := {
	"approved": inside_of,
	"overlapping": (inside_of | _approved_under(cidr, q)),
	"cdn": {pair[0] | some pair in owners; pair[1] == "cdn"},
	"cloud": {pair[0] | some pair in owners; pair[1] != "cdn"},
} if {
	q := _query(cidr)
	inside_of := _approved_in(cidr, q)
	owners := _owners(cidr, q)
}

# approved_containing(cidr) is the set of {"owner", "service"} of approved ranges that contain
# the whole block. With an index only the first service (in sort order) per index node is
# known, which is all egress_class reports.
approved_containing(cidr) := {_service(label) | some label in _found(as_cidr(cidr)).approved}

# approved_overlapping(cidr) is the same for approved ranges that share any address with it.
approved_overlapping(cidr) := {_service(label) | some label in _found(as_cidr(cidr)).overlapping}

# owners_of(cidr) is the set of {"class", "owner", "service"} of the owners egress_class
# would name: the CDNs overlapping the block, or else the clouds.
owners_of(cidr) := {{"class": "cdn", "owner": owner, "service": ""} | some owner in found.cdn} if {
	found := _found(as_cidr(cidr))
	count(found.cdn) > 0
} else := {{"class": "cloud", "owner": owner, "service": ""} | some owner in _found(as_cidr(cidr)).cloud}

_service(label) := {"owner": split(label, "/")[0], "service": label}

# source(name) is the parameter `name` when given, else the synced document of that name.
source(name) := input.parameters[name] if {
	is_object(input.parameters[name])
} else := data.mlfence.rangedata[_synced_name[name]] if {
	# A keyed reference into data, not an object built from the documents: building one would
	# copy the indexes on every decision.
	not _approved_overridden(name)
} else := config.defaults[name]

_synced_name := {
	"approved_ranges": "approved",
	"approved_index": "approved_index",
	"owner_index": "owner_index",
	"owner_ranges": "owner_ranges",
}

_approved_overridden("approved_index") if is_object(input.parameters.approved_ranges)

_approved_in(cidr, q) := _containing(_index("approved_index", cidr), cidr, q) if {
	_index("approved_index", cidr)
} else := {sprintf("%s/%s/%s", [provider, service, region]) |
	some provider, services in source("approved_ranges")
	some service, regions in services
	some region, families in regions
	some approved in object.get(families, family(cidr), [])
	net.cidr_contains(approved, cidr)
}

_approved_under(cidr, q) := _inside(_index("approved_index", cidr), cidr, q) if {
	_index("approved_index", cidr)
} else := {sprintf("%s/%s/%s", [provider, service, region]) |
	some provider, services in source("approved_ranges")
	some service, regions in services
	some region, families in regions
	some approved in object.get(families, family(cidr), [])
	net.cidr_intersects(approved, cidr)
}

# _owners(cidr, q) is the set of [owner, kind] from the index and from owner_ranges,
# which a caller may also use for owners of its own (a partner's ranges).
_owners(cidr, q) := _indexed_owners(cidr, q) | _listed_owners(cidr)

_indexed_owners(cidr, q) := {[owner, kind] |
	index := _index("owner_index", cidr)
	some owner in (_containing(index, cidr, q) | _inside(index, cidr, q))
	kind := _owner_kind(owner)
}

_owner_kind(owner) := input.parameters.owner_index.kinds[owner] if {
	is_string(input.parameters.owner_index.kinds[owner])
} else := data.mlfence.rangedata[_synced_name.owner_index].kinds[owner] if {
	# Through a rule: `not is_object(input.parameters.owner_index)` is never true when the
	# parameter is absent (the builtin call on an undefined argument fails the negation too).
	not _given("owner_index")
	is_string(data.mlfence.rangedata[_synced_name.owner_index].kinds[owner])
} else := "cloud"

_given(name) if is_object(input.parameters[name])

_listed_owners(cidr) := {[owner, entry.kind] |
	some owner, entry in _owner_list(cidr)
	some published in object.get(entry, family(cidr), [])
	net.cidr_intersects(published, cidr)
}

# _owner_list(cidr) is the owner_ranges to scan linearly: a parameter always (a caller's own
# owners), the synced list only without an owner index, which holds the same owners: scanning
# it as well would make every decision linear in the CDN ranges.
_owner_list(cidr) := input.parameters.owner_ranges if {
	is_object(input.parameters.owner_ranges)
} else := {} if {
	_index("owner_index", cidr)
} else := source("owner_ranges")

# --- indexed lookups ------------------------------------------------------------------------
# An index holds, per family, a trie on the address's hex digits flattened into
# {hex prefix: {"ranges": [[cidr, labels]], "below": labels}} (tools/mlfence/cidr.py): every
# nibble prefix of every range is a node, a range sits in the node of its whole nibbles, and
# "below" lists the labels of every range at or under the node. A lookup reads, down to the
# block's own nibbles, the nodes at the depths that hold ranges (at most 9 or 33) and lets one
# net.cidr_contains_matches call per node (at most 30 ranges) do the bit work, whatever the
# number of ranges.

# _index(name, cidr) is a handle on one family of an index, or undefined when there is none.
# Lookups go through _node so that only the nodes a query touches are read from the store:
# the whole object handed to a function or a builtin would be converted from the default store
# (conftest, plain `opa eval`) on every call: milliseconds per destination with full data.
_index(name, cidr) := handle if {
	handle := {"source": _index_source[name], "name": name, "document": _synced_name[name], "family": family(cidr)}
	_node(handle, "")
	is_array(_depths(handle))
}

# _index_source[name] says, once per evaluation, where index `name` comes from: the caller's
# parameters or the synced data.
_index_source[name] := "parameters" if {
	some name in object.keys(_synced_name)
	_given(name)
}

_index_source[name] := "data" if {
	some name in object.keys(_synced_name)
	not _given(name)
	not _approved_overridden(name)
}

# _depths(index): the key lengths of the nodes that hold ranges; only those are read.
_depths(index) := data.mlfence.rangedata[index.document][index.family].depths if {
	index.source == "data"
} else := input.parameters[index.name][index.family].depths

# One body with else: both bodies of a plain function run on every call.
_node(index, key) := data.mlfence.rangedata[index.document][index.family].nodes[key] if {
	index.source == "data"
} else := input.parameters[index.name][index.family].nodes[key]

# _query(cidr) is {"hex": the address as 8 or 32 hex digits, "len": prefix length,
# "hex_prefix": the hex digits of the block's whole nibbles}.
_query(cidr) := {"hex": digits, "len": prefix_len, "hex_prefix": substring(digits, 0, _whole_nibbles(prefix_len))} if {
	parts := split(as_cidr(cidr), "/")
	digits := _hex(family(cidr), parts[0])
	prefix_len := to_number(parts[1])
}

_hex("ipv4", address) := sprintf("%02x%02x%02x%02x", [to_number(octet) | some octet in split(address, ".")])

_hex("ipv6", address) := concat("", [_pad4(group) | some group in _hextets(lower(address))])

# _hextets(address) expands "::" and a trailing dotted IPv4 part into eight groups.
_hextets(address) := array.flatten([head, zeros, tail]) if {
	halves := split(address, "::")
	count(halves) == 2
	head := _groups(halves[0])
	tail := _groups(halves[1])
	zeros := ["0" | some i in numbers.range(1, 8); i <= (8 - count(head)) - count(tail)]
} else := _groups(address)

_groups("") := []

_groups(text) := [hextet |
	some group in split(text, ":")
	some hextet in _dotted(group)
] if {
	text != ""
}

_dotted(group) := [sprintf("%02x%02x", [octets[0], octets[1]]), sprintf("%02x%02x", [octets[2], octets[3]])] if {
	contains(group, ".")
	octets := [to_number(octet) | some octet in split(group, ".")]
} else := [group]

_pad4(group) := concat("", [substring("0000", 0, 4 - count(group)), group])

_hex_digits := "0123456789abcdef"

_labels(text) := {label | some label in split(text, ","); label != ""}

# _containing(index, cidr, q) is the labels of ranges that contain the queried block: they sit
# in the nodes of its hex truncations (the block's own nibbles and fewer).
_containing(index, cidr, q) := {label |
	some depth in _depths(index)
	depth <= _whole_nibbles(q.len)
	ranges := _node(index, substring(q.hex, 0, depth)).ranges
	some match in net.cidr_contains_matches(ranges, cidr)
	some label in _labels(ranges[match[0]][1])
}

# _inside(index, cidr, q) is the labels of ranges inside the queried block. A block of whole
# nibbles: the "below" of its own node. Otherwise the ranges of the node of its whole nibbles
# that it contains, and the "below" of the (2, 4 or 8) child nodes whose next nibble agrees
# with the block's remaining bits.
_inside(index, cidr, q) := _labels(_field_at(index, q.hex_prefix, "below", "")) if {
	q.len % 4 == 0
} else := own | deeper if {
	ranges := _field_at(index, q.hex_prefix, "ranges", [])
	own := {label |
		some match in net.cidr_contains_matches(cidr, ranges)
		some label in _labels(ranges[match[1]][1])
	}
	deeper := {label |
		some digit in _agreeing_digits(substring(q.hex, _whole_nibbles(q.len), 1), q.len % 4)
		some label in _labels(_node(index, concat("", [q.hex_prefix, digit])).below)
	}
}

# _field_at(index, key, field, fallback) is the node's field, or fallback.
_field_at(index, key, field, fallback) := value if {
	value := _node(index, key)[field]
} else := fallback

_whole_nibbles(prefix_len) := (prefix_len - (prefix_len % 4)) / 4

# _agreeing_digits(digit, known) is the hex digits whose leading `known` bits equal digit's.
_agreeing_digits(digit, known) := [substring(_hex_digits, i, 1) | some i in numbers.range(low, (low + span) - 1)] if {
	span := _span[known]
	position := indexof(_hex_digits, digit)
	low := position - (position % span)
}

_span := {1: 8, 2: 4, 3: 2}
