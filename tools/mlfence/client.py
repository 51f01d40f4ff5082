"""The caller's half of the sidecar contract (docs/deploy.md, "Readiness and the fail-closed
contract"): how to read an OPA sidecar's answer so that anything but an explicit allow is a deny.

OPA answers `POST /v1/data/mlfence/decision` (and `/admission`) with HTTP 200 and *no* `result`
while no bundle is active, because the document is undefined; the v0 API answers 404. `allowed`
is only meaningful inside `result`. So a caller allows an action only when the status is 200, the
body is a JSON object whose `result` is an object, and `result.allowed` is the boolean true;
everything else (connection refused, timeout, non-200, no `result`, `allowed` missing or not
exactly true, a body that is not JSON) is a deny.

`decide` asks for data.mlfence.decision; `admit` asks for data.mlfence.admission and always
returns a complete AdmissionReview response, a 403 deny whenever the sidecar's answer is not an
explicit allow: this is the adapter a validating webhook in front of the sidecar uses.
"""

from __future__ import annotations

from typing import Any

import requests

DECISION = "/v1/data/mlfence/decision"
ADMISSION = "/v1/data/mlfence/admission"


def allowed(body: Any, status_code: int = 200) -> bool:
    """Fail-closed reading of an OPA Data API answer for data.mlfence.decision."""
    if status_code != 200 or not isinstance(body, dict):
        return False
    result = body.get("result")
    return isinstance(result, dict) and result.get("allowed") is True


def _post(session: requests.Session, url: str, input_doc: Any, timeout: float) -> tuple[Any, int]:
    """(JSON body, status) or (None, 0) on any transport or decoding failure."""
    try:
        response = session.post(url, json={"input": input_doc}, timeout=timeout)
        return response.json(), response.status_code
    except (requests.RequestException, ValueError):
        return None, 0


def ask(session: requests.Session, opa_url: str, input_doc: Any, timeout: float = 2.0) -> bool:
    """Ask the sidecar for data.mlfence.decision; True only for an explicit allow."""
    body, status = _post(session, f"{opa_url.rstrip('/')}{DECISION}", input_doc, timeout)
    return allowed(body, status)


def admission_response(body: Any, status_code: int, uid: str) -> dict[str, Any]:
    """The AdmissionReview to return to the API server for OPA's answer to data.mlfence.admission.

    The sidecar's own response is passed through only when it is a well-formed allow or deny for
    this uid; anything else (no bundle active, an error, another uid) becomes a 403 deny.
    """
    result = body.get("result") if status_code == 200 and isinstance(body, dict) else None
    response = result.get("response") if isinstance(result, dict) else None
    if isinstance(response, dict) and response.get("uid") == uid and isinstance(response.get("allowed"), bool):
        return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response}
    why = (
        "no policy bundle is active"
        if status_code == 200 and isinstance(body, dict) and result is None
        else f"the policy sidecar gave no usable answer (HTTP {status_code or 'none'})"
    )
    return {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "response": {
            "uid": uid,
            "allowed": False,
            "status": {"code": 403, "reason": "Forbidden", "message": f"mlfence: denied because {why}"},
        },
    }


def admit(session: requests.Session, opa_url: str, review: Any, timeout: float = 2.0) -> dict[str, Any]:
    """Ask the sidecar for data.mlfence.admission on an AdmissionReview; fail closed."""
    request = review.get("request") if isinstance(review, dict) else None
    uid = request.get("uid") if isinstance(request, dict) else None
    body, status = _post(session, f"{opa_url.rstrip('/')}{ADMISSION}", review, timeout)
    return admission_response(body, status, uid if isinstance(uid, str) else "")
