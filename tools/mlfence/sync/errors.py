"""The one exception sync raises for anything the user must fix or retry."""

from mlfence.errors import MlfenceError


class SyncError(MlfenceError, RuntimeError):
    """A refusal: the message is one line, meant for the user; data on disk is untouched."""
