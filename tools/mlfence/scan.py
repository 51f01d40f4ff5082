"""Evaluates loaded documents with the real OPA, in one process for the whole run."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlfence import toolchain
from mlfence.documents import Document

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
STATUSES = ("fail", "warn", "unknown", "exempted")


class ScanError(RuntimeError):
    """OPA could not evaluate the policy (a broken policy or data folder, not bad input)."""


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: str
    status: str
    title: str
    message: str
    file: str
    line: int
    resource: str
    remediation: str
    template: str = ""
    exemption: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {
            "rule_id": self.rule_id, "severity": self.severity, "status": self.status, "title": self.title,
            "message": self.message, "file": self.file, "line": self.line, "resource": self.resource,
            "remediation": self.remediation,
        }
        if self.template:
            out["template"] = self.template
        if self.exemption:
            out["exemption"] = self.exemption
        return out


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    documents: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


def evaluate(documents: list[Document], policy: Path, data: Path,
             extra_data: dict[str, Any] | None = None) -> ScanResult:
    """Run data.mlfence.scan over every document at once."""
    result = ScanResult(documents=len(documents))
    if not documents:
        return result
    payload = {"documents": [{"path": d.path, "index": i, "document": d.content} for i, d in enumerate(documents)]}
    with tempfile.TemporaryDirectory(prefix="mlfence-scan-") as tmp:
        input_path = Path(tmp) / "input.json"
        input_path.write_text(json.dumps(payload))
        args = ["eval", "--format", "json", "-d", str(policy), "-d", str(data),
                "--ignore", "*_test.rego", "--input", str(input_path)]
        if extra_data:
            extra = Path(tmp) / "extra" / "data.json"
            extra.parent.mkdir()
            extra.write_text(json.dumps(extra_data))
            args += ["-d", str(extra.parent)]
        proc = toolchain.run("opa", *args, "data.mlfence.scan")
    if proc.returncode != 0:
        raise ScanError(proc.stderr.strip() or proc.stdout.strip() or f"opa eval exited {proc.returncode}")
    try:
        answers = json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    except (KeyError, IndexError, json.JSONDecodeError) as exc:
        raise ScanError(f"unexpected answer from opa eval: {proc.stdout[:200]!r}") from exc
    for answer in answers:
        doc = documents[answer["index"]]
        result.kinds[answer["input_kind"]] = result.kinds.get(answer["input_kind"], 0) + 1
        if answer["input_kind"] == "unrecognised":
            continue
        for f in answer["findings"]:
            result.findings.append(Finding(
                rule_id=f["rule_id"], severity=f["severity"], status=f["status"], title=f.get("title", ""),
                message=f["message"], file=doc.path, line=doc.line, resource=f.get("resource", ""),
                remediation=f.get("remediation", ""), template=doc.template, exemption=f.get("exemption"),
            ))
    result.findings.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.rule_id, f.file, f.line, f.message))
    return result
