"""The sidecar, for real: Debian's nginx serves the signed bundle, `opa run --server` loads it.

Every process listens on 127.0.0.1, is started by a fixture and stopped in its teardown; every
wait has a deadline (tests/sidecar/waiting.py). Each test publishes its own bundle resource on
the shared nginx, so tests do not depend on each other's order.

Covered: readiness only after activation; decisions for objects, AdmissionReviews (v1 and v0
API) and a plan; a new revision; a bundle tampered after signing, signed with another key,
unsigned, or signed with a second configured key; the bundle server going down; an OPA restart
while it is down (persist) and with the persisted copy tampered; no bundle ever loaded (callers
fail closed); the shipped examples; the OCI registry round trip (when the tools are installed).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from conftest import ROOT, cli_in_process, opa_eval, run, tool
from mlfence import bundle
from sidecar import bundles, client, keys
from sidecar.nginx import NginxServer
from sidecar.opa import OpaSidecar, sidecar_config
from sidecar.processes import free_port
from sidecar.registry import Registry, oras_binary, oras_push, registry_binary
from sidecar.waiting import holds_for, wait_until

pytestmark = pytest.mark.slow

NAMESPACE = "ml-serving"
DEFAULT_DENY: dict[str, Any] = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "NetworkPolicy",
    "metadata": {"name": "default-deny-all", "namespace": NAMESPACE},
    "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
}
OPEN_EGRESS: dict[str, Any] = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "NetworkPolicy",
    "metadata": {"name": "open-egress", "namespace": NAMESPACE},
    "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]},
}
PLAN = ROOT / "examples" / "terraform" / "ml-platform.plan.json"
# Revision B of the bundle differs in data only: it exempts OPEN_EGRESS, so a decision tells
# which revision answered.
EXEMPTION = {
    "rule": "*",
    "resource": f"{NAMESPACE}/NetworkPolicy/open-egress",
    "reason": "sidecar test revision B",
    "owner": "platform-team",
    # Exemptions expire at most 90 days ahead (issue 16 §4).
    "expires": (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat(),
}


def admission_review(obj: dict[str, Any], uid: str) -> dict[str, Any]:
    return {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "operation": "CREATE",
            "namespace": obj["metadata"]["namespace"],
            "name": obj["metadata"]["name"],
            "kind": {"group": "networking.k8s.io", "version": "v1", "kind": obj["kind"]},
            "resource": {"group": "networking.k8s.io", "version": "v1", "resource": "networkpolicies"},
            "userInfo": {"username": "alice"},
            "object": obj,
        },
    }


def rule_ids(decision: dict[str, Any], status: str = "fail") -> set[str]:
    return {f["rule_id"] for f in decision["findings"] if f["status"] == status}


@dataclass(frozen=True)
class Bundles:
    good: Path  # revision A, signed with the trusted key
    good_revision: str
    newer: Path  # revision B (extra exemption), signed with the trusted key
    newer_revision: str
    rogue: Path  # revision B's content, signed with a key OPA does not trust (same key id)
    tampered: Path  # revision A with a data file changed after signing
    unsigned: Path  # revision B's content without a signature
    other_id: Path  # revision B's content, signed with the rogue key under the key id "mlfence-next"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sidecar")


@pytest.fixture(scope="module")
def trusted_key(workspace: Path) -> keys.KeyPair:
    return keys.generate(workspace / "keys", "trusted")


@pytest.fixture(scope="module")
def rogue_key(workspace: Path) -> keys.KeyPair:
    return keys.generate(workspace / "keys", "rogue")


@pytest.fixture(scope="module")
def built(workspace: Path, trusted_key: keys.KeyPair, rogue_key: keys.KeyPair) -> Bundles:
    out = workspace / "bundles"
    good = bundles.build(out / "good.tar.gz", trusted_key.private)  # also warms the rule catalog cache
    variant = bundles.variant_root(ROOT, workspace / "variant", [EXEMPTION])
    newer = bundle.build(out / "newer.tar.gz", trusted_key.private, key_id="mlfence", root=variant)
    # Revision B's content under other signatures: `opa sign` of the same files (what `opa build
    # --signing-key` does after compiling; each build of the same tree again cost ~0.8 s CPU), and
    # the signed build without its signature file (an unsigned mlfence build is
    # conftest.built_bundle).
    rogue = bundles.resigned(newer.path, out / "rogue.tar.gz", rogue_key.private, "mlfence")
    other_id = bundles.resigned(newer.path, out / "other-id.tar.gz", rogue_key.private, "mlfence-next")
    unsigned = bundles.unsigned_copy(newer.path, out / "unsigned.tar.gz")
    assert ".signatures.json" not in {n.lstrip("/") for n in bundles.members(unsigned)}
    content = {n: b for n, b in bundles.members(newer.path).items() if n.lstrip("/") != ".signatures.json"}
    for copy_ in (rogue, other_id, unsigned):
        assert {n: b for n, b in bundles.members(copy_).items() if n.lstrip("/") != ".signatures.json"} == content
    tampered = out / "tampered.tar.gz"
    bundles.rewrite(good.path, tampered, "data.json", lambda data: bundles.exempt_namespace(data, NAMESPACE))
    assert good.revision != newer.revision, "revision B must differ from A (its data differs)"
    for path in (good.path, newer.path, rogue, tampered, other_id):
        assert ".signatures.json" in {n.lstrip("/") for n in bundles.members(path)}, f"{path} is not signed"
    return Bundles(good.path, good.revision, newer.path, newer.revision, rogue, tampered, unsigned, other_id)


@pytest.fixture(scope="module")
def server(workspace: Path) -> Iterator[NginxServer]:
    nginx = NginxServer(workspace / "nginx")
    nginx.start()
    try:
        yield nginx
    finally:
        nginx.stop()


class Sidecars:
    """Starts OPA sidecars for one test and stops every one of them afterwards."""

    def __init__(self, workdir: Path, public_key: keys.KeyPair) -> None:
        self.workdir, self.public_key = workdir, public_key
        self.started: list[OpaSidecar] = []

    def start(
        self,
        service_url: str,
        resource: str,
        name: str = "opa",
        persistence: Path | None = None,
        service_type: str | None = None,
        patch: Callable[[dict[str, Any]], None] | None = None,
    ) -> OpaSidecar:
        workdir = self.workdir / name
        config = sidecar_config(service_url, resource, self.public_key.public_pem(), persistence or workdir / "persist")
        if service_type is not None:
            config["services"]["mlfence-bundles"]["type"] = service_type
        if patch is not None:
            patch(config)
        sidecar = OpaSidecar(tool("opa"), workdir, config)
        self.started.append(sidecar)
        sidecar.start()
        return sidecar

    def stop_all(self) -> None:
        for sidecar in self.started:
            sidecar.stop()


@pytest.fixture
def sidecars(tmp_path: Path, trusted_key: keys.KeyPair) -> Iterator[Sidecars]:
    manager = Sidecars(tmp_path, trusted_key)
    try:
        yield manager
    finally:
        manager.stop_all()


def assert_fails_closed(opa: OpaSidecar) -> None:
    """No bundle active: no `result`, the admission entrypoint is undefined, callers deny."""
    for path in ("mlfence/decision", "mlfence/admission"):
        response = opa.query(path, OPEN_EGRESS if path.endswith("decision") else admission_review(OPEN_EGRESS, "u"))
        assert response.status_code == 200, f"{path}: OPA answers undefined documents with 200, got {response}"
        assert "result" not in response.json(), f"{path}: a result without a bundle: {response.text[:300]}"
        assert not client.allowed(response.json(), response.status_code), "a missing result must read as deny"
    # Even an object the policy would allow is denied by a caller following the contract.
    assert not client.ask(opa.http, opa.url, DEFAULT_DENY), "caller allowed without an active bundle"
    # The admission adapter turns the undefined document into a 403 AdmissionReview for that uid.
    review = client.admit(opa.http, opa.url, admission_review(DEFAULT_DENY, "uid-7"))["response"]
    assert review["allowed"] is False and review["uid"] == "uid-7", review
    assert review["status"]["code"] == 403 and "no policy bundle is active" in review["status"]["message"], review
    # The v0 API (raw input, raw output, as a webhook would use it) says 404 for undefined.
    response = opa.http.post(f"{opa.url}/v0/data/mlfence/admission", json=admission_review(OPEN_EGRESS, "u"), timeout=5)
    assert response.status_code == 404, f"v0 admission without a bundle: HTTP {response.status_code}"


def assert_answers_like(opa: OpaSidecar, revision: str) -> None:
    """Revision A's verdicts (B exempts OPEN_EGRESS, the tampered bundle exempts the namespace)."""
    assert opa.revision() == revision, f"active revision {opa.revision()}, expected {revision}\n{opa.detail()}"
    denied = opa.result("mlfence/decision", OPEN_EGRESS)
    assert denied["allowed"] is False and "MLF-K8S-001" in rule_ids(denied), f"open egress not denied: {denied}"
    assert opa.result("mlfence/decision", DEFAULT_DENY)["allowed"] is True, "default-deny policy not allowed"
    assert opa.health() == 200, "readiness lost although the last good bundle is active"


