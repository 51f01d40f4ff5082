# The benchmarked decision: classify each destination of input.cidrs with the parameters the
# bundle's adapter builds (data.mlfence.params), exactly as a rule's egress check would.
package bench.cidr

import data.lib.mlfence.ranges

classes := [class |
	some cidr in input.cidrs
	class := ranges.egress_class(cidr) with input as {"parameters": data.mlfence.params}
]
