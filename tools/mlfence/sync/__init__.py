"""`mlfence sync`: keep the published cloud and CDN ranges in the bundle's data in step.

fetch (fetch.py) -> validate and parse (feeds.py) -> build documents (documents.py) ->
refuse or write atomically (engine.py, store.py). The CLI wrapper is command.py; nothing else
here imports typer.
"""

from mlfence.sync.engine import SyncError, SyncOptions, SyncReport, run_sync

__all__ = ["SyncError", "SyncOptions", "SyncReport", "run_sync"]