# -- the bundle server -------------------------------------------------------------------------


def test_bundle_server_sends_etags_and_not_modified(server: NginxServer, built: Bundles) -> None:
    etag = server.publish(built.good, "etag.tar.gz")
    session = requests.Session()
    session.trust_env = False
    first = session.get(f"{server.url}/etag.tar.gz", timeout=5)
    assert first.status_code == 200, first.text
    assert first.headers.get("ETag") == etag, f"ETag {first.headers.get('ETag')!r}, expected {etag!r}"
    assert first.content == built.good.read_bytes()
    again = session.get(f"{server.url}/etag.tar.gz", headers={"If-None-Match": etag}, timeout=5)
    assert again.status_code == 304, f"If-None-Match with the current ETag gave HTTP {again.status_code}"
    assert server.publish(built.tampered, "etag.tar.gz") != etag, "a new publish must change the ETag"


# -- activation and decisions ------------------------------------------------------------------


def test_ready_only_after_activation_then_decides_correctly(
    server: NginxServer, built: Bundles, sidecars: Sidecars
) -> None:
    opa = sidecars.start(server.url, "decisions.tar.gz")
    assert opa.health(bundles=False) == 200, "liveness (/health) must not depend on the bundle"
    # The resource is not published yet (404): never ready, and callers are refused.
    error = wait_until(lambda: refusal_after(opa, 0), 10, "OPA's first download attempt", detail=opa.detail)
    assert "Not Found" in error["msg"], error
    holds_for(lambda: opa.health() != 200, 1.0, "readiness to stay false while no bundle exists")
    assert_fails_closed(opa)

    server.publish(built.good, "decisions.tar.gz")
    opa.wait_ready()
    assert opa.revision() == built.good_revision
    assert opa.bundle_status().get("active_revision") == built.good_revision, opa.bundle_status()

    allowed = opa.result("mlfence/decision", DEFAULT_DENY)
    assert allowed == {"allowed": True, "input_kind": "kubernetes_object", "findings": []}, allowed
    denied = opa.result("mlfence/decision", OPEN_EGRESS)
    assert denied["allowed"] is False and denied["input_kind"] == "kubernetes_object", denied
    assert {"MLF-K8S-001", "MLF-K8S-006"} <= rule_ids(denied), denied

    as_review = opa.result("mlfence/decision", admission_review(OPEN_EGRESS, "u-0"))
    assert as_review["input_kind"] == "admission_review" and as_review["allowed"] is False, as_review
    admitted = opa.result("mlfence/admission", admission_review(DEFAULT_DENY, "uid-allowed"))
    assert admitted["response"] == {"uid": "uid-allowed", "allowed": True}, admitted
    refused = opa.result("mlfence/admission", admission_review(OPEN_EGRESS, "uid-denied"))
    response = refused["response"]
    assert response["uid"] == "uid-denied" and response["allowed"] is False, refused
    assert response["status"]["code"] == 403 and "MLF-K8S-001" in response["status"]["message"], refused
    # The v0 API takes the AdmissionReview as the raw input and returns the raw response.
    raw = opa.http.post(
        f"{opa.url}/v0/data/mlfence/admission", json=admission_review(OPEN_EGRESS, "uid-v0"), timeout=10
    )
    assert raw.status_code == 200 and raw.json()["response"]["uid"] == "uid-v0", raw.text[:300]
    assert raw.json()["response"]["allowed"] is False

    plan = json.loads(PLAN.read_text())
    verdict = opa.result("mlfence/decision", plan)
    assert verdict["allowed"] is False and verdict["input_kind"] == "terraform_plan", verdict["input_kind"]
    assert any(i.startswith("MLF-TF-") for i in rule_ids(verdict)), rule_ids(verdict)
    offline = opa_eval("data.mlfence.decision", plan, bundle=built.good)
    assert verdict == offline, "the sidecar and `opa eval --bundle` of the same bundle disagree on the plan"

    for garbage in ("hello", {"foo": 1}, [], None, {"kind": "AdmissionReview"}):
        answer = opa.result("mlfence/decision", garbage)
        assert answer["allowed"] is False and answer["input_kind"] == "unrecognised", (garbage, answer)
    assert client.ask(opa.http, opa.url, DEFAULT_DENY) is True
    assert client.ask(opa.http, opa.url, OPEN_EGRESS) is False
    # The admission adapter passes the sidecar's own verdict through once a bundle is active.
    allowed_review = client.admit(opa.http, opa.url, admission_review(DEFAULT_DENY, "ok-1"))["response"]
    assert allowed_review["allowed"] is True and allowed_review["uid"] == "ok-1", allowed_review
    denied_review = client.admit(opa.http, opa.url, admission_review(OPEN_EGRESS, "no-1"))["response"]
    assert denied_review["allowed"] is False and "MLF-K8S-001" in denied_review["status"]["message"], denied_review


