"""The caller's half of the sidecar contract now ships with mlfence (tools/mlfence/client.py);
the sidecar tests keep importing it from here."""

from __future__ import annotations

from mlfence.client import admission_response, admit, allowed, ask

__all__ = ["admission_response", "admit", "allowed", "ask"]
