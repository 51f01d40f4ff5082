# Secure defaults shared by every rule that judges a list of address entries as a whole
# (NetworkPolicy peers, load balancer source ranges, Ingress allowlists, Istio ServiceEntry
# addresses, cloud firewall rules).
package lib.mlfence.config

import data.lib.mlfence.net

# The share of the public IPv4 or IPv6 space from which the union of a rule's entries counts as
# "the internet" (lib.mlfence.net.opens_share): a number in (0, 1].
defaults["open_share_threshold"] := net.default_open_share_threshold
