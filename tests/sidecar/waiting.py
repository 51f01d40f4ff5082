"""Bounded waiting: poll a check until it returns a value, or fail with what was last seen."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """The condition did not hold before the deadline."""


def wait_until(
    check: Callable[[], T | None],
    timeout: float,
    what: str,
    interval: float = 0.1,
    detail: Callable[[], str] | None = None,
) -> T:
    """Call `check` until it returns something other than None/False; at most `timeout` seconds.

    `detail` is called on timeout to explain the state (e.g. the tail of a server log).
    """
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = check()
        except Exception as exc:  # a server not up yet raises; keep polling until the deadline
            last_error, value = exc, None
        if value is not None and value is not False:
            return value
        if time.monotonic() >= deadline:
            extra = detail() if detail is not None else ""
            error = f" (last error: {last_error!r})" if last_error is not None else ""
            raise WaitTimeout(f"timed out after {timeout:.1f}s waiting for {what}{error}\n{extra}".rstrip())
        time.sleep(interval)


def holds_for(check: Callable[[], bool], duration: float, what: str, interval: float = 0.2) -> None:
    """Assert that `check` stays true for `duration` seconds (e.g. "still not ready")."""
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        assert check(), f"expected {what} for {duration:.1f}s, but it stopped holding"
        time.sleep(interval)