def test_new_revision_is_picked_up(server: NginxServer, built: Bundles, sidecars: Sidecars) -> None:
    server.publish(built.good, "revisions.tar.gz")
    opa = sidecars.start(server.url, "revisions.tar.gz")
    opa.wait_revision(built.good_revision)
    assert_answers_like(opa, built.good_revision)

    server.publish(built.newer, "revisions.tar.gz")
    opa.wait_revision(built.newer_revision)
    exempted = opa.result("mlfence/decision", OPEN_EGRESS)
    assert exempted["allowed"] is True, f"revision B's exemption not applied: {exempted}"
    assert rule_ids(exempted, "exempted") >= {"MLF-K8S-001"}, exempted
    assert opa.bundle_status().get("active_revision") == built.newer_revision

    # The older, validly signed build served again is activated too: OPA checks signatures, not
    # revision order (docs/deploy.md, "An older signed bundle served again").
    server.publish(built.good, "revisions.tar.gz")
    opa.wait_revision(built.good_revision)
    assert opa.result("mlfence/decision", OPEN_EGRESS)["allowed"] is False


# -- faults --------------------------------------------------------------------------------------


def refusal_after(opa: OpaSidecar, seen: int) -> dict[str, Any] | None:
    """The first bundle error OPA logged after record number `seen`."""
    for record in opa.log_records()[seen:]:
        if record.get("level") == "error" and record.get("name") == "mlfence":
            return record
    return None


