# Secure defaults of the NetworkPolicy and pod-level Kubernetes rules (MLF-K8S-001 to
# MLF-K8S-029). Each key is mirrored in data/mlfence/config/data.yaml. The approved edge
# gateways (`edge_gateways`) are declared with the exposure rules' defaults.
package lib.mlfence.config

# The cluster DNS that pods may query: its namespace and the labels of its pods, plus CIDRs of
# node-local DNS caches (e.g. ["169.254.20.10/32"]) when the platform runs one.
defaults["cluster_dns"] := {"namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}}

defaults["cluster_dns_cidrs"] := []

# Instance metadata services: AWS, GCP and Azure answer on 169.254.169.254, AWS also on
# fd00:ec2::254 (IPv6). Add e.g. "100.100.100.200/32" on Alibaba Cloud.
defaults["metadata_endpoints"] := ["169.254.169.254/32", "fd00:ec2::254/128"]

# Where the API server's calls to admission webhooks come from (its node or VPC addresses).
# Empty: unknown, so a NetworkPolicy rule that opens only a webhook backend's target ports to
# every source is accepted (MLF-K8S-003); set, such a rule must admit only these CIDRs.
defaults["control_plane_cidrs"] := []

# Pods that handle personal data: label key -> values that mark them.
defaults["pii_labels"] := {"data-classification": ["pii"]}

# Namespaces whose pods run inside the Istio mesh (globs). Empty: every in-scope namespace,
# since opting a pod out of a mesh only matters where there is one; Namespaces labelled
# istio-injection=enabled or istio.io/rev count as well.
defaults["mesh_namespaces"] := []

# The name suggested for the missing default-deny NetworkPolicy.
defaults["default_deny_policy_name"] := "default-deny-all"

# Declared flows (the settings' `flows:` section; lib.mlfence.intent): components, the flows
# allowed between them and their traffic with the outside. None declared: nothing is judged.
defaults["flows"] := {}
