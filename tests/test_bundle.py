"""The OPA bundle: contents, manifest, reproducibility, signing, and the decision through it."""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from conftest import ROOT, cli_in_process, opa_eval, run, tool
from mlfence import bundle, catalog


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> bundle.BuiltBundle:
    return bundle.build(tmp_path_factory.mktemp("bundle") / "bundle.tar.gz")


def _members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name.lstrip("/"): tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def test_bundle_contents_exclude_tests_and_conftest_adapter(built: bundle.BuiltBundle) -> None:
    names = _members(built.path)
    assert ".manifest" in names and "data.json" in names
    assert not [n for n in names if n.endswith("_test.rego")]
    assert not [n for n in names if n.startswith("main/")]
    rule_source = catalog.by_id("MLF-K8S-001").source.relative_to(ROOT / "policy").as_posix()
    assert "mlfence/decision.rego" in names and rule_source in names
    assert all(not n.startswith(("/", "tmp")) for n in names)


def test_manifest(built: bundle.BuiltBundle) -> None:
    manifest = json.loads(_members(built.path)[".manifest"])
    assert manifest["rego_version"] == 1
    assert sorted(manifest["roots"]) == sorted(bundle.ROOTS)
    # Only mlfence's own names: another bundle may own k8s, terraform or lib/<its name> (test_sidecar).
    assert all(root == "mlfence" or root.startswith(("mlfence/", "lib/mlfence")) for root in manifest["roots"])
    assert all(bundle.under_roots(rule.package) for rule in catalog.load())
    assert manifest["revision"] == built.revision and "+data." in built.revision
    assert manifest["metadata"]["rules"] == len(manifest["metadata"]["rule_ids"]) > 2


def test_same_sources_give_identical_bytes(built: bundle.BuiltBundle, tmp_path: Path) -> None:
    again = bundle.build(tmp_path / "again.tar.gz")
    assert again.sha256 == built.sha256
    assert again.path.read_bytes() == built.path.read_bytes()


def test_signed_bundle_verifies_and_wrong_key_is_refused(tmp_path: Path) -> None:
    key, pub, other_pub = tmp_path / "key.pem", tmp_path / "pub.pem", tmp_path / "other.pem"
    for private, public in ((key, pub), (tmp_path / "other-key.pem", other_pub)):
        subprocess.run(["openssl", "genrsa", "-out", str(private), "2048"], check=True, capture_output=True)
        subprocess.run(
            ["openssl", "rsa", "-in", str(private), "-pubout", "-out", str(public)], check=True, capture_output=True
        )
    signed = bundle.build(tmp_path / "signed.tar.gz", signing_key=key)
    assert ".signatures.json" in _members(signed.path)

    # `opa build --bundle X --verification-key` loads X verifying its signature, as a sidecar does.
    def verify(public: Path) -> subprocess.CompletedProcess[str]:
        return run(
            [
                tool("opa"),
                "build",
                "--bundle",
                str(signed.path),
                "--verification-key",
                str(public),
                "--verification-key-id",
                "mlfence",
                "-o",
                str(tmp_path / "verified.tar.gz"),
            ]
        )

    good = verify(pub)
    assert good.returncode == 0, good.stderr
    bad = verify(other_pub)
    assert bad.returncode != 0 and "failed to verify" in bad.stdout + bad.stderr


def test_missing_signing_key_is_a_clear_error(tmp_path: Path) -> None:
    proc = cli_in_process("build", "--out", str(tmp_path), "--signing-key", str(tmp_path / "absent.pem"))
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr and "Traceback" not in proc.stderr


def test_decision_through_the_bundle(built: bundle.BuiltBundle) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ml"},
        "spec": {"hostNetwork": True, "containers": [{"name": "c", "image": "i"}]},
    }
    plan = json.loads((ROOT / "examples" / "terraform" / "ml-platform.plan.json").read_text())
    # One `opa eval` of the bundle (one compile) answers for the three inputs, each the whole input
    # of its decision (`with input as`).
    query = "{name: d | some name, doc in input; d := data.mlfence.decision with input as doc}"
    decisions = opa_eval(query, {"pod": pod, "plan": plan, "other": {"hello": "world"}}, bundle=built.path)
    decision = decisions["pod"]
    assert decision["allowed"] is False and decision["input_kind"] == "kubernetes_object"
    assert "MLF-K8S-002" in {f["rule_id"] for f in decision["findings"]}
    decision = decisions["plan"]
    assert decision["input_kind"] == "terraform_plan" and decision["allowed"] is False
    assert decisions["other"]["allowed"] is False


def _soon() -> str:
    import datetime as dt

    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()


def test_build_carries_exemptions_to_bundle_and_gatekeeper(tmp_path: Path) -> None:
    import yaml

    exemptions = tmp_path / "exemptions.yaml"
    exemptions.write_text(
        yaml.safe_dump(
            {
                "exemptions": [
                    {
                        "rule": "MLF-K8S-002",
                        "resource": "ml-serving/Pod/*",
                        "reason": "NCCL debugging, reviewed",
                        "owner": "platform-security",
                        "expires": _soon(),
                    }
                ]
            }
        )
    )
    key = tmp_path / "signing.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    # In-process (conftest.cli_in_process): the rule analysis of the module's build is reused.
    proc = cli_in_process(
        "build", "--out", str(tmp_path / "dist"), "--exemptions", str(exemptions), "--signing-key", str(key)
    )
    assert proc.returncode == 0, proc.stderr
    assert "unsigned" not in proc.stderr and "warning" not in proc.stderr  # signed: nothing to warn about
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "t", "namespace": "ml-serving"},
        "spec": {"hostNetwork": True, "serviceAccountName": "t", "containers": [{"name": "c", "image": "i"}]},
    }
    decision = opa_eval("data.mlfence.decision", pod, bundle=tmp_path / "dist" / "bundle.tar.gz")
    statuses = {f["rule_id"]: f["status"] for f in decision["findings"]}
    assert statuses["MLF-K8S-002"] == "exempted"
    constraint = yaml.safe_load((tmp_path / "dist" / "gatekeeper" / "constraints" / "mlf-k8s-002.yaml").read_text())
    assert constraint["spec"]["parameters"]["exemptions"][0]["owner"] == "platform-security"
