"""mlfence.cli_coercion gives every option the value (or the error) typer's pydantic path gives."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer._click import Context
from typer._click.exceptions import BadParameter

from mlfence import cli

COMMAND = typer.main.get_command(cli.app)

# Strings a user can type, valid and not, for every shape the commands use.
CANDIDATES: list[Any] = [
    "json",
    "JSON",
    "high",
    "HIGH",
    "bogus",
    "",
    "0",
    "1",
    "7",
    "64",
    "65",
    "-3",
    " 5",
    "1_0",
    "2.0",
    "x.yaml",
    "-",
    "dir/sub",
    ["a.yaml", "b.yaml"],
    ("x",),
    [],
]


def _outcome(runtime: Any, value: Any, param: Any, ctx: Context) -> tuple[str, Any]:
    try:
        return ("value", runtime.coerce(value, param=param, ctx=ctx))
    except BadParameter as exc:
        return ("error", exc.format_message())


def _parameters() -> list[tuple[str, Any, Any]]:
    found = []
    for name, command in sorted(COMMAND.commands.items()):
        sub = getattr(command, "commands", {name: command})
        for sub_name, leaf in sorted(sub.items()):
            for param in leaf.params:
                if hasattr(param, "type_descriptor"):
                    found.append((f"{name} {sub_name} {param.name}", leaf, param))
    return found


PARAMETERS = _parameters()


def test_the_plain_path_covers_the_check_command() -> None:
    check = COMMAND.commands["check"]
    names = [p.name for p in check.params if hasattr(p, "type_descriptor")]
    assert len(names) >= 20
    assert {"paths", "output_format", "jobs", "values", "severity_threshold"} <= set(names)


@pytest.mark.parametrize(("label", "command", "param"), PARAMETERS, ids=[p[0] for p in PARAMETERS])
def test_same_value_or_error_as_typer(label: str, command: Any, param: Any) -> None:
    ctx = Context(command)
    plain = param.get_runtime_param()
    reference = param.typer_runtime_param()
    assert type(plain).__name__ == "PlainRuntimeParam" or plain is reference
    multi = param.multiple or param.nargs == -1
    checked = 0
    for value in CANDIDATES:
        if isinstance(value, (list, tuple)) != multi:
            continue
        got = _outcome(plain, value, param, ctx)
        want = _outcome(reference, value, param, ctx)
        assert got == want, (label, value)
        assert type(got[1]) is type(want[1]), (label, value)
        checked += 1
    assert checked > 0, label


def _check_in_fresh_python(tmp_path: Path, options: list[str], modules: tuple[str, ...]) -> list[str]:
    """Run `mlfence check -q --format json OPTIONS -o r.json ml-serving.yaml` in a fresh interpreter
    and return its exit code followed by whether each of `modules` was imported, as printed."""
    manifest = Path(__file__).resolve().parents[1] / "examples" / "kubernetes" / "ml-serving.yaml"
    argv = ["mlfence", "check", "-q", "--format", "json", *options, "-o", str(tmp_path / "r.json"), str(manifest)]
    probe = (
        "import sys\n"
        "from mlfence.cli import run\n"
        f"sys.argv = {argv!r}\n"
        "try:\n    run()\nexcept SystemExit as exc:\n    code = exc.code\n"
        f"print(code, *(m in sys.modules for m in {modules!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert (tmp_path / "r.json").stat().st_size > 0, result.stderr
    return result.stdout.split()


def test_check_runs_without_importing_pydantic(tmp_path: Path) -> None:
    assert _check_in_fresh_python(tmp_path, ["--jobs", "1"], ("pydantic",)) == ["1", "False"]


def test_a_json_check_of_one_file_imports_no_terminal_or_http_stack(tmp_path: Path) -> None:
    """rich (the table report, the progress display, stderr messages) and the HTTP client of the
    early OPA server cost start-up time a pre-commit JSON run of one file never uses."""
    imported = _check_in_fresh_python(tmp_path, [], ("rich", "http.client", "mlfence.scan_server"))
    assert imported == ["1", "False", "False", "False"]
    assert json.loads((tmp_path / "r.json").read_text())["findings"]