REFUSALS = {"tampered": "digest mismatch", "rogue": "verification error", "unsigned": "missing .signatures.json"}


def refusal_mentioning(opa: OpaSidecar, seen: int, reason: str) -> dict[str, Any] | None:
    """A bundle error OPA logged after record number `seen` that gives `reason`. OPA fetches a
    refused bundle again on every poll, so the previous bad bundle's errors may still follow
    `seen`: the one that counts is the one with this bundle's reason."""
    for record in opa.log_records()[seen:]:
        if record.get("level") == "error" and record.get("name") == "mlfence" and reason in json.dumps(record).lower():
            return record
    return None


def test_bad_bundles_are_refused_and_last_good_keeps_answering(
    server: NginxServer, built: Bundles, sidecars: Sidecars
) -> None:
    """One OPA is served the tampered, the rogue and the unsigned bundle in turn (each activation
    of a new revision costs OPA seconds of CPU: one sidecar walks through every refusal)."""
    resource = "refusals.tar.gz"
    server.publish(built.good, resource)
    opa = sidecars.start(server.url, resource)
    opa.wait_revision(built.good_revision)
    for bad, reason in sorted(REFUSALS.items()):
        seen = len(opa.log_records())
        etag = server.publish(getattr(built, bad), resource)
        wait_until(
            lambda resource=resource, etag=etag: server.served(resource, etag),
            60,
            f"OPA to download the {bad} bundle",
            detail=lambda: "\n".join(server.requests_for(resource)[-10:]),
        )
        # Refused with this bundle's own reason (a timeout here lists what OPA logged instead).
        wait_until(
            lambda seen=seen, reason=reason: refusal_mentioning(opa, seen, reason),
            60,
            f"OPA to refuse the {bad} bundle with {reason!r}",
            detail=lambda seen=seen: (
                "\n".join(json.dumps(r) for r in opa.log_records()[seen:] if r.get("level") == "error") or opa.detail()
            ),
        )
        status = wait_until(
            lambda reason=reason: (s := opa.bundle_status()).get("code") and reason in json.dumps(s).lower() and s,
            60,
            f"the bundle status to show the {bad} bundle's error",
            detail=lambda: json.dumps(opa.bundle_status()),
        )
        assert status["active_revision"] == built.good_revision, status
        assert status.get("errors") or status.get("message"), status
        # The refused bundle would allow OPEN_EGRESS (exemption or system namespace): it is still denied.
        assert_answers_like(opa, built.good_revision)

    # OPA keeps polling: a good bundle after the bad ones is activated.
    server.publish(built.newer, resource)
    opa.wait_revision(built.newer_revision)


def test_server_down_keeps_last_good_and_persisted_bundle_survives_restart(
    workspace: Path, built: Bundles, sidecars: Sidecars, tmp_path: Path
) -> None:
    own = NginxServer(tmp_path / "nginx")  # this test stops its server: not the shared one
    own.start()
    try:
        own.publish(built.good, "bundle.tar.gz")
        persist = tmp_path / "persist"
        opa = sidecars.start(own.url, "bundle.tar.gz", name="first", persistence=persist)
        opa.wait_revision(built.good_revision)
        # OPA writes the persisted copy after activating it: the revision can be active a moment
        # before the file is there (seen under load), so the check waits for it, boundedly.
        wait_until(lambda: any(persist.rglob("bundle.tar.gz")), 10, f"the bundle persisted in {persist}")
    finally:
        own.stop()
    seen = len(opa.log_records())
    wait_until(lambda: refusal_after(opa, seen), 15, "OPA to notice the bundle server is down", detail=opa.detail)
    assert "connection refused" in json.dumps(refusal_after(opa, seen)).lower(), refusal_after(opa, seen)
    assert_answers_like(opa, built.good_revision)

    opa.stop()
    restarted = sidecars.start(own.url, "bundle.tar.gz", name="restarted", persistence=persist)
    restarted.wait_ready(timeout=20)
    assert_answers_like(restarted, built.good_revision)
    assert (
        restarted.result("mlfence/admission", admission_review(OPEN_EGRESS, "after-restart"))["response"]["allowed"]
        is False
    )

    # The persisted copy is verified again at startup: tampered on disk, it is refused.
    restarted.stop()
    persisted = next(persist.rglob("bundle.tar.gz"))
    bundles.rewrite(
        persisted, persisted.with_suffix(".tmp"), "data.json", lambda data: bundles.exempt_namespace(data, NAMESPACE)
    )
    persisted.with_suffix(".tmp").replace(persisted)
    tampered = sidecars.start(own.url, "bundle.tar.gz", name="tampered-disk", persistence=persist)
    error = wait_until(
        lambda: refusal_after(tampered, 0), 15, "OPA to refuse the tampered persisted bundle", detail=tampered.detail
    )
    assert "load bundle from disk" in error["msg"] and "digest mismatch" in error["msg"], error
    holds_for(lambda: tampered.health() != 200, 1.0, "readiness to stay false with a tampered persisted bundle")
    assert_fails_closed(tampered)


