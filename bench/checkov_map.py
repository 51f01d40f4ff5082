"""ML-isolation categories: which mlfence rules and which Checkov checks address each one.

A known-bad case of the corpus (an examples.yaml `deny` case of rule R) belongs to
RULE_CATEGORY[R]. mlfence detects it when rule R fires on that file (and, in a plan, on a
resource inside the case's module). Checkov detects it when a failed check whose ID maps to the
same category (CHECKOV_CATEGORY, checked against `checkov --list` of Checkov 3.3.30) fires on
the same file (and, in a plan, on a resource inside the case's module). The benchmark also
reports a lenient figure that credits Checkov for *any* failed check on that resource/file.

Categories with no Checkov check at all are listed in `uncovered()`: Checkov has no check that
reads NetworkPolicy rules, Istio resources, Service/Ingress exposure, KServe/Ray/Volcano
objects, SageMaker job VPC placement, private endpoints, or SSM access to model containers.
"""

from __future__ import annotations

RULE_CATEGORY: dict[str, str] = {
    # Kubernetes
    "MLF-K8S-001": "netpol-egress-open",
    "MLF-K8S-004": "netpol-egress-open",
    "MLF-K8S-005": "netpol-egress-open",
    "MLF-K8S-006": "netpol-egress-open",
    "MLF-K8S-007": "netpol-egress-open",
    "MLF-K8S-003": "netpol-ingress-open",
    "MLF-K8S-008": "no-default-deny",
    "MLF-K8S-009": "no-default-deny",
    "MLF-K8S-035": "no-default-deny",
    "MLF-K8S-002": "host-network",
    "MLF-K8S-010": "host-network",
    "MLF-K8S-011": "static-credentials",
    "MLF-K8S-014": "workload-identity",
    "MLF-K8S-012": "mesh-bypass",
    "MLF-K8S-013": "mesh-bypass",
    "MLF-K8S-040": "mesh-bypass",
    "MLF-K8S-048": "mesh-bypass",
    "MLF-K8S-041": "mesh-authz",
    "MLF-K8S-042": "mesh-authz",
    "MLF-K8S-043": "mesh-authz",
    "MLF-K8S-044": "mesh-egress",
    "MLF-K8S-045": "mesh-egress",
    "MLF-K8S-046": "mesh-egress",
    "MLF-K8S-047": "mesh-egress",
    "MLF-K8S-030": "k8s-exposure",
    "MLF-K8S-031": "k8s-exposure",
    "MLF-K8S-032": "k8s-exposure",
    "MLF-K8S-033": "k8s-exposure",
    "MLF-K8S-034": "k8s-exposure",
    "MLF-K8S-036": "k8s-exposure",
    "MLF-K8S-037": "k8s-exposure",
    "MLF-K8S-038": "k8s-exposure",
    "MLF-K8S-039": "k8s-exposure",
    "MLF-K8S-049": "k8s-exposure",
    "MLF-K8S-050": "k8s-exposure",
    "MLF-K8S-051": "k8s-exposure",
    "MLF-K8S-053": "k8s-exposure",
    "MLF-K8S-054": "k8s-exposure",
    "MLF-K8S-055": "k8s-exposure",
    "MLF-K8S-056": "k8s-exposure",
    "MLF-K8S-052": "encryption-in-transit",
    "MLF-K8S-057": "static-credentials",
    "MLF-K8S-063": "netpol-egress-open",
    # Declared flows (parameters per platform: the corpus holds no case of them, Checkov no check)
    "MLF-K8S-060": "declared-flows",
    "MLF-K8S-061": "declared-flows",
    "MLF-K8S-062": "declared-flows",
    # Terraform
    "MLF-TF-001": "cloud-ingress-open",
    "MLF-TF-040": "cloud-ingress-open",
    "MLF-TF-060": "cloud-ingress-open",
    "MLF-TF-065": "cloud-ingress-open",
    "MLF-TF-002": "cloud-egress-open",
    "MLF-TF-003": "cloud-egress-open",
    "MLF-TF-041": "cloud-egress-open",
    "MLF-TF-042": "cloud-egress-open",
    "MLF-TF-063": "cloud-egress-open",
    "MLF-TF-004": "public-ip",
    "MLF-TF-005": "public-ip",
    "MLF-TF-006": "public-ip",
    "MLF-TF-043": "public-ip",
    "MLF-TF-045": "public-ip",
    "MLF-TF-047": "public-ip",
    "MLF-TF-064": "public-ip",
    "MLF-TF-067": "public-ip",
    "MLF-TF-007": "public-endpoint",
    "MLF-TF-008": "public-endpoint",
    "MLF-TF-044": "public-endpoint",
    "MLF-TF-046": "public-endpoint",
    "MLF-TF-048": "public-endpoint",
    "MLF-TF-049": "public-endpoint",
    "MLF-TF-061": "public-endpoint",
    "MLF-TF-062": "public-endpoint",
    "MLF-TF-066": "public-endpoint",
    "MLF-TF-009": "flow-logs",
    "MLF-TF-010": "private-endpoints",
    "MLF-TF-023": "private-endpoints",
    "MLF-TF-011": "storage-public",
    "MLF-TF-012": "storage-public",
    "MLF-TF-013": "ml-network-isolation",
    "MLF-TF-014": "ml-network-isolation",
    "MLF-TF-020": "ml-network-isolation",
    "MLF-TF-022": "ml-network-isolation",
    "MLF-TF-015": "notebook-access",
    "MLF-TF-016": "notebook-access",
    "MLF-TF-017": "notebook-access",
    "MLF-TF-018": "notebook-access",
    "MLF-TF-019": "container-access",
    "MLF-TF-021": "encryption-in-transit",
    "MLF-TF-024": "storage-public",
    "MLF-TF-050": "storage-public",
    "MLF-TF-025": "public-endpoint",
    "MLF-TF-026": "public-endpoint",
    "MLF-TF-068": "public-endpoint",
    "MLF-TF-069": "public-ip",
}

