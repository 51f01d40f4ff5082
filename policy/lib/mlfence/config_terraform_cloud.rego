# Secure defaults of the Google Cloud and Azure Terraform rules (MLF-TF-040 to MLF-TF-079).
# Each key is mirrored in data/mlfence/config/data.yaml.
package lib.mlfence.config

# Ports of services that ML platforms run and attackers scan for: SSH, TensorBoard, Ray
# dashboard and client, MLflow, TF Serving gRPC/REST, Triton HTTP/gRPC/metrics, common model
# servers, Jupyter, Dask scheduler dashboard and Spark UI. Ranges are "low-high" strings.
defaults["ml_ports"] := [
	22, 4040, 5000, 6006, 8000, 8001, 8002, 8080, 8081, 8265,
	8500, 8501, 8786, 8787, 8888, 10001,
]

# Addresses (or "."-separated globs such as "module.demo.**") of resources that were reviewed
# and are meant to be reachable from the internet, e.g. a public demo endpoint. Empty: none.
defaults["public_resource_allowlist"] := []

# Network tags of egress proxies / NAT instances that must reach the internet on behalf of
# everything else; an EGRESS allow-all firewall that targets only these tags is accepted.
defaults["gcp_egress_proxy_tags"] := []

# A Compute Engine instance (or template) is an ML instance when it carries one of these label
# values ("*" = any value), one of these network tags, a GPU, or an accelerator machine type.
defaults["gcp_ml_labels"] := {
	"workload": ["ml", "training", "inference", "notebook", "serving"],
	"ml": ["*"],
	"ml-workload": ["*"],
}

defaults["gcp_ml_network_tags"] := ["ml", "training", "inference", "notebook", "jupyter", "ray", "gpu"]

# A2/A3/A4 (A100/H100/B200) and G2/G4 (L4/RTX) machine types come with GPUs attached, so
# they never show a guest_accelerator block.
defaults["gcp_ml_machine_type_prefixes"] := ["a2-", "a3-", "a4-", "g2-", "g4-", "ct5", "ct6"]

# GKE master authorized networks may let all Google Cloud public IPs in; that is any VM of any
# customer, so it is off unless the platform decides otherwise.
defaults["gke_allow_gcp_public_cidrs"] := false

# Vertex AI Workbench / user-managed notebooks registered with Google's inverting proxy are
# reachable from the internet behind Google sign-in. Set true where that is the access path.
defaults["gcp_notebook_proxy_access_allowed"] := false

# Projects allowed to connect to Vertex AI endpoints through Private Service Connect; empty
# means any explicit, non-empty allowlist is accepted.
defaults["gcp_psc_allowed_projects"] := []

# Azure ML workspace managed-network isolation modes that pass without a finding.
defaults["aml_allowed_isolation_modes"] := ["AllowOnlyApprovedOutbound"]

# Posture mode: judge every resource in a plan, unchanged (no-op) ones included, not only what
# the plan changes and the unchanged resources it depends on. States are always judged this way.
defaults["all_resources"] := false

# Subnet names (case-insensitive substrings) that mark an Azure subnet as hosting ML workloads
# (MLF-TF-069), besides the subnets Azure ML compute is placed in.
defaults["azure_ml_subnet_names"] := ["aml", "ml-", "training", "inference", "notebook"]
