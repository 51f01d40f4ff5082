"""The real-world Terraform plans (../shared/realworld) scanned as one run, and the reviewed
snapshot of what mlfence finds in them (tests/snapshots/realworld-terraform.tsv).

Update the snapshot after a reviewed behaviour change with
    .venv/bin/python tests/realworld_plans.py --update
and read the diff (`git diff tests/snapshots/`) before committing it: every changed line is a
finding that appeared, disappeared or changed status or severity on a plan nobody here wrote.
"""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path("/work/shared/realworld") if Path("/work/shared/realworld").is_dir() else ROOT.parent / "shared/realworld"
SNAPSHOT = ROOT / "tests" / "snapshots" / "realworld-terraform.tsv"
HEADER = "plan\trule\tresource\tstatus\tseverity"

# Inputs among the corpus that are not plans a rule can judge, each with why: the test fails on
# any other file that is not recognised as a plan (a silent skip), and on any of these that is.
NOT_PLANS = {
    "terraform-fixtures/edge/hashicorp__terraform-json/testdata__invalid__plan.json": (
        "terraform-json's invalid-plan fixture: not JSON a plan reader accepts"
    ),
    "terraform-fixtures/edge/hashicorp__terraform-json/testdata__invalid__state.json": (
        "terraform-json's invalid-state fixture: not JSON a plan reader accepts"
    ),
    "terraform-fixtures/edge/infracost__infracost/cmd__infracost__testdata__plan_with_terraform_wrapper.json": (
        "setup-terraform wrapper output around the plan: an input error for the CLI (engineer inputs)"
    ),
    "terraform-fixtures/edge/bridgecrewio__checkov/tests__terraform__parser__resources__plan_vpc_endpoint__tfplan.json": (  # noqa: E501 (a real fixture path)
        "two JSON documents concatenated: an input error for the CLI (engineer inputs)"
    ),
}


def plan_files() -> list[Path]:
    """Every plan of the corpus: the 8 of realworld/terraform and all of terraform-fixtures."""
    files = sorted((SHARED / "terraform").glob("*.json"))
    for part in ("main", "edge"):
        files += sorted(p for p in (SHARED / "terraform-fixtures" / part).rglob("*") if p.is_file())
    return files


def relative(path: Path) -> str:
    return str(path.relative_to(SHARED))


def decode(raw: bytes) -> Any:
    """JSON as `terraform show -json` may have been saved: UTF-8 with or without a BOM, or
    UTF-16 with a BOM (Windows PowerShell redirection). None when it is not one JSON document."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = raw.decode("utf-16")
    else:
        text = raw.decode("utf-8-sig", errors="replace")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def scan(parameters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """data.mlfence.scan over every file in one OPA evaluation; builtin errors fail the run."""
    files = plan_files()
    documents = [{"path": relative(p), "index": i, "document": decode(p.read_bytes())} for i, p in enumerate(files)]
    opa = ROOT / ".tools" / "bin" / "opa"
    with tempfile.TemporaryDirectory(prefix="mlfence-realworld-") as tmp:
        input_path = Path(tmp) / "input.json"
        input_path.write_text(json.dumps({"documents": documents}))
        args = [
            str(opa),
            "eval",
            "--format",
            "json",
            "--strict-builtin-errors",
            "-d",
            str(ROOT / "policy"),
            "-d",
            str(ROOT / "data"),
            "--ignore",
            "*_test.rego",
            "--input",
            str(input_path),
        ]
        if parameters:
            extra = Path(tmp) / "extra" / "data.json"
            extra.parent.mkdir()
            extra.write_text(json.dumps({"mlfence": {"config": parameters}}))
            args += ["-d", str(extra.parent)]
        proc = subprocess.run([*args, "data.mlfence.scan"], capture_output=True, text=True, check=False, timeout=1200)
    if proc.returncode != 0:
        raise RuntimeError(f"opa eval failed: {proc.stderr.strip() or proc.stdout[:2000]}")
    answer = json.loads(proc.stdout)
    if "errors" in answer or not answer.get("result"):
        raise RuntimeError(f"opa eval answered without a result: {proc.stdout[:2000]}")
    return sorted(answer["result"][0]["expressions"][0]["value"], key=lambda a: a["path"])


def rows(answers: list[dict[str, Any]]) -> list[str]:
    """One line per finding; a plan without findings gets one line with "-" so it is still listed."""
    out = []
    for answer in answers:
        if answer["input_kind"] != "terraform_plan":
            out.append(f"{answer['path']}\t-\t-\t{answer['input_kind']}\t-")
            continue
        found = sorted({(f["rule_id"], f.get("resource", ""), f["status"], f["severity"]) for f in answer["findings"]})
        if not found:
            out.append(f"{answer['path']}\t-\t-\t-\t-")
        out += [
            f"{answer['path']}\t{rule}\t{resource}\t{status}\t{severity}" for rule, resource, status, severity in found
        ]
    return out


def render(lines: list[str]) -> str:
    return "\n".join([HEADER, *lines]) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: tests/realworld_plans.py --update")
    SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    SNAPSHOT.write_text(render(rows(scan())))
    print(f"wrote {SNAPSHOT}")
