"""`mlfence sync`: keep the published cloud and CDN ranges in the bundle's data in step.

fetch (fetch.py) -> validate and parse (feeds.py) -> build documents (documents.py) ->
refuse or write atomically (engine.py, store.py). The CLI wrapper is command.py; nothing else
here imports typer.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["SyncError", "SyncOptions", "SyncReport", "run_sync"]


def __getattr__(name: str) -> Any:
    """The engine's names, imported on first use: importing the package (as the CLI does to
    register the command) must not load the HTTP stack."""
    if name in __all__:
        return getattr(importlib.import_module("mlfence.sync.engine"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
