"""Terraform output that is not a plan, recognised so it is refused with the right command.

mlfence judges `terraform show -json PLANFILE` output. Pipelines hand scanners other things
too, and each of them used to pass with nothing checked: a binary plan (a zip; see
reading.decode), the `terraform plan -json` event log, the hashicorp/setup-terraform wrapper's
decorated stdout, a Terraform Cloud API response, a plan wrapped under a key, and the raw
terraform.tfstate file. (`terraform show -json` of state, `values` without changes, is judged
as a posture scan by the policy: lib.mlfence.tfplan.is_plan.)
"""

from __future__ import annotations

from typing import Any

from mlfence.inputs.errors import InputError

SHOW_PLAN = "`terraform plan -out plan.tfplan && terraform show -json plan.tfplan > plan.json`"

# terraform.tfstate itself is Terraform's storage format, not `terraform show -json` output.
STATE_REFUSED = (
    "is a terraform.tfstate file, not `terraform show -json` output; run `terraform show -json "
    "> state.json` for a posture scan of the state, or " + SHOW_PLAN + " for a plan"
)


def check_text(text: str) -> None:
    """Refuse text that a wrapper has decorated before it can be parsed."""
    head = text.lstrip("\ufeff")[:4096]
    if head.startswith("[command]"):
        raise InputError(
            "is the output of the hashicorp/setup-terraform wrapper (a `[command]` line and "
            "`::debug::` lines around the JSON); set `terraform_wrapper: false` in the "
            "setup-terraform step, or write the file with `terraform show -json plan.tfplan > plan.json`",
            1,
        )


def check_stream(values: list[Any]) -> None:
    """Several JSON values in one input: a `terraform plan -json` log has one event per line."""
    first = values[0] if values else None
    if isinstance(first, dict) and "@level" in first and "@message" in first:
        raise InputError(
            f"is a `terraform plan -json` event log (one message per line), not a plan; run {SHOW_PLAN}", 1
        )


def is_plan_shaped(doc: Any) -> bool:
    """`terraform show -json` output the policy judges: a plan, or state (posture)."""
    values = doc.get("values") if isinstance(doc, dict) else None
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("format_version"), str)
        and (
            isinstance(doc.get("resource_changes"), list)
            or isinstance(doc.get("planned_values"), dict)
            or (isinstance(values, dict) and isinstance(values.get("root_module"), dict))
        )
    )


def check_document(doc: Any) -> None:
    """Refuse a document that is Terraform output but not a plan mlfence can judge."""
    if not isinstance(doc, dict) or ("apiVersion" in doc and "kind" in doc):
        return
    if is_plan_shaped(doc):
        return
    plan_keys = "resource_changes" in doc or "planned_values" in doc
    if plan_keys and "format_version" not in doc:
        raise InputError(
            "looks like a Terraform plan but has no `format_version`, so it is not "
            f"`terraform show -json` output; produce the plan with {SHOW_PLAN}",
            1,
        )
    if plan_keys:
        raise InputError(
            f"looks like a Terraform plan but `format_version` is {doc['format_version']!r}, not a "
            f'string such as "1.2"; produce the plan with {SHOW_PLAN}',
            1,
        )
    if isinstance(doc.get("lineage"), str) and "serial" in doc and "resources" in doc:
        raise InputError(STATE_REFUSED, 1)
    data = doc.get("data")
    if isinstance(data, dict) and isinstance(data.get("type"), str) and "attributes" in data:
        raise InputError(
            f"is a Terraform Cloud/Enterprise API response (type {data['type']!r}), not a plan; "
            "download the plan's JSON (GET /api/v2/plans/PLAN_ID/json-output) or run "
            f"{SHOW_PLAN}",
            1,
        )
    for key, value in doc.items():
        if is_plan_shaped(value):
            raise InputError(
                f"wraps a plan under the key {key!r} (as Sentinel and some CI tools do); scan the "
                f"plan itself, e.g. `jq '.[\"{key}\"]' FILE > plan.json`",
                1,
            )
