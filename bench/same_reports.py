"""Byte-identical reports before and after a change (a refactoring, a speed-up).

    python bench/same_reports.py save DIR [--only NAME...] [--plans 200 --manifests 200 --seed 1]
    python bench/same_reports.py compare DIR [--only NAME...]   # run again here, compare with DIR
    python bench/same_reports.py compare BEFORE AFTER           # two saves, e.g. from two checkouts

A change that must not change a finding is checked by saving the reports of the commit before it
and comparing the reports after it: `save` on the commit before (in a `git worktree`, with its own
venv: the `mlfence` next to the running Python is used), then `compare` on the one after. Every
corpus is one `mlfence check --format json` run; its report (stdout as printed: finding order,
fingerprints, messages, input errors), exit code and stderr are kept and must be identical.

The corpora: examples/ (default jobs and `--jobs 1`), one small file, a plan on stdin, the
real-world inputs of ../shared/realworld (the Kubeflow tree rendered and with --no-kustomize, the
Terraform plans, each folder of terraform-fixtures), the bench corpus (bench/corpus.py with a
fixed seed, generated into DIR so both sides read the same files; default jobs and `--jobs 3`)
and 10k objects (bench/scale.py's, if generated; default jobs, `--jobs 1` and `--jobs 3`). The
corpora holding plans run with and without `--all-resources`. Each runs in a folder its paths
are relative to, so the file names in the reports are the same whichever checkout or DIR a save
uses. Corpora absent on this machine are skipped and named as skipped, never silently.

(Replaces bench/same_findings.py, whose `capture OUT` is `save OUT` here.)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path("/work/shared/realworld") if Path("/work/shared/realworld").is_dir() else ROOT.parent / "shared/realworld"
MLFENCE = Path(sys.executable).parent / "mlfence"
STDIN_INPUT = ROOT / "examples" / "terraform" / "ml-platform.plan.json"


@dataclass(frozen=True)
class Corpus:
    cwd: Path  # the folder the run starts in; args' paths are relative to it
    args: tuple[str, ...]  # `mlfence check --format json` arguments; "-" reads STDIN_INPUT
    plans: bool = False  # holds Terraform plans: also run with --all-resources

    def inputs(self) -> list[Path]:
        return [self.cwd / a for a in self.args if not a.startswith("--") and not a.isdigit() and a != "-"]


def corpora(out: Path) -> dict[str, Corpus]:
    fixtures = SHARED / "terraform-fixtures"
    return {
        "examples": Corpus(ROOT, ("examples",), plans=True),
        "examples-jobs1": Corpus(ROOT, ("--jobs", "1", "examples")),
        "small-file": Corpus(ROOT, ("examples/kubernetes/ml-training.yaml",)),
        "stdin-plan": Corpus(ROOT, ("-",), plans=True),
        "kubeflow": Corpus(SHARED, ("kubernetes/kubeflow-manifests",)),
        "kubeflow-no-kustomize": Corpus(SHARED, ("--no-kustomize", "kubernetes/kubeflow-manifests")),
        "realworld-terraform": Corpus(SHARED, ("terraform",), plans=True),
        # The real plans as bench/README.md times them: both folders in one run.
        "realworld-plans": Corpus(SHARED, ("terraform-fixtures/main", "terraform"), plans=True),
        "small-file-serving": Corpus(ROOT, ("examples/kubernetes/ml-serving.yaml",)),
        **{
            f"fixtures-{part.name}": Corpus(fixtures, (part.name,), plans=True)
            for part in (sorted(fixtures.iterdir()) if fixtures.is_dir() else [])
            if part.is_dir()
        },
        "bench-terraform": Corpus(out, ("corpus/files/terraform",), plans=True),
        "bench-k8s": Corpus(out, ("corpus/files/k8s",)),
        "bench-corpus-jobs3": Corpus(out, ("--jobs", "3", "corpus/files")),
        "scale-10k": Corpus(ROOT, ("bench/work/scale/10000",)),
        "scale-10k-jobs1": Corpus(ROOT, ("--jobs", "1", "bench/work/scale/10000")),
        "scale-10k-jobs3": Corpus(ROOT, ("--jobs", "3", "bench/work/scale/10000")),
    }


def runs(out: Path, only: list[str] | None) -> dict[str, tuple[Corpus, tuple[str, ...]]]:
    """Report name -> (corpus, extra arguments)."""
    found = {}
    for name, corpus in corpora(out).items():
        if only and name not in only:
            continue
        found[name] = (corpus, ())
        if corpus.plans:
            found[f"{name}.all-resources"] = (corpus, ("--all-resources",))
    return found


def run(corpus: Corpus, extra: tuple[str, ...]) -> dict[str, object]:
    stdin = STDIN_INPUT.read_bytes() if "-" in corpus.args else None
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(MLFENCE), "check", "--format", "json", *extra, *corpus.args],
        cwd=corpus.cwd,
        input=stdin,
        capture_output=True,
        check=False,
    )
    return {
        "exit": proc.returncode,
        "stdout": proc.stdout.decode(),
        "stderr": proc.stderr.decode(),
        "wall_s": round(time.perf_counter() - t0, 2),
    }


def ensure_bench_corpus(out: Path, plans: int, manifests: int, seed: int) -> None:
    corpus = out / "corpus"
    if (corpus / "labels.json").exists():
        return
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "corpus.py"),
            str(corpus),
            *("--plans", str(plans), "--manifests", str(manifests), "--seed", str(seed)),
        ],
        check=True,
    )


def _saved(folder: Path, name: str) -> dict[str, object] | None:
    path = folder / "reports" / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


SAME = ("exit", "stdout", "stderr")


def save(out: Path, only: list[str] | None) -> int:
    (out / "reports").mkdir(parents=True, exist_ok=True)
    for name, (corpus, extra) in runs(out, only).items():
        if any(not p.exists() for p in corpus.inputs()):
            print(f"{name}: skipped (input absent)")
            continue
        got = run(corpus, extra)
        if got["exit"] not in (0, 1, 2) or not got["stdout"]:
            print(f"{name}: mlfence exited {got['exit']}: {str(got['stderr'])[-500:]}")
            return 1
        (out / "reports" / f"{name}.json").write_text(json.dumps(got))
        print(f"{name}: saved exit {got['exit']}, {len(str(got['stdout']))} bytes ({got['wall_s']} s)", flush=True)
    return 0


def compare_with_run(saved: Path, only: list[str] | None) -> int:
    different = 0
    for name, (corpus, extra) in runs(saved, only).items():
        before = _saved(saved, name)
        if before is None:
            print(f"{name}: skipped (not saved in {saved})")
            continue
        if any(not p.exists() for p in corpus.inputs()):
            print(f"{name}: DIFFERENT: saved, but its input is absent here")
            different += 1
            continue
        got = run(corpus, extra)
        same = all(before[k] == got[k] for k in SAME)
        different += not same
        verdict = "identical" if same else "DIFFERENT"
        print(f"{name}: {verdict} exit {got['exit']} ({before['wall_s']} s -> {got['wall_s']} s)")
    return 1 if different else 0


def compare_saves(before: Path, after: Path) -> int:
    names = sorted(p.stem for p in (before / "reports").glob("*.json"))
    missing, differ = [], []
    for n in names:
        old, new = _saved(before, n) or {}, _saved(after, n)
        if new is None:
            missing.append(n)
        elif any(old[k] != new[k] for k in SAME):
            differ.append(n)
    for n in missing:
        print(f"missing after: {n}")
    for n in differ:
        print(f"differs: {n}")
    print(f"{len(names) - len(missing) - len(differ)} of {len(names)} reports identical")
    return 1 if missing or differ or not names else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    save_ = sub.add_parser("save", aliases=["capture"], help="run every corpus and keep its report")
    save_.add_argument("dir", type=Path)
    save_.add_argument("--only", nargs="*", default=None, help="corpus names (default: all)")
    save_.add_argument("--plans", type=int, default=200, help="bench corpus size (plans)")
    save_.add_argument("--manifests", type=int, default=200, help="bench corpus size (manifests)")
    save_.add_argument("--seed", type=int, default=1, help="bench corpus seed")
    cmp_ = sub.add_parser("compare", help="DIR: run again and compare; BEFORE AFTER: compare two saves")
    cmp_.add_argument("dir", type=Path)
    cmp_.add_argument("other", type=Path, nargs="?")
    cmp_.add_argument("--only", nargs="*", default=None, help="corpus names (default: all)")
    args = parser.parse_args()
    if args.command in ("save", "capture"):
        args.dir.mkdir(parents=True, exist_ok=True)
        if not args.only or {"bench-terraform", "bench-k8s", "bench-corpus-jobs3"} & set(args.only):
            ensure_bench_corpus(args.dir, args.plans, args.manifests, args.seed)
        return save(args.dir, args.only)
    if args.other is not None:
        return compare_saves(args.dir, args.other)
    return compare_with_run(args.dir, args.only)


if __name__ == "__main__":
    sys.exit(main())
