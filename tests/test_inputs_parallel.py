"""A large folder's files read in worker processes (mlfence.inputs.parallel_reading) give exactly
what reading them one after the other gives: the same documents in the same order with the same
indexes and lines, the same problems in the same places, the same count of unreadable files."""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import ROOT
from mlfence import documents, scan
from mlfence.inputs import parallel_reading

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2, reason="workers are forked on Linux, 2+ CPUs"
)

BAD = {
    "a-broken.yaml": "kind: Pod\nmetadata: {name: [\n",
    "b-empty.yaml": "",
    "c-comments.yaml": "# nothing\n---\n",
    "d-two.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\nnot: [closed\n---\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    "e-binary.yaml": "\x00\x01",
    "f-plan.json": '{"format_version": "1.2", "resource_changes": []}',
    "g-bad.json": '{"kind": ',
    "h-list.yaml": "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: p}}\n",
    "i-template.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n",
}


def _tree(root: Path) -> Path:
    for name, text in BAD.items():
        (root / name).write_text(text)
    nested = root / "nested" / "kustomized"
    nested.mkdir(parents=True)
    (nested / "kustomization.yaml").write_text("resources: [pod.yaml]\n")
    (nested / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: k}\n")
    (nested / "unused.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: u}\n")
    return root


def _load(root: Path, allow_empty: bool, parallel: bool, monkeypatch: pytest.MonkeyPatch) -> documents.Loaded:
    used: list[int] = []
    real = parallel_reading._workers

    def workers(files: list[tuple[Path, bool]]) -> int:
        used.append(real(files))
        return used[-1]

    with monkeypatch.context() as patch:
        patch.setattr(parallel_reading, "PARALLEL_BYTES", 0 if parallel else 2**60)
        patch.setattr(parallel_reading, "_workers", workers)
        # A pytest-xdist worker runs a thread of its own; the workers here only read files.
        patch.setattr(parallel_reading, "_single_threaded", lambda: True)
        loaded = documents.load(
            [str(root), str(ROOT / "examples")],
            allow_empty=allow_empty,
            rendering=documents.Rendering(kustomize=False),
        )
    assert used and all((n > 1) == parallel for n in used), used
    return loaded


@pytest.mark.parametrize("allow_empty", [False, True])
def test_parallel_reading_gives_what_reading_in_order_gives(
    allow_empty: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path)
    one_by_one = _load(root, allow_empty, False, monkeypatch)
    parallel = _load(root, allow_empty, True, monkeypatch)
    assert parallel.documents == one_by_one.documents
    assert [d.index for d in parallel.documents] == list(range(len(parallel.documents)))
    assert parallel.problems == one_by_one.problems
    assert parallel.skipped_files == one_by_one.skipped_files == 1
    assert {p.path.rsplit("/", 1)[-1] for p in parallel.problems} >= {"a-broken.yaml", "b-empty.yaml", "g-bad.json"}
    assert any(d.in_kustomize_tree for d in parallel.documents)
    # The workers also serialised each document: OPA's input is the same text, byte for byte.
    from_files = [d for d in parallel.documents if not d.template]  # not rendered from a Helm chart
    assert from_files and all(d.encoded is not None and d.encoded[0] is d.content for d in from_files)
    assert all(d.encoded is None for d in one_by_one.documents)
    for shards in (1, 2):
        assert scan.shard_inputs(parallel.documents, shards) == scan.shard_inputs(one_by_one.documents, shards)
    changed = [
        replace(d, content={**d.content, "probe": 1}) if isinstance(d.content, dict) else d for d in parallel.documents
    ]
    plain = [replace(d, encoded=None) for d in changed]
    assert scan.shard_inputs(changed, 1) == scan.shard_inputs(plain, 1), "a stale encoding was used"


def test_a_process_running_other_threads_reads_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel_reading, "PARALLEL_BYTES", 0)
    files = [(p, False) for p in (tmp_path / "a.yaml", tmp_path / "b.yaml")]
    for path, _ in files:
        path.write_text("kind: Pod\n")
    with monkeypatch.context() as patch:
        patch.setattr(parallel_reading.threading, "active_count", lambda: 1)
        assert parallel_reading._workers(files) > 1
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert parallel_reading._workers(files) == 1
    finally:
        stop.set()
        other.join()


def test_small_folders_are_read_in_process(tmp_path: Path) -> None:
    files = [(p, False) for p in (tmp_path / "a.yaml", tmp_path / "b.yaml")]
    for path, _ in files:
        path.write_text("kind: Pod\n")
    assert parallel_reading._workers(files) == 1


def test_a_reading_worker_killed_mid_read_is_one_error_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker the kernel kills (out of memory) leaves no answer: the read fails with mlfence's
    one-line error (exit 2 in the CLI) instead of waiting for it forever."""
    files = []
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        (tmp_path / name).write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")
        files.append((tmp_path / name, False))

    def read(path: Path, in_tree: bool, allow_empty: bool, in_worker: bool) -> str:
        if in_worker and path.name == "b.yaml":
            os.kill(os.getpid(), 9)
        return path.name

    monkeypatch.setattr(parallel_reading, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel_reading, "_single_threaded", lambda: True)
    assert parallel_reading.read_files(files[:1] + files[2:], False, read) == ["a.yaml", "c.yaml"]
    with pytest.raises(parallel_reading.ReadingWorkerDied, match="died"):
        parallel_reading.read_files(files, False, read)
