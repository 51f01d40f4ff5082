"""The benchmark's "full data": every AWS, GCP and Azure service approved, synced from the
snapshots in /work/shared/feeds exactly as bench/cidr does (bench/cidr/bundle-all.yaml), and
the bundle built from it with mlfence.bundle.build.

    python bench/fulldata.py WORK   # WORK/root/{policy -> ../../policy, data}, WORK/bundle.tar.gz

Re-uses WORK/synced when it is already there (the sync takes about a minute).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from mlfence import bundle, parameters  # noqa: E402

FEEDS = Path(os.environ.get("MLFENCE_FEEDS", "/work/shared/feeds"))
FEED_ARGS = [
    "aws=aws-ip-ranges.json",
    "gcp=gcp-cloud.json",
    "google=gcp-goog.json",
    "azure=azure-servicetags-public.json",
    "fastly=fastly-public-ip-list.json",
    "cloudflare=cloudflare-ips-v4.txt",
    "cloudflare=cloudflare-ips-v6.txt",
]


def sync_all_approved(out: Path) -> Path:
    if (out / "approved_index" / "data.json").exists():
        return out
    args = [
        str(ROOT / ".venv" / "bin" / "python"),
        "-m",
        "mlfence.sync.command",
        "--out",
        str(out),
        "--config",
        str(ROOT / "bench" / "cidr" / "bundle-all.yaml"),
    ]
    for feed in FEED_ARGS:
        name, file = feed.split("=")
        args += ["--feed", f"{name}={FEEDS / file}"]
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"mlfence sync failed: {proc.stderr[-2000:]}")
    return out


def data_root(work: Path) -> Path:
    """WORK/root: policy symlinked, data copied with the all-approved range documents."""
    synced = sync_all_approved(work / "synced")
    root = work / "root"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "policy").symlink_to(ROOT / "policy")
    shutil.copytree(ROOT / "data", root / "data")
    ranges = root / "data" / parameters.RANGE_DATA
    shutil.rmtree(ranges)
    shutil.copytree(synced, ranges)
    return root


def build(work: Path) -> dict[str, object]:
    root = data_root(work)
    built = bundle.build(work / "bundle.tar.gz", root=root)
    index = json.loads((root / "data" / parameters.RANGE_DATA / "approved_index" / "data.json").read_text())
    nodes = sum(len(index[f]["nodes"]) for f in index if isinstance(index[f], dict) and "nodes" in index[f])
    return {
        "bundle": str(built.path),
        "revision": built.revision,
        "bytes": built.path.stat().st_size,
        "data_dir": str(root / "data"),
        "approved_index_nodes": nodes,
    }


if __name__ == "__main__":
    print(json.dumps(build(Path(sys.argv[1])), indent=2))
