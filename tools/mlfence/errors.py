"""The one base class of the errors a user can fix.

Bad input, a missing file or tool, settings or a policy tree that break their contract: every
such error derives from MlfenceError, and the CLI prints any of them as one line,
`mlfence: <message>`, with exit code 2 (exit 1 means "findings"; a traceback means a bug).
Each module keeps its own subclass (and its old base, ValueError or RuntimeError, so existing
`except` clauses keep working).
"""

from __future__ import annotations


class MlfenceError(Exception):
    """A user-facing error: reported as one line on stderr, exit 2."""


def one_line(message: object) -> str:
    """The message on one line: tool output quoted inside an error (opa's stderr) may span lines."""
    return " ".join(str(message).split())