def test_signing_keyid_pins_the_key_and_is_needed(
    server: NginxServer, built: Bundles, rogue_key: keys.KeyPair, sidecars: Sidecars
) -> None:
    """docs/deploy.md "Signing keys": the configured keyid wins over the key id a bundle claims;
    a `signing` section without keyid let OPA 1.21 activate an unsigned bundle, the pinned OPA
    (1.22) refuses it as the keyid does."""

    def second_key(config: dict[str, Any]) -> None:
        config["keys"]["mlfence-next"] = {"algorithm": "RS256", "key": rogue_key.public_pem()}

    def no_keyid(config: dict[str, Any]) -> None:
        config["bundles"]["mlfence"]["signing"] = {"exclude_files": []}

    server.publish(built.good, "pinned.tar.gz")
    server.publish(built.unsigned, "no-keyid.tar.gz")
    pinned = sidecars.start(server.url, "pinned.tar.gz", name="pinned", patch=second_key)
    loose = sidecars.start(server.url, "no-keyid.tar.gz", name="no-keyid", patch=no_keyid)
    pinned.wait_revision(built.good_revision)
    seen = len(pinned.log_records())
    server.publish(built.other_id, "pinned.tar.gz")
    error = wait_until(
        lambda: refusal_after(pinned, seen),
        15,
        "OPA to refuse a bundle signed with the other key",
        detail=pinned.detail,
    )
    assert "verification error" in json.dumps(error), error
    assert_answers_like(pinned, built.good_revision)
    # Without keyid the unsigned bundle (revision B) was activated by OPA 1.21, a trap the docs
    # warn about; OPA 1.22 refuses it and nothing is active.
    error = wait_until(
        lambda: refusal_mentioning(loose, 0, REFUSALS["unsigned"]),
        60,
        "OPA to refuse the unsigned bundle without a keyid",
        detail=loose.detail,
    )
    assert REFUSALS["unsigned"] in json.dumps(error), error
    assert loose.revision() is None


def _platform_bundle(folder: Path) -> Path:
    """Another team's bundle, unrelated to mlfence, claiming the generic roots a platform's own
    policy would use (and mlfence's bundle claimed before: k8s, terraform), plus its own libs."""
    files = {
        ".manifest": json.dumps({"revision": "platform-1", "roots": ["k8s", "terraform", "lib/acme"]}),
        "k8s/admission/admission.rego": (
            "package k8s.admission\n\nimport data.lib.acme.labels\n\n"
            'deny contains "pods need a team label" if {\n'
            '\tinput.request.object.kind == "Pod"\n\tnot labels.has_team(input.request.object)\n}\n'
        ),
        "lib/acme/labels/labels.rego": ("package lib.acme.labels\n\nhas_team(obj) if obj.metadata.labels.team\n"),
        "terraform/regions/data.json": json.dumps({"allowed": ["eu-west-1"]}),
    }
    for name, text in files.items():
        (folder / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "src" / name).write_text(text)
    out = folder / "platform.tar.gz"
    proc = run([tool("opa"), "build", "--bundle", str(folder / "src"), "-o", str(out)])
    assert proc.returncode == 0, proc.stderr
    return out


