"""The one error of the input layer: a message for the user and, when known, the line."""

from __future__ import annotations

from mlfence.errors import MlfenceError


class InputError(MlfenceError, ValueError):
    """One input cannot be read as documents. The CLI reports it as `path:line: message` and
    exits 2; the other inputs are still read and checked."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
