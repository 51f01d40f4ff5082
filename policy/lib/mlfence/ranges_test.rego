package lib.mlfence.ranges_test

import data.lib.mlfence.ranges

# Small ranges in every shape lib.mlfence.ranges reads. The indexes were built from exactly
# these ranges with tools/mlfence/cidr.py (build_index; approved with reduce_min=True), e.g.
#   cidr.build_index({"aws/S3/us-east-1": [52.216.0.0/15, 2600:1fa0:8000::/39]}, reduce_min=True)
_approved := {"aws": {"S3": {"us-east-1": {
	"ipv4": ["52.216.0.0/15"],
	"ipv6": ["2600:1fa0:8000::/39"],
}}}}

_owners := {
	"fastly": {"kind": "cdn", "ipv4": ["151.101.0.0/16"], "ipv6": ["2a04:4e40::/32"]},
	"aws": {"kind": "cloud", "ipv4": ["52.0.0.0/8"], "ipv6": ["2600:1f00::/24"]},
}

_approved_index := {
	"ipv4": {"depths": [3], "nodes": {
		"34d": {"below": "aws/S3/us-east-1", "ranges": [["52.216.0.0/15", "aws/S3/us-east-1"]]},
		"34": {"below": "aws/S3/us-east-1"},
		"3": {"below": "aws/S3/us-east-1"},
		"": {"below": "aws/S3/us-east-1"},
	}},
	"ipv6": {"depths": [9], "nodes": {
		"26001fa08": {"below": "aws/S3/us-east-1", "ranges": [["2600:1fa0:8000::/39", "aws/S3/us-east-1"]]},
		"26001fa0": {"below": "aws/S3/us-east-1"},
		"26001fa": {"below": "aws/S3/us-east-1"},
		"26001f": {"below": "aws/S3/us-east-1"},
		"26001": {"below": "aws/S3/us-east-1"},
		"2600": {"below": "aws/S3/us-east-1"},
		"260": {"below": "aws/S3/us-east-1"},
		"26": {"below": "aws/S3/us-east-1"},
		"2": {"below": "aws/S3/us-east-1"},
		"": {"below": "aws/S3/us-east-1"},
	}},
}

_owner_index := {
	"ipv4": {"depths": [2, 4], "nodes": {
		"34": {"below": "aws", "ranges": [["52.0.0.0/8", "aws"]]},
		"3": {"below": "aws"},
		"9765": {"below": "fastly", "ranges": [["151.101.0.0/16", "fastly"]]},
		"976": {"below": "fastly"},
		"97": {"below": "fastly"},
		"9": {"below": "fastly"},
		"": {"below": "aws,fastly"},
	}},
	"ipv6": {"depths": [6, 8], "nodes": {
		"26001f": {"below": "aws", "ranges": [["2600:1f00::/24", "aws"]]},
		"26001": {"below": "aws"},
		"2600": {"below": "aws"},
		"260": {"below": "aws"},
		"26": {"below": "aws"},
		"2a044e40": {"below": "fastly", "ranges": [["2a04:4e40::/32", "fastly"]]},
		"2a044e4": {"below": "fastly"},
		"2a044e": {"below": "fastly"},
		"2a044": {"below": "fastly"},
		"2a04": {"below": "fastly"},
		"2a0": {"below": "fastly"},
		"2a": {"below": "fastly"},
		"2": {"below": "aws,fastly"},
		"": {"below": "aws,fastly"},
	}},
	"kinds": {"aws": "cloud", "fastly": "cdn"},
}

_params := {"approved_ranges": _approved, "owner_ranges": _owners, "internal_cidrs": ["10.0.0.0/8", "fd00::/8"]}

_indexed := {"approved_index": _approved_index, "owner_index": _owner_index, "internal_cidrs": ["10.0.0.0/8"]}

_synced := {
	"approved": _approved, "approved_index": _approved_index,
	"owner_index": _owner_index, "owner_ranges": {"fastly": _owners.fastly},
}

# _class(cidr, params) is the class egress_class gives with these parameters and no synced data.
_class(cidr, params) := c.class if {
	c := ranges.egress_class(cidr) with input as {"parameters": params}
		with data.mlfence.rangedata as {}
}

# Every class through both parameter paths: lists (Gatekeeper) and indexes (bundle-sized data).
_cases := [
	["10.1.2.0/24", "internal"],
	["fd00::1/128", "internal"],
	["52.216.8.0/24", "approved"],
	["2600:1fa0:8000::/64", "approved"],
	["52.216.0.0/14", "partial"],
	["2600:1fa0::/32", "partial"],
	["151.101.1.1/32", "cdn"],
	["2a04:4e40::1/128", "cdn"],
	["52.1.2.3/32", "cloud"],
	["2600:1f00::/48", "cloud"],
	["198.51.100.0/24", "public"],
	["2001:db8::/48", "public"],
	["10.0.0.0/33", "invalid"],
	["not-an-address", "invalid"],
	[42, "invalid"],
]

test_each_class_with_parameter_lists if {
	every case in _cases {
		_class(case[0], _params) == case[1]
	}
}

test_each_class_with_parameter_indexes if {
	every case in _cases {
		_class(case[0], object.union(_indexed, {"internal_cidrs": _params.internal_cidrs})) == case[1]
	}
}

test_each_class_with_synced_data if {
	every case in _cases {
		c := ranges.egress_class(case[0]) with input as {"parameters": {"internal_cidrs": _params.internal_cidrs}}
			with data.mlfence.rangedata as _synced
		c.class == case[1]
	}
}