def test_bundle_coexists_with_another_bundle_in_one_opa(
    server: NginxServer, built: Bundles, sidecars: Sidecars, tmp_path: Path
) -> None:
    """One OPA, two bundles from the bundle server: OPA refuses to activate bundles whose roots
    overlap, so mlfence's roots must be its own (mlfence, lib/mlfence; docs/architecture.md)."""
    members = {name.lstrip("/"): data for name, data in bundles.members(built.good).items()}
    mlfence_roots = json.loads(members[".manifest"])["roots"]
    assert sorted(mlfence_roots) == sorted(bundle.ROOTS)
    assert all(root == "mlfence" or root.startswith(("mlfence/", "lib/mlfence")) for root in mlfence_roots)
    server.publish(built.good, "coexist-mlfence.tar.gz")
    server.publish(_platform_bundle(tmp_path), "coexist-platform.tar.gz")

    def add_platform_bundle(config: dict[str, Any]) -> None:
        config["bundles"]["platform"] = {
            "service": "mlfence-bundles",
            "resource": "coexist-platform.tar.gz",
            "polling": {"min_delay_seconds": 1, "max_delay_seconds": 1},
        }

    opa = sidecars.start(server.url, "coexist-mlfence.tar.gz", patch=add_platform_bundle)
    opa.wait_ready()  # /health?bundles: every configured bundle is active
    statuses = opa.http.get(f"{opa.url}/v1/status", timeout=5).json()["result"]["bundles"]
    assert statuses["mlfence"].get("active_revision") == built.good_revision, statuses
    assert statuses["platform"].get("active_revision") == "platform-1", statuses
    assert not any(status.get("errors") for status in statuses.values()), statuses
    # Both answer: mlfence's decision, and the other team's rule, lib and data.
    denied = opa.result("mlfence/decision", OPEN_EGRESS)
    assert denied["allowed"] is False and "MLF-K8S-001" in rule_ids(denied), denied
    assert opa.result("mlfence/decision", DEFAULT_DENY)["allowed"] is True
    pod = {"kind": "Pod", "metadata": {"name": "p", "labels": {}}}
    assert opa.result("k8s/admission/deny", {"request": {"object": pod}}) == ["pods need a team label"]
    labelled = {**pod, "metadata": {"name": "p", "labels": {"team": "ml"}}}
    assert opa.result("k8s/admission/deny", {"request": {"object": labelled}}) == []
    assert opa.result("terraform/regions/allowed", None) == ["eu-west-1"]


def test_bundle_older_than_the_sidecars_floor_allows_nothing(
    server: NginxServer, built: Bundles, sidecars: Sidecars
) -> None:
    """OPA activates an older, validly signed bundle served again; the sidecar's
    mlfence-min-built-at label (docs/deploy.md) makes every decision under it a deny."""
    server.publish(built.good, "floor.tar.gz")
    data = next(body for name, body in bundles.members(built.good).items() if name.lstrip("/") == "data.json")
    built_at = json.loads(data)["mlfence"]["bundle_info"]["built_at"]
    assert built_at > 0, "the bundle must record its commit time"

    def floor(at: int) -> Callable[[dict[str, Any]], None]:
        return lambda config: config.setdefault("labels", {}).update({"mlfence-min-built-at": str(at)})

    current = sidecars.start(server.url, "floor.tar.gz", name="floor-ok", patch=floor(built_at))
    replayed = sidecars.start(server.url, "floor.tar.gz", name="floor-above", patch=floor(built_at + 1))
    for opa in (current, replayed):
        opa.wait_ready()  # activated either way: OPA checks the signature, not the age
    assert current.result("mlfence/decision", DEFAULT_DENY)["allowed"] is True
    refused = replayed.result("mlfence/decision", DEFAULT_DENY)
    assert refused["allowed"] is False and "an older bundle was served" in refused["bundle_problems"][0], refused
    assert client.ask(replayed.http, replayed.url, DEFAULT_DENY) is False
    review = client.admit(replayed.http, replayed.url, admission_review(DEFAULT_DENY, "r-1"))["response"]
    assert review["allowed"] is False and "an older bundle was served" in review["status"]["message"], review


def test_no_bundle_ever_loaded_fails_closed(sidecars: Sidecars, tmp_path: Path) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    opa = sidecars.start(nowhere, "bundle.tar.gz", persistence=tmp_path / "empty")
    assert opa.health(bundles=False) == 200, "liveness must hold: OPA itself is fine"
    error = wait_until(lambda: refusal_after(opa, 0), 10, "OPA's first download attempt", detail=opa.detail)
    assert "connection refused" in error["msg"], error
    holds_for(lambda: opa.health() != 200, 1.5, "readiness to stay false without a bundle")
    assert_fails_closed(opa)
    assert opa.bundle_status().get("active_revision") in (None, ""), opa.bundle_status()


def test_fail_closed_contract_of_the_client() -> None:
    assert client.allowed({"result": {"allowed": True, "findings": []}}) is True
    for body, code in (
        ({}, 200),
        ({"result": {}}, 200),
        ({"result": {"allowed": "true"}}, 200),
        ({"result": {"allowed": False}}, 200),
        ({"result": {"allowed": True}}, 500),
        (None, 200),
        ([], 200),
        ({"result": True}, 200),
    ):
        assert client.allowed(copy.deepcopy(body), code) is False, f"{body!r} with HTTP {code} must be a deny"
    session = requests.Session()
    session.trust_env = False
    assert client.ask(session, f"http://127.0.0.1:{free_port()}", DEFAULT_DENY) is False, "refused connection"
    # The admission adapter: only a well-formed verdict for the same uid passes through.
    good = {"result": {"response": {"uid": "u", "allowed": True}}}
    assert client.admission_response(good, 200, "u")["response"] == {"uid": "u", "allowed": True}
    for body, code, uid in (
        ({}, 200, "u"),
        (good, 500, "u"),
        (good, 200, "other"),
        (None, 0, "u"),
        ({"result": {"response": {"uid": "u", "allowed": "true"}}}, 200, "u"),
        ([], 200, "u"),
    ):
        response = client.admission_response(copy.deepcopy(body), code, uid)["response"]
        assert response["allowed"] is False and response["uid"] == uid and response["status"]["code"] == 403, body
    refused = client.admit(session, f"http://127.0.0.1:{free_port()}", admission_review(DEFAULT_DENY, "x"))
    assert refused["response"]["allowed"] is False and refused["response"]["uid"] == "x"


