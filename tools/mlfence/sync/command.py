"""`mlfence sync`: the typer command. Parses options, prints the report, maps errors to exits.

Exit codes: 0 done (or --check: approved space unchanged), 1 --check: approved space would
change, 2 refused (the data on disk is untouched).

No `from __future__ import annotations`: typer reads these annotations on every `mlfence` run
(any command), and strings would cost it an evaluation each (see mlfence/cli.py).
"""

from pathlib import Path
from typing import Annotated

import typer

from mlfence import settings, toolchain
from mlfence.sync.errors import SyncError

# Gatekeeper never sees this data: it gets Constraint parameters (mlfence.gatekeeper.template_lib_text).
RANGE_DATA = settings.RANGE_DATA
SHOW_CHANGES = 20


def defaults(out: Path | None, config: Path | None) -> tuple[Path, Path]:
    """Where approvals are read and range data written when the options are not given.

    With a `.mlfence.yaml` above the current folder: its approved_ranges, written to
    `.mlfence/data/...` beside it, which `mlfence check` and `mlfence build` layer over the
    shipped data. Otherwise, in the repository: bundle.yaml and data/. An installed mlfence never
    writes into its own package: without a settings file, --out is required.
    """
    found = settings.discover(["."]) if out is None or config is None else None
    if found is not None:
        return (out or found.parent / settings.SYNCED_DATA / RANGE_DATA), (config or found)
    if out is None and toolchain.installation() == "package":
        raise SyncError(
            "no .mlfence.yaml above this folder to keep synced data beside: create one, or pass --out "
            f"DIR (then `mlfence check --data DIR`, with the data under DIR/{RANGE_DATA})"
        )
    return (out or toolchain.data_dir() / RANGE_DATA), (config or toolchain.bundle_yaml())


def sync(
    names: Annotated[
        list[str] | None, typer.Argument(help="Feeds to sync (aws gcp google azure fastly cloudflare); default all.")
    ] = None,
    feed: Annotated[
        list[str] | None,
        typer.Option("--feed", help="NAME=URL_OR_PATH: another source for a feed (repeat for Cloudflare's two lists)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Folder of the range data documents (default: beside the "
            ".mlfence.yaml above this folder, else the project's data)."
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            help="Settings with approved_ranges (default: the .mlfence.yaml "
            "above this folder, else the project's bundle.yaml)."
        ),
    ] = None,
    force: Annotated[bool, typer.Option(help="Accept a large shrink of approved space.")] = False,
    check: Annotated[bool, typer.Option(help="Write nothing; exit 1 when approved space would change.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds per request.", min=0.001)] = 30.0,
    retries: Annotated[int, typer.Option(help="Retries on timeouts and 5xx.", min=0)] = 3,
    max_bytes: Annotated[int, typer.Option(help="Size cap per download.", min=1)] = 64 * 1024 * 1024,
    backoff: Annotated[float, typer.Option(help="Seconds before the first retry; doubles per retry.", min=0)] = 1.0,
) -> None:
    """Fetch the published cloud and CDN ranges and update the bundle's range data."""
    # Imported when sync runs: the fetcher's HTTP stack (requests, urllib3) would cost every
    # other command, `mlfence check` in a pre-commit hook included, ~0.3 s of start-up.
    # rich too: ~0.04 s CPU that `mlfence check` would otherwise pay on import of this module.
    from rich.console import Console
    from rich.markup import escape

    from mlfence.sync import config as bundle_config
    from mlfence.sync.engine import SyncOptions, parse_overrides, run_sync
    from mlfence.sync.fetch import FetchOptions

    err = Console(stderr=True)
    try:
        out, config = defaults(out, config)
        options = SyncOptions(
            out=out,
            config=bundle_config.load(config),
            names=tuple(names or ()),
            overrides=parse_overrides(feed or []),
            force=force,
            check=check,
            fetch=FetchOptions(timeout=timeout, retries=retries, max_bytes=max_bytes, backoff=backoff),
        )
        report = run_sync(options)
    except (SyncError, settings.SettingsError, toolchain.ToolchainError) as exc:
        line = " ".join(str(exc).split())  # one line, whatever the cause put in it
        err.print(f"[red]mlfence sync: refused:[/red] {escape(line)}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    for name, summary in report.feeds.items():
        err.print(escape(f"{name}: {summary}"), highlight=False)
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False, soft_wrap=True)
    for change in report.changes[:SHOW_CHANGES]:
        err.print(escape(f"approved: {change}"), highlight=False)
    if len(report.changes) > SHOW_CHANGES:
        err.print(f"approved: ... and {len(report.changes) - SHOW_CHANGES} more", highlight=False)
    if check:
        if report.approved_changed:
            err.print("approved address space would change: run `mlfence sync`", highlight=False)
            raise typer.Exit(1)
        err.print("approved address space unchanged", highlight=False)
        return
    err.print(
        escape(f"wrote {len(report.written)} file(s) under {out}") if report.written else "data unchanged",
        highlight=False,
        soft_wrap=True,
    )


def main() -> None:
    """Run the command on its own (`python -m mlfence.sync.command`) until it is in the CLI."""
    app = typer.Typer(add_completion=False)
    app.command()(sync)
    app()


if __name__ == "__main__":
    main()
