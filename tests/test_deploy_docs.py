"""docs/deploy.md's Helm values for Gatekeeper's webhook pods ("The webhook's garbage collector,
when flows are declared"), rendered with Gatekeeper's own chart (the pinned gator's module, as the
setup downloads it): the collector settings reach the webhook container and nothing else, they are
the ones bench/reach/admission.py measures, and GOMEMLIMIT stays within the memory limit's 80%."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from conftest import ROOT, run, tool
from mlfence import toolchain

sys.path.insert(0, str(ROOT / "bench" / "reach"))

import admission  # bench/reach, on the path above

DOC = ROOT / "docs" / "deploy.md"
MARKER = "# gatekeeper-webhook-gc.yaml"


def _snippet() -> str:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), flags=re.S)
    [block] = [b for b in blocks if b.startswith(MARKER)]
    return block


def _gatekeeper_chart() -> Path:
    """The Gatekeeper chart of the module gator is built from (its version pinned in
    tools/pins.txt), from Go's module cache: `go mod download` fetches it only if the setup's
    `go install` left no copy."""
    module = f"github.com/open-policy-agent/gatekeeper/v3@{toolchain.pins()['gator']}"
    proc = run(["go", "mod", "download", "-json", module], cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return Path(json.loads(proc.stdout)["Dir"]) / "charts" / "gatekeeper"


def _bytes(quantity: str) -> int:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    number, unit = re.fullmatch(r"(\d+)([KMG]i)", quantity).groups()  # type: ignore[union-attr]
    return int(number) * units[unit]


def test_the_webhook_gc_values_reach_the_webhook_pods_only(tmp_path: Path) -> None:
    values = tmp_path / "gatekeeper-webhook-gc.yaml"
    values.write_text(_snippet())
    chart = _gatekeeper_chart()
    proc = run([tool("helm"), "template", "gatekeeper", str(chart), "-n", "gatekeeper-system", "-f", str(values)])
    assert proc.returncode == 0, proc.stderr
    deployments: dict[str, dict[str, Any]] = {
        d["metadata"]["name"]: d["spec"]["template"]["spec"]["containers"][0]
        for d in yaml.safe_load_all(proc.stdout)
        if d and d["kind"] == "Deployment"
    }
    webhook, audit = deployments["gatekeeper-controller-manager"], deployments["gatekeeper-audit"]
    go_env = {e["name"]: e["value"] for e in webhook["env"] if e["name"].startswith("GO")}
    # what the benchmark measures as the tuned gator is what the page recommends
    assert go_env == admission.TUNED_GATOR_ENV == {"GOGC": "off", "GOMEMLIMIT": "1GiB"}
    limit = _bytes(webhook["resources"]["limits"]["memory"])
    assert _bytes(webhook["resources"]["requests"]["memory"]) == limit
    assert _bytes(go_env["GOMEMLIMIT"].replace("B", "")) <= 0.8 * limit
    # the audit pod keeps the chart's defaults
    assert not [e for e in audit.get("env", []) if e["name"].startswith("GO")]
    assert audit["resources"]["limits"]["memory"] == "512Mi"
