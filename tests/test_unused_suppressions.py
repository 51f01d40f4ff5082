"""Suppressions and exemptions that suppressed nothing are reported, in the JSON summary and
in the table: stale entries (the problem was fixed) or mistyped ones (a wrong rule ID)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from conftest import MLFENCE, OPEN_EGRESS, cli_in_process, run

REASON = "reviewed egress for the model download, PLAT-12"
SOON = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()


def annotated(rules: str) -> str:
    return OPEN_EGRESS.replace(
        "metadata: {name: open-egress, namespace: ml-serving}",
        "metadata:\n  name: open-egress\n  namespace: ml-serving\n  annotations:\n"
        f'    mlfence.io/suppress: "{rules}"\n    mlfence.io/suppress-reason: "{REASON}"\n',
    )


def test_unused_annotation_rules_and_exemptions(tmp_path: Path) -> None:
    (tmp_path / "np.yaml").write_text(annotated("MLF-K8S-001, MLF-K8S-033"))
    (tmp_path / "quiet.yaml").write_text(
        annotated("MLF-K8S-001").replace("0.0.0.0/0", "10.0.0.0/8").replace("open-egress", "internal-egress")
    )
    (tmp_path / ".mlfence.yaml").write_text(
        "exemptions:\n  - rule: MLF-K8S-030\n    resource: ml-serving/Service/gateway\n"
        f'    reason: {REASON}\n    owner: ml-platform\n    expires: "{SOON}"\n'
    )
    # One real process prints the table and writes the JSON report (--json).
    proc = run([MLFENCE, "check", "-q", ".", "--json", str(tmp_path / "report.json")], cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    egress = [f for f in report["findings"] if f["rule_id"] == "MLF-K8S-001"]
    assert [f["status"] for f in egress] == ["exempted"]  # the mark that did suppress is used
    unused = sorted(
        (u["kind"], u["resource"], tuple(u["rules"]), u["file"], u["line"])
        for u in report["summary"]["unused_suppressions"]
    )
    assert unused == [
        ("annotation", "ml-serving/NetworkPolicy/internal-egress", ("MLF-K8S-001",), "quiet.yaml", 1),
        ("annotation", "ml-serving/NetworkPolicy/open-egress", ("MLF-K8S-033",), "np.yaml", 1),
    ]
    assert [u["rule"] for u in report["summary"]["unused_exemptions"]] == ["MLF-K8S-030"]
    # The table wraps long lines at the terminal width (paths under tmp_path vary in length).
    table = " ".join(proc.stdout.split())
    assert (
        "unused suppression: annotation on ml-serving/NetworkPolicy/open-egress (np.yaml:1) names "
        "MLF-K8S-033, which reported nothing there" in table
    )
    assert "unused exemption: MLF-K8S-030 ml-serving/Service/gateway (" in table


def test_nothing_unused_when_every_mark_suppresses(tmp_path: Path) -> None:
    (tmp_path / "np.yaml").write_text(annotated("MLF-K8S-001"))
    # In-process; one run prints the table and writes the JSON report.
    proc = cli_in_process("check", "-q", "np.yaml", "--json", "report.json", cwd=tmp_path)
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["summary"]["unused_suppressions"] == []
    assert "1 findings (" in proc.stdout and "unused" not in proc.stdout
