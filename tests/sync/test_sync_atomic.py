"""A crash while the new data set is switched in never leaves a mix of old and new files.

Not random kills: a subprocess runs `mlfence sync` with the engine's crash hook set to SIGKILL
itself at one named point of the switch (after staging, after the folder exchange, and, with
the exchange disabled, between the two renames of the fallback). After the kill --out holds the
whole old data set or the whole new one (or, in the fallback window, nothing, with the retired
copy complete beside it); the next run cleans up and ends with the new data set.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlfence.cli import app
from sync import synth
from sync.conftest import FAST

SCRIPT = """
import os, signal, sys
from mlfence.sync import engine
point, mode = sys.argv[1], sys.argv[2]
if mode == "fallback":
    engine._exchange_supported = False
def crash(where):
    if where == point:
        os.kill(os.getpid(), signal.SIGKILL)
engine._crash_point = crash
from mlfence.cli import app
app(sys.argv[3:], prog_name="mlfence")
"""


def _args(out: Path, config: Path, feeds: synth.Feeds) -> list[str]:
    return ["sync", "--out", str(out), "--config", str(config), *FAST, *feeds.args()]


def _state(folder: Path) -> dict[str, object]:
    """The data set without the one thing two runs on the same feeds differ in: when they ran."""
    state: dict[str, object] = dict(synth.tree_digest(folder))
    provenance = json.loads((folder / "provenance.json").read_text())["provenance"]
    state["provenance.json"] = {
        name: {k: v for k, v in entry.items() if k != "fetched_at"} for name, entry in provenance.items()
    }
    return state


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.sync-"))


@pytest.mark.parametrize(
    ("point", "mode", "after_kill"),
    [
        ("staged", "exchange", "old"),
        ("exchanged", "exchange", "new"),
        ("staged", "fallback", "old"),
        ("between-renames", "fallback", "missing"),
    ],
)
def test_kill_in_the_switch_window_leaves_old_or_new(
    point: str, mode: str, after_kill: str, synced: Path, feeds: synth.Feeds, config: Path, tmp_path: Path
) -> None:
    old = _state(synced)
    feeds.put("aws", synth.aws(101, s3={**synth.S3, "ap-south-1": ["52.219.64.0/22"]}))
    feeds.put("azure", synth.azure(11), path="/download/ServiceTags_Public_direct.json")
    reference = tmp_path / "reference" / "rangedata"
    first = CliRunner().invoke(app, _args(reference, config, feeds))
    assert first.exit_code == 0, first.output
    new = _state(reference)
    assert new != old

    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, point, mode, *_args(synced, config, feeds)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]

    leftovers = _leftovers(synced)
    assert leftovers, "the crash point is inside the switch: something must be left to clean"
    if after_kill == "missing":
        # The fallback's window: no data set at the path, the retired one complete beside it.
        assert not synced.exists()
        retired = [synced.parent / name for name in leftovers if name.endswith(".old")]
        assert len(retired) == 1 and _state(retired[0]) == old
    else:
        assert _state(synced) == (old if after_kill == "old" else new)

    again = CliRunner().invoke(app, _args(synced, config, feeds))
    assert again.exit_code == 0, again.output
    assert _state(synced) == new
    assert _leftovers(synced) == []


def test_stale_single_file_temporaries_are_cleaned(synced: Path, feeds: synth.Feeds, config: Path) -> None:
    """Temporaries the earlier per-file writer left inside --out go on the next run."""
    stale = synced / "approved" / ".data.json.abc123.tmp"
    stale.write_text("{}")
    result = CliRunner().invoke(app, _args(synced, config, feeds))
    assert result.exit_code == 0, result.output
    assert not stale.exists()


def test_files_sync_does_not_write_are_carried_over(synced: Path, feeds: synth.Feeds, config: Path) -> None:
    """Nothing already on disk is lost when the folder is switched."""
    note = synced / "README.md"
    note.write_text("reviewed by the platform team\n")
    feeds.put("aws", synth.aws(101, s3={**synth.S3, "ap-south-1": ["52.219.64.0/22"]}))
    result = CliRunner().invoke(app, _args(synced, config, feeds))
    assert result.exit_code == 0, result.output
    assert note.read_text() == "reviewed by the platform team\n"
