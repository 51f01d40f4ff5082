"""Same findings before and after a refactoring: capture `mlfence check --format json` reports on
every corpus, then compare two captures byte for byte.

    python bench/same_findings.py capture OUT [--plans 200 --manifests 200 --seed 1]
    python bench/same_findings.py compare BEFORE AFTER

The corpora: examples/, the real-world plans (../shared/realworld/terraform and every file of
terraform-fixtures, one run per folder) and the bench corpus (bench/corpus.py with a fixed seed,
so a capture on another commit reads the same files). Each is scanned with and without
`--all-resources`. A report is written as the CLI prints it (finding order, fingerprints,
messages, input errors); the exit code is kept next to it. `compare` exits 1 and lists the
reports that differ, 0 when every report is byte-identical.

Run `capture` on the commit before the change (e.g. in a `git worktree`) and on the one after;
both use the `mlfence` of the current venv, so capture each from its own checkout's venv.
"""

from __future__ import annotations

import argparse
import filecmp
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path("/work/shared/realworld") if Path("/work/shared/realworld").is_dir() else ROOT.parent / "shared/realworld"
MLFENCE = Path(sys.executable).parent / "mlfence"


def _corpora(out: Path) -> dict[str, tuple[Path, str]]:
    """Report name -> (folder to run in, path to scan relative to it). Relative paths keep the
    reports' file names the same whichever checkout or output folder a capture uses."""
    fixtures = SHARED / "terraform-fixtures"
    return {
        "examples": (ROOT, "examples"),
        "realworld-terraform": (SHARED, "terraform"),
        **{f"fixtures-{part.name}": (fixtures, part.name) for part in sorted(fixtures.iterdir()) if part.is_dir()},
        "bench-terraform": (out, "corpus/files/terraform"),
        "bench-k8s": (out, "corpus/files/k8s"),
    }


def capture(out: Path, plans: int, manifests: int, seed: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    corpus = out / "corpus"
    if not (corpus / "labels.json").exists():
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "corpus.py"),
                str(corpus),
                "--plans",
                str(plans),
                "--manifests",
                str(manifests),
                "--seed",
                str(seed),
            ],
            check=True,
        )
    reports = out / "reports"
    reports.mkdir(exist_ok=True)
    for name, (cwd, path) in _corpora(out).items():
        for mode, extra in (("changed", []), ("all", ["--all-resources"])):
            target = reports / f"{name}.{mode}.json"
            proc = subprocess.run(
                [str(MLFENCE), "check", "--format", "json", *extra, path], capture_output=True, check=False, cwd=cwd
            )
            if proc.returncode not in (0, 1, 2) or not proc.stdout:
                sys.exit(f"{name} ({mode}): mlfence exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
            target.write_bytes(proc.stdout)
            target.with_suffix(".rc").write_text(f"{proc.returncode}\n")
            print(f"{target.name}: exit {proc.returncode}, {len(proc.stdout)} bytes", flush=True)


def compare(before: Path, after: Path) -> int:
    names = sorted(p.name for p in (before / "reports").iterdir())
    missing = [n for n in names if not (after / "reports" / n).exists()]
    differ = [
        n
        for n in names
        if n not in missing and not filecmp.cmp(before / "reports" / n, after / "reports" / n, shallow=False)
    ]
    for n in missing:
        print(f"missing after: {n}")
    for n in differ:
        print(f"differs: {n}")
    print(f"{len(names) - len(missing) - len(differ)} of {len(names)} files identical")
    return 1 if missing or differ or not names else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cap = sub.add_parser("capture")
    cap.add_argument("out", type=Path)
    cap.add_argument("--plans", type=int, default=200)
    cap.add_argument("--manifests", type=int, default=200)
    cap.add_argument("--seed", type=int, default=1)
    cmp_ = sub.add_parser("compare")
    cmp_.add_argument("before", type=Path)
    cmp_.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "capture":
        capture(args.out, args.plans, args.manifests, args.seed)
    else:
        sys.exit(compare(args.before, args.after))


if __name__ == "__main__":
    main()
