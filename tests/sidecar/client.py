"""The caller's half of the sidecar contract (docs/deploy.md, "Fail closed").

OPA answers `POST /v1/data/mlfence/decision` with HTTP 200 and *no* `result` key while no bundle
is active (the document is undefined), and `allowed` is only meaningful inside `result`. A caller
therefore allows an action only when all of these hold; everything else (connection refused,
timeout, non-200, a body without `result`, a result without `allowed: true`) is a deny.
"""

from __future__ import annotations

from typing import Any

import requests


def allowed(body: Any, status_code: int = 200) -> bool:
    """Fail-closed reading of an OPA Data API answer for data.mlfence.decision."""
    if status_code != 200 or not isinstance(body, dict):
        return False
    result = body.get("result")
    return isinstance(result, dict) and result.get("allowed") is True


def ask(session: requests.Session, opa_url: str, input_doc: Any, timeout: float = 2.0) -> bool:
    """Ask the sidecar; any transport error is a deny."""
    try:
        response = session.post(f"{opa_url}/v1/data/mlfence/decision", json={"input": input_doc}, timeout=timeout)
        body = response.json()
    except (requests.RequestException, ValueError):
        return False
    return allowed(body, response.status_code)