# -- publishing to an OCI registry --------------------------------------------------------------


NO_OCI_TOOLS = registry_binary() is None or oras_binary() is None


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[tuple[Registry, str]]:
    oras = oras_binary()
    assert oras is not None, "oras is not installed"
    reg = Registry(tmp_path / "registry")
    reg.start()
    try:
        yield reg, oras
    finally:
        reg.stop()


@pytest.mark.skipif(
    NO_OCI_TOOLS,
    reason="the OCI round trip needs a registry (Debian's docker-registry) and oras: see tests/sidecar/registry.py",
)
def test_oci_registry_round_trip(
    registry: tuple[Registry, str], built: Bundles, sidecars: Sidecars, tmp_path: Path
) -> None:
    """`opa build` output pushed with oras is a bundle OPA pulls; `conftest push` output is not."""
    reg, oras = registry
    reference = f"{reg.host}/mlfence:stable"
    oras_push(oras, reference, built.good)
    opa = sidecars.start(f"http://{reg.host}", reference, name="oci", service_type="oci")
    opa.wait_revision(built.good_revision)
    assert_answers_like(opa, built.good_revision)
    oras_push(oras, reference, built.newer)  # a new revision under the same tag
    opa.wait_revision(built.newer_revision)
    oras_push(oras, reference, built.rogue)  # the signature is checked for OCI pulls too
    seen = len(opa.log_records())
    error = wait_until(lambda: refusal_after(opa, seen), 15, "OPA to refuse the rogue OCI bundle", detail=opa.detail)
    assert "verification error" in json.dumps(error), error
    assert opa.revision() == built.newer_revision

    # conftest push stores every policy and data file as its own layer of conftest's media
    # types: a policy artifact for `conftest pull`, not an OPA bundle.
    policy = tmp_path / "conftest-policy"
    policy.mkdir()
    (policy / "main.rego").write_text('package main\n\ndeny contains "never" if false\n')
    conftest_ref = f"{reg.host}/mlfence-conftest:1"
    proc = run([tool("conftest"), "push", "--tls=false", conftest_ref, "-p", str(policy)], timeout=120)
    assert proc.returncode == 0, f"conftest push failed:\n{proc.stdout}\n{proc.stderr}"
    other = sidecars.start(f"http://{reg.host}", conftest_ref, name="conftest-artifact", service_type="oci")
    error = wait_until(lambda: refusal_after(other, 0), 15, "OPA to refuse the conftest artifact", detail=other.detail)
    assert "no tarball descriptor found in the layers" in json.dumps(error), error
    holds_for(lambda: other.health() != 200, 1.0, "readiness to stay false on a conftest artifact")


# -- the shipped examples ----------------------------------------------------------------------

EXAMPLE_CONFIG = ROOT / "examples" / "sidecar" / "opa-config.yaml"
EXAMPLE_DEPLOYMENT = ROOT / "examples" / "sidecar" / "deployment.yaml"


def example_objects() -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(EXAMPLE_DEPLOYMENT.read_text()) if d]


