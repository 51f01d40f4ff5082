"""The conftest commands in docs/deploy.md are run as written, from the repository root.

A fenced `sh` block whose first line is `# tested: exit=N ids=A,B [format=F]` is a test: its
command (one command, `\\` continuations allowed) runs with the pinned conftest, must exit N,
and every listed rule ID must appear in its output; `format` also checks the output parses
(json, sarif, junit) or has the expected shape (github).
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from xml.etree import ElementTree as ET

import pytest

from conftest import ROOT, run, tool

DOC = ROOT / "docs" / "deploy.md"
BLOCK = re.compile(r"^```sh\n(# tested:[^\n]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class DocCommand:
    line: int
    argv: list[str]
    exit_code: int
    ids: tuple[str, ...]
    output_format: str | None

    @property
    def name(self) -> str:
        return f"line{self.line}:" + " ".join(self.argv[1:])


def documented() -> list[DocCommand]:
    text = DOC.read_text()
    found = []
    for match in BLOCK.finditer(text):
        header, body = match.group(1), match.group(2)
        fields = dict(part.split("=", 1) for part in header.removeprefix("# tested:").split())
        assert set(fields) <= {"exit", "ids", "format"}, f"unknown keys in {header!r}"
        command = body.replace("\\\n", " ").strip()
        assert "\n" not in command, f"one command per tested block, got:\n{body}"
        argv = shlex.split(command)
        assert argv[0] == "conftest", f"tested blocks run conftest, got {argv[0]!r}"
        found.append(
            DocCommand(
                line=text.count("\n", 0, match.start()) + 1,
                argv=argv,
                exit_code=int(fields["exit"]),
                ids=tuple(i for i in fields.get("ids", "").split(",") if i),
                output_format=fields.get("format"),
            )
        )
    return found


COMMANDS = documented()


def test_the_doc_has_tested_commands() -> None:
    assert len(COMMANDS) >= 5, f"expected the conftest commands of {DOC} to be marked `# tested:`"
    joined = [" ".join(c.argv) for c in COMMANDS]
    assert any("--combine" in c for c in joined), "the cross-object (--combine) command is not tested"
    assert any(c.endswith(".plan.json") for c in joined), "no plan command is tested"
    assert {c.output_format for c in COMMANDS} >= {"json", "sarif", "junit", "github"}
    for command in COMMANDS:
        for path in (a for a in command.argv[1:] if not a.startswith("-") and "/" in a):
            assert (ROOT / path).exists(), f"{command.name}: {path} does not exist"


@pytest.mark.parametrize("command", COMMANDS, ids=[c.name for c in COMMANDS])
def test_documented_conftest_command(command: DocCommand) -> None:
    proc = run([tool("conftest"), *command.argv[1:], "--no-color"], cwd=ROOT, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode == command.exit_code, (
        f"{DOC.name}:{command.line}: `{' '.join(command.argv)}` exited {proc.returncode}, "
        f"the doc says {command.exit_code}\n{output[-3000:]}"
    )
    missing = [rule_id for rule_id in command.ids if rule_id not in output]
    assert not missing, f"{DOC.name}:{command.line}: rule IDs {missing} not in the output\n{output[-3000:]}"
    if command.output_format in ("json", "sarif"):
        document = json.loads(proc.stdout)
        if command.output_format == "sarif":
            results = document["runs"][0]["results"]
            assert results, "SARIF without results"
    elif command.output_format == "junit":
        root = ET.fromstring(proc.stdout)
        assert any(True for _ in root.iter("failure")), "JUnit without failures"
    elif command.output_format == "github":
        assert any(line.startswith("::error ") for line in proc.stdout.splitlines()), "no ::error annotations"
