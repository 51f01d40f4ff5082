"""`mlfence build`'s output folder holds exactly what the last build wrote, and nothing of the
user's is ever deleted (mlfence.publish). The build itself is run by tests/test_gatekeeper.py's
test_mlfence_build_writes_applyable_tree, which also plants a stale template before it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlfence import publish


def _files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def _build(out: Path, templates: dict[str, str], bundle: str = "bundle v2") -> None:
    """What `mlfence build` does, with stand-in contents."""
    with publish.staged_output(out) as staging:
        (staging / "bundle.tar.gz").write_text(bundle)
        for name, text in templates.items():
            path = staging / "gatekeeper" / "templates" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        publish.mark(staging / "gatekeeper")


def test_a_rebuild_leaves_no_file_of_the_previous_build_and_keeps_the_users(tmp_path: Path) -> None:
    _build(tmp_path, {"mlf-k8s-001.yaml": "one", "mlf-k8s-099.yaml": "a rule since removed"}, "bundle v1")
    (tmp_path / "notes.md").write_text("mine")
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "signing.pem").write_text("secret")
    _build(tmp_path, {"mlf-k8s-001.yaml": "one, rebuilt"})
    assert _files(tmp_path) == {
        "bundle.tar.gz": "bundle v2",
        "gatekeeper/.mlfence-build": (tmp_path / "gatekeeper" / publish.OWNER_MARK).read_text(),
        "gatekeeper/templates/mlf-k8s-001.yaml": "one, rebuilt",
        "keys/signing.pem": "secret",
        "notes.md": "mine",
    }
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(publish.STAGING_PREFIX)] == []


def test_a_folder_mlfence_did_not_write_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    """--out . in a repository with a gatekeeper/ folder of its own: refused before anything
    moves (the bundle is not replaced either)."""
    (tmp_path / "bundle.tar.gz").write_text("bundle v1")
    own = tmp_path / "gatekeeper" / "our-constraints.yaml"
    own.parent.mkdir()
    own.write_text("the team's own")
    before = _files(tmp_path)
    with pytest.raises(publish.OutputError, match=r"gatekeeper holds files `mlfence build` did not write"):
        _build(tmp_path, {"mlf-k8s-001.yaml": "one"})
    assert _files(tmp_path) == before
    assert {p.name for p in tmp_path.iterdir()} == {"bundle.tar.gz", "gatekeeper"}  # no staging left


def test_output_of_a_build_before_the_mark_is_replaced(tmp_path: Path) -> None:
    """A gatekeeper/ holding only what a build writes there (written before builds marked their
    folders) is the build's own: its stale template goes."""
    stale = tmp_path / "gatekeeper" / "templates" / "mlf-k8s-099.yaml"
    stale.parent.mkdir(parents=True)
    stale.write_text("a rule since removed")
    _build(tmp_path, {"mlf-k8s-001.yaml": "one"})
    assert not stale.exists() and (tmp_path / "gatekeeper" / "templates" / "mlf-k8s-001.yaml").is_file()


def test_a_build_that_fails_changes_nothing(tmp_path: Path) -> None:
    _build(tmp_path, {"mlf-k8s-001.yaml": "one"}, "bundle v1")
    before = _files(tmp_path)
    with pytest.raises(RuntimeError, match="link error"), publish.staged_output(tmp_path) as staging:
        (staging / "bundle.tar.gz").write_text("half a build")
        raise RuntimeError("link error")
    assert _files(tmp_path) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(publish.STAGING_PREFIX)] == []


def test_a_file_where_the_build_writes_a_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "gatekeeper").write_text("a file")
    with pytest.raises(publish.OutputError, match="is not what `mlfence build` writes there"):
        _build(tmp_path, {"mlf-k8s-001.yaml": "one"})
    assert (tmp_path / "gatekeeper").read_text() == "a file"