def find(kind: str, name: str) -> dict[str, Any]:
    found = [d for d in example_objects() if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{EXAMPLE_DEPLOYMENT} should hold one {kind} {name}"
    return found[0]


def key_paths(value: Any, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        return {p for k, v in value.items() for p in key_paths(v, f"{prefix}.{k}" if prefix else k)}
    return {prefix}


def test_example_config_has_the_tested_shape() -> None:
    example = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    tested = sidecar_config("http://x", "bundle.tar.gz", "PEM", Path("/var/opa"))
    # The example passes the key with --set-file; everything else has the same keys.
    assert key_paths(example) == key_paths(tested) - {"keys.mlfence.key"}, "example and test config differ"
    assert example["services"]["mlfence-bundles"]["url"] == "${MLFENCE_BUNDLE_SERVER}"
    assert example["bundles"]["mlfence"]["persist"] is True
    assert example["bundles"]["mlfence"]["signing"]["keyid"] in example["keys"]
    assert "decision_logs" not in example, "decision logs would be POSTed to the bundle server"
    embedded = find("ConfigMap", "mlfence-opa-config")["data"]["opa-config.yaml"]
    assert yaml.safe_load(embedded) == example, "deployment.yaml's ConfigMap differs from opa-config.yaml"


def test_example_config_runs_against_the_bundle_server(
    server: NginxServer, built: Bundles, trusted_key: keys.KeyPair, tmp_path: Path
) -> None:
    """OPA started with the example file as shipped: env substitution, --set-file key, persist."""
    server.publish(built.good, "bundle.tar.gz")
    opa = OpaSidecar(
        tool("opa"),
        tmp_path / "example",
        EXAMPLE_CONFIG,
        extra_args=[
            "--set-file",
            f"keys.mlfence.key={trusted_key.public}",
            "--set",
            f"persistence_directory={tmp_path / 'persist'}",
        ],
        env={"MLFENCE_BUNDLE_SERVER": server.url},
    )
    try:
        opa.start()
        opa.wait_ready()
        assert_answers_like(opa, built.good_revision)
        assert any((tmp_path / "persist").rglob("bundle.tar.gz")), "the example's persist setting did not persist"
        # Status is local only, and there are no decision logs: OPA never sends anything to the
        # bundle server (a decision_logs section without a service would POST to it).
        methods = {line.split()[1] for line in server.access_log.read_text().splitlines()}
        assert methods == {"GET"}, f"OPA sent {methods - {'GET'}} requests to the bundle server"
    finally:
        opa.stop()


def test_example_deployment_wires_the_sidecar() -> None:
    pod = find("Deployment", "fraud-model")["spec"]["template"]["spec"]
    opa = next(c for c in pod["containers"] if c["name"] == "opa")
    args = opa["args"]
    assert args[:2] == ["run", "--server"] and "--skip-version-check" in args, args
    flags = dict(a.split("=", 1) for a in args if a.startswith("--") and "=" in a)
    assert flags["--addr"].startswith("127.0.0.1:"), "the decision API must stay on the pod's loopback"
    diagnostic_port = int(flags["--diagnostic-addr"].rsplit(":", 1)[1])
    ports = {p["name"]: p["containerPort"] for p in opa["ports"]}
    assert opa["readinessProbe"]["httpGet"]["path"] == "/health?bundles"
    assert opa["livenessProbe"]["httpGet"]["path"] == "/health"
    for probe in ("readinessProbe", "livenessProbe"):
        assert ports[opa[probe]["httpGet"]["port"]] == diagnostic_port, f"{probe} is not on the diagnostic port"
    mounts = {m["name"]: m["mountPath"] for m in opa["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    key_file = flags["--set-file"].split("=", 1)[1]
    key_volume = next(n for n, path in mounts.items() if key_file.startswith(path + "/"))
    key_map = find("ConfigMap", volumes[key_volume]["configMap"]["name"])
    assert key_file.rsplit("/", 1)[1] in key_map["data"], "the key file is not in the key ConfigMap"
    config_file = flags["--config-file"]
    config_volume = next(n for n, path in mounts.items() if config_file.startswith(path + "/"))
    assert volumes[config_volume]["configMap"]["name"] == "mlfence-opa-config"
    persist_dir = yaml.safe_load(EXAMPLE_CONFIG.read_text())["persistence_directory"]
    persist_volume = next(n for n, path in mounts.items() if path == persist_dir)
    assert "emptyDir" in volumes[persist_volume], "the persistence directory needs a writable volume"
    env = {e["name"]: e.get("value") for e in opa["env"]}
    assert env.get("MLFENCE_BUNDLE_SERVER", "").startswith("https://"), "the config's placeholder is not set"
    # docs/deploy.md, "Latency and memory knobs": a higher GOGC capped by a GOMEMLIMIT that stays
    # below the container's memory limit (else the heap the higher GOGC allows ends in an OOM kill).
    assert int(env["GOGC"]) > 100, "the example should run the collector less often than Go's default"
    limit = kubernetes_bytes(opa["resources"]["limits"]["memory"])
    assert go_bytes(env["GOMEMLIMIT"]) <= 0.8 * limit, "GOMEMLIMIT leaves no headroom under the memory limit"
    assert pod["enableServiceLinks"] is False, "every Service's variables would be copied on every decision"


def kubernetes_bytes(quantity: str) -> int:
    """A Kubernetes memory quantity with a binary suffix (Mi, Gi) in bytes."""
    units = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30}
    return int(quantity[:-2]) * units[quantity[-2:]]


def go_bytes(limit: str) -> int:
    """A GOMEMLIMIT value with a binary suffix (KiB, MiB, GiB) in bytes."""
    units = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
    return int(limit[:-3]) * units[limit[-3:]]


def test_example_deployment_passes_mlfence_check() -> None:
    proc = cli_in_process("check", "--format", "json", "-q", str(EXAMPLE_DEPLOYMENT))
    assert proc.returncode == 0, f"mlfence check flags the sidecar example:\n{proc.stdout}\n{proc.stderr}"
    report = json.loads(proc.stdout)
    assert report["findings"] == [], report["findings"]
    assert report["summary"]["kubernetes_objects"] == len(example_objects()), report["summary"]
    # conftest on examples/sidecar/ is one of the documented commands (tests/test_conftest_docs.py).