# Checkov check ID -> category, for every Checkov 3.3.30 check (kubernetes, terraform_plan) that
# addresses one of the categories above.
CHECKOV_CATEGORY: dict[str, str] = {
    # host network / host ports
    "CKV_K8S_19": "host-network",  # Containers should not share the host network namespace
    "CKV_K8S_26": "host-network",  # Do not specify hostPort unless absolutely necessary
    "CKV_K8S_4": "host-network",  # PSP: do not admit host network
    # default deny
    "CKV2_K8S_6": "no-default-deny",  # Minimize the admission of pods which lack an associated NetworkPolicy
    # credentials and identity
    "CKV_K8S_35": "static-credentials",  # Prefer using secrets as files over secrets as environment variables
    "CKV_K8S_38": "workload-identity",  # Service Account Tokens only mounted where necessary
    "CKV_K8S_41": "workload-identity",  # default service accounts are not actively used
    "CKV_K8S_42": "workload-identity",
    # cloud firewalls: ingress
    "CKV_AWS_24": "cloud-ingress-open",
    "CKV_AWS_25": "cloud-ingress-open",
    "CKV_AWS_260": "cloud-ingress-open",
    "CKV_AWS_277": "cloud-ingress-open",
    "CKV_AWS_100": "cloud-ingress-open",
    "CKV2_AWS_7": "cloud-ingress-open",
    "CKV_GCP_2": "cloud-ingress-open",
    "CKV_GCP_3": "cloud-ingress-open",
    "CKV_GCP_106": "cloud-ingress-open",
    "CKV_GCP_75": "cloud-ingress-open",
    "CKV_GCP_77": "cloud-ingress-open",
    "CKV_GCP_88": "cloud-ingress-open",
    "CKV2_GCP_12": "cloud-ingress-open",
    "CKV_AZURE_9": "cloud-ingress-open",
    "CKV_AZURE_10": "cloud-ingress-open",
    "CKV_AZURE_160": "cloud-ingress-open",
    "CKV_AZURE_77": "cloud-ingress-open",
    # cloud firewalls: egress
    "CKV_AWS_382": "cloud-egress-open",
    "CKV2_AWS_12": "cloud-egress-open",
    "CKV2_AZURE_49": "cloud-egress-open",
    # public IPs
    "CKV_AWS_88": "public-ip",
    "CKV_AWS_130": "public-ip",
    "CKV_AWS_389": "public-ip",
    "CKV_GCP_40": "public-ip",
    "CKV_GCP_64": "public-ip",
    "CKV_GCP_89": "public-ip",
    "CKV2_GCP_28": "public-ip",
    "CKV_AZURE_119": "public-ip",
    "CKV_AZURE_143": "public-ip",
    # public endpoints
    "CKV_AWS_38": "public-endpoint",
    "CKV_AWS_39": "public-endpoint",
    "CKV2_AWS_28": "public-endpoint",
    "CKV_GCP_18": "public-endpoint",
    "CKV_GCP_20": "public-endpoint",
    "CKV_GCP_25": "public-endpoint",
    "CKV2_GCP_33": "public-endpoint",
    "CKV2_GCP_34": "public-endpoint",
    "CKV2_GCP_36": "public-endpoint",
    "CKV_AZURE_6": "public-endpoint",
    "CKV_AZURE_115": "public-endpoint",
    "CKV_AZURE_144": "public-endpoint",
    "CKV_AZURE_158": "public-endpoint",
    # flow logs
    "CKV2_AWS_11": "flow-logs",
    "CKV_GCP_26": "flow-logs",
    "CKV_GCP_61": "flow-logs",
    # storage
    "CKV2_AWS_6": "storage-public",
    "CKV_AWS_53": "storage-public",
    "CKV_AWS_54": "storage-public",
    "CKV_AWS_55": "storage-public",
    "CKV_AWS_56": "storage-public",
    "CKV_AWS_20": "storage-public",
    "CKV_AWS_57": "storage-public",
    "CKV_AWS_70": "storage-public",
    # SageMaker
    "CKV_AWS_370": "ml-network-isolation",  # SageMaker model uses network isolation
    "CKV_AWS_122": "notebook-access",  # notebook direct internet access disabled
    "CKV_AWS_306": "notebook-access",  # notebook launched into a custom VPC
    "CKV_AWS_307": "notebook-access",  # no root access on notebooks
    "CKV_AWS_369": "encryption-in-transit",  # data quality job inter-container encryption
}


def categories() -> list[str]:
    return sorted(set(RULE_CATEGORY.values()))


def uncovered() -> list[str]:
    """Categories for which Checkov has no check at all."""
    return sorted(set(RULE_CATEGORY.values()) - set(CHECKOV_CATEGORY.values()))


def markdown_table() -> str:
    rows = ["| category | mlfence rules | Checkov checks |", "|---|---|---|"]
    for cat in categories():
        ours = ", ".join(sorted(r for r, c in RULE_CATEGORY.items() if c == cat))
        theirs = ", ".join(sorted(k for k, c in CHECKOV_CATEGORY.items() if c == cat)) or "**none**"
        rows.append(f"| {cat} | {ours} | {theirs} |")
    return "\n".join(rows) + "\n"