test_result_shape_names_owner_and_service if {
	ranges.egress_class("52.216.8.0/24") == {"class": "approved", "owner": "aws", "service": "aws/S3/us-east-1"} with input as {"parameters": _indexed}
	ranges.egress_class("52.216.0.0/14") == {"class": "partial", "owner": "aws", "service": "aws/S3/us-east-1"} with input as {"parameters": _params}
	ranges.egress_class("151.101.1.1") == {"class": "cdn", "owner": "fastly", "service": ""} with input as {"parameters": _indexed}
	ranges.egress_class("52.1.2.3") == {"class": "cloud", "owner": "aws", "service": ""} with input as {"parameters": _params}
	ranges.egress_class("8.8.8.8/32") == {"class": "public", "owner": "", "service": ""} with input as {"parameters": _indexed}
}

test_bare_addresses_are_host_routes if {
	# Never classful: 52.216.0.0 alone is one address inside S3, not 52.0.0.0/8 (partial).
	_class("52.216.0.0", _params) == "approved"
	_class("52.216.0.0", _indexed) == "approved"
	_class("2600:1fa0:8000::5", _params) == "approved"
	_class("2600:1fa0:8000::5", _indexed) == "approved"
	_class("10.9.9.9", _params) == "internal"
	_class("151.101.0.0", _indexed) == "cdn"
	ranges.as_cidr("10.0.0.1") == "10.0.0.1/32"
	ranges.as_cidr("::1") == "::1/128"
}

test_families_never_mix if {
	# An IPv4-mapped IPv6 block is IPv6: the IPv4 ranges do not cover it.
	_class("::ffff:52.216.8.1/128", _params) == "public"
	_class("::ffff:52.216.8.1/128", _indexed) == "public"
	ranges.family("2600::/16") == "ipv6"
	ranges.family("52.0.0.0/8") == "ipv4"
}

test_ipv6_text_forms if {
	_class("2600:1FA0:8000:0:0:0:0:1/128", _indexed) == "approved"
	_class("2600:1fa0:8000::0.0.0.1/128", _indexed) == "approved"
	_class("::/0", _indexed) == "partial"
	_class("0.0.0.0/0", _indexed) == "partial"
}

test_hand_set_approved_ranges_disable_synced_index if {
	# A caller who sets approved_ranges decides what is approved: the synced index (built from
	# bundle.yaml's approvals) must not approve anything beyond it.
	mine := {"gcp": {"storage": {"us": {"ipv4": ["34.1.0.0/16"]}}}}
	c := ranges.egress_class("52.216.8.0/24") with input as {"parameters": {"approved_ranges": mine}}
		with data.mlfence.rangedata as _synced
	c.class == "cloud"
	d := ranges.egress_class("34.1.2.0/24") with input as {"parameters": {"approved_ranges": mine}}
		with data.mlfence.rangedata as _synced
	d == {"class": "approved", "owner": "gcp", "service": "gcp/storage/us"}
}

test_parameters_win_over_synced_data if {
	c := ranges.egress_class("52.216.8.0/24") with input as {"parameters": {"approved_index": {}}}
		with data.mlfence.rangedata as _synced
	c.class == "approved" # an empty object is not an index: the synced one stays in use
	d := ranges.egress_class("151.101.1.1/32") with input as {"parameters": {"owner_ranges": {}}}
		with data.mlfence.rangedata as _synced
	d.class == "cdn" # the owner index still knows Fastly
}

test_owner_kind_from_synced_index if {
	# Without an owner_ranges list the kind comes from the synced index's "kinds".
	c := ranges.egress_class("151.101.1.1/32") with input as {"parameters": {}}
		with data.mlfence.rangedata as object.remove(_synced, ["owner_ranges"])
	c == {"class": "cdn", "owner": "fastly", "service": ""}
}

test_cdn_wins_over_cloud if {
	both := object.union(_params, {"owner_ranges": object.union(_owners, {"cloudfront": {"kind": "cdn", "ipv4": ["52.1.0.0/16"]}})})
	ranges.egress_class("52.1.2.3/32") == {"class": "cdn", "owner": "cloudfront", "service": ""} with input as {"parameters": both}
}

test_no_data_nothing_is_approved if {
	_class("52.216.8.0/24", {}) == "public"
	_class("10.0.0.1/32", {}) == "internal" # the default internal ranges
}

test_helpers if {
	ranges.approved_containing("52.216.8.0/24") == {{"owner": "aws", "service": "aws/S3/us-east-1"}} with input as {"parameters": _indexed}
	ranges.approved_overlapping("52.0.0.0/8") == {{"owner": "aws", "service": "aws/S3/us-east-1"}} with input as {"parameters": _params}
	ranges.owners_of("52.0.0.0/8") == {{"class": "cloud", "owner": "aws", "service": ""}} with input as {"parameters": _indexed}
	ranges.owners_of("151.0.0.0/8") == {{"class": "cdn", "owner": "fastly", "service": ""}} with input as {"parameters": _params}
}

# Link-local and loopback space is not public: NodeLocal DNSCache and the metadata service live there.
test_special_use_classes if {
	ranges.egress_class("169.254.20.10/32") == {"class": "link_local", "owner": "NodeLocal DNSCache", "service": ""}
	ranges.egress_class("169.254.20.10") == {"class": "link_local", "owner": "NodeLocal DNSCache", "service": ""}
	ranges.egress_class("169.254.0.0/16").class == "link_local"
	ranges.egress_class("fe80::1/128").class == "link_local"
	ranges.egress_class("127.0.0.1/32") == {"class": "loopback", "owner": "", "service": ""}
	ranges.egress_class("::1").class == "loopback"
	ranges.egress_class("169.0.0.0/8").class == "public"
}
