package lib.mlfence.net_test

import data.lib.mlfence.net

test_is_everywhere if {
	net.is_everywhere("0.0.0.0/0")
	net.is_everywhere(" ::/0 ")
	net.is_everywhere("1.2.3.4/0")
	not net.is_everywhere("0.0.0.0/1")
	not net.is_everywhere(3)
}

# The halves of each family are the whole public space together, and neither is alone.
test_open_share_halves if {
	net.open_share(["0.0.0.0/1", "128.0.0.0/1"]) == 1
	net.open_share(["::/1", "8000::/1"]) == 1
	net.opens_internet(["128.0.0.0/1", "0.0.0.0/1"])
	net.opens_internet(["8000::/1", "::/1"])
	low := net.open_share(["0.0.0.0/1"])
	low < 1
	high := net.open_share(["128.0.0.0/1"])
	high < 1
	abs((low + high) - 1) < 0.000000001
}

# Finer splits, duplicates and overlaps add up the same way.
test_open_share_splits if {
	net.open_share(["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2", "64.0.0.0/3"]) == 1
	net.open_share([sprintf("%d.0.0.0/8", [i]) | some i in numbers.range(0, 255)]) == 1
	net.open_share(["2000::/4", "3000::/4"]) == 1
}

# Private and reserved space is no share of the public internet, however large.
test_open_share_private_is_nothing if {
	net.open_share(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8"]) == 0
	net.open_share(["224.0.0.0/3", "0.0.0.0/8", "169.254.0.0/16"]) == 0
	net.open_share(["fc00::/7", "fe80::/10", "ff00::/8", "4000::/2", "::/3"]) == 0
	net.open_share(["2001:db8::/32", "2001::/23"]) == 0
	not net.opens_internet(["10.0.0.0/8", "fc00::/7"])
}

# Only 2000::/3 is global unicast: ::/1 holds all of it.
test_open_share_ipv6_global_unicast if {
	net.open_share(["::/1"]) == 1
	net.open_share(["2000::/3"]) == 1
	share := net.open_share(["2000::/4"])
	share > 0.49
	share < 0.5
}

# An IPv4-mapped IPv6 block is the IPv4 block it maps, as OPA and Go's net package read it;
# mixing it with IPv4 entries must not reach net.cidr_merge in one call (it panics).
test_open_share_ipv4_mapped if {
	net.open_share(["::ffff:0:0/96"]) == 1
	net.open_share(["::ffff:0.0.0.0/97", "128.0.0.0/1"]) == 1
	net.open_share(["::ffff:0:0/96", "0.0.0.0/1", "::ffc0:0:0/90", "::ffff:0:0/120"]) == 1
	net.merged_blocks(["::ffff:10.0.0.0/104", "0.0.0.0/1"], "ipv6") == set()
}

# Families are merged apart: net.cidr_merge(["0.0.0.0/1", "::/1"]) drops the IPv4 entry.
test_open_share_mixed_families if {
	net.open_share(["0.0.0.0/1", "::/1", "128.0.0.0/1"]) == 1
	net.merged_blocks(["0.0.0.0/1", "::/1", "128.0.0.0/1"], "ipv4") == {"0.0.0.0/0"}
	net.merged_blocks(["0.0.0.0/1", "::/1", "128.0.0.0/1"], "ipv6") == {"::/1"}
}

# Bare addresses are host routes, never the classful network net.cidr_merge would make of them.
test_open_share_bare_addresses if {
	net.merged_blocks(["8.8.8.8", " 1.1.1.1 "], "ipv4") == {"1.1.1.1/32", "8.8.8.8/32"}
	share := net.open_share(["8.8.8.8"])
	share > 0
	share < 0.000000001
}

# What is not an address is skipped, never an error: sets, words, numbers, bad lengths.
test_open_share_garbage if {
	net.open_share([]) == 0
	net.open_share(set()) == 0
	net.open_share({"0.0.0.0/1", "128.0.0.0/1", "x"}) == 1
	net.open_share(["*", "internet", 3, null, {}, "1.2.3.4/33", "300.0.0.0/8", "", "::/129"]) == 0
	net.open_share(["0.0.0.0/1", "1.2.3.4/33", "128.0.0.0/1"]) == 1
}

test_opens_share_threshold if {
	net.opens_share(["0.0.0.0/2"], 0.25)
	not net.opens_share(["0.0.0.0/2"], 0.3)
	not net.opens_share(["1.0.0.0/8"], net.default_open_share_threshold)
	net.opens_share(["1.0.0.0/8"], 0.001)
}

# A threshold that is no share (a string parameter, 0, more than 1) falls back to the default.
test_opens_share_bad_threshold_is_default if {
	net.opens_share(["0.0.0.0/1"], "0.9")
	net.opens_share(["0.0.0.0/1"], 0)
	net.opens_share(["0.0.0.0/1"], 7)
	not net.opens_share(["1.0.0.0/8"], null)
}

test_share_text if {
	net.share_text(["0.0.0.0/1", "128.0.0.0/1"]) == "all of the public IPv4 address space"
	net.share_text(["::/1", "10.0.0.0/8"]) == "all of the public IPv6 address space"
	net.share_text(["0.0.0.0/1"]) == "57% of the public IPv4 address space"
	net.share_text([]) == "0% of the public IPv4 address space"
}

test_union_text if {
	net.union_text("range", ["128.0.0.0/1", " 0.0.0.0/1"]) == "ranges 0.0.0.0/1 and 128.0.0.0/1, which together cover all of the public IPv4 address space"
	startswith(net.union_text("address", ["0.0.0.0/1", "128.0.0.0/1"]), "addresses 0.0.0.0/1 and 128.0.0.0/1")
	net.union_text("range", ["0.0.0.0/1", 3]) == "range 0.0.0.0/1, which covers 57% of the public IPv4 address space"
	text := net.union_text("x", ["0.0.0.0/3", "32.0.0.0/3", "64.0.0.0/3", "96.0.0.0/3", "128.0.0.0/3", "160.0.0.0/3", "192.0.0.0/3"])
	text == "xs 0.0.0.0/3, 128.0.0.0/3, 160.0.0.0/3, 192.0.0.0/3, 32.0.0.0/3 and 2 more, which together cover all of the public IPv4 address space"
}

# The public space's sizes are written out in net.rego; they are its root less its reserved blocks.
test_public_size_is_the_root_less_the_reserved_blocks if {
	computed := {family: size |
		some family, space in net._public_space
		size := net._size(space.root, family) - sum([net._size(r, family) | some r in space.reserved])
	}
	net._public_size == computed
	count(computed) == 2
}
