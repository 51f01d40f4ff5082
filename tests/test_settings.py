"""Settings in the user's repository (issue 14 §2), exemptions that cannot be abused (16 §4) and
inline suppressions (14 §3): validated the same from every source, enforced the same by the CLI,
conftest, the OPA bundle and Gatekeeper."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, cli_in_process, run, tool
from mlfence import exemptions, settings

TODAY = dt.datetime.now(dt.UTC).date()
SOON = (TODAY + dt.timedelta(days=30)).isoformat()

OPEN_EGRESS = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "NetworkPolicy",
    "metadata": {"name": "open-egress", "namespace": "ml-serving"},
    "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]},
}


def _pod(name: str, annotations: dict[str, str] | None = None) -> dict:
    metadata = {"name": name, "namespace": "ml-serving", **({"annotations": annotations} if annotations else {})}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {"hostNetwork": True, "serviceAccountName": name, "containers": [{"name": "c", "image": "i"}]},
    }


SUPPRESSED = _pod(
    "nccl-debug",
    {
        "mlfence.io/suppress": "MLF-K8S-002",
        "mlfence.io/suppress-reason": "NCCL debugging on dedicated nodes, PLAT-77",
        "mlfence.io/suppress-expires": SOON,
    },
)
UNREASONED = _pod("no-reason", {"mlfence.io/suppress": "MLF-K8S-002"})


def mlfence(*args: str, cwd: Path = ROOT) -> tuple[int, str, str]:
    """The CLI in-process (conftest.cli_in_process): these tests are about what settings do; the
    console script itself is tested in test_cli.py, test_bundle.py and test_wheel.py."""
    proc = cli_in_process(*args, cwd=cwd)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc.returncode, proc.stdout, proc.stderr


def _repo(tmp_path: Path, settings_doc: dict | str, *objects: dict) -> Path:
    repo = tmp_path / "repo"
    (repo / "k8s").mkdir(parents=True)
    text = settings_doc if isinstance(settings_doc, str) else yaml.safe_dump(settings_doc, sort_keys=False)
    (repo / ".mlfence.yaml").write_text(text)
    (repo / "k8s" / "objects.yaml").write_text(yaml.safe_dump_all(objects or [OPEN_EGRESS]))
    return repo


def _statuses(report: dict) -> dict[tuple[str, str], str]:
    return {(f["rule_id"], f["resource"]): f["status"] for f in report["findings"]}


def _check(repo: Path, *args: str) -> tuple[int, dict]:
    code, out, err = mlfence("check", "-q", "--format", "json", "k8s", *args, cwd=repo)
    assert out, err
    return code, json.loads(out)


# --- the settings file: found upward, validated with file:line: key ------------------------------


def test_settings_file_found_above_the_scanned_path_changes_the_verdict(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"version": 1, "rules": {"disable": ["MLF-K8S-001"], "severity": {"MLF-K8S-006": "low"}}})
    _code, report = _check(repo)
    rules = {f["rule_id"]: f["severity"] for f in report["findings"]}
    assert "MLF-K8S-001" not in rules
    assert rules.get("MLF-K8S-006") == "low"
    # From elsewhere, the path still finds the repository's settings.
    _, out, _ = mlfence("check", "-q", "--format", "json", str(repo / "k8s"), cwd=tmp_path)
    assert "MLF-K8S-001" not in {f["rule_id"] for f in json.loads(out)["findings"]}


def test_parameters_from_settings(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"parameters": {"system_namespaces": ["ml-serving"]}})
    code, report = _check(repo)
    assert code == 0 and report["findings"] == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("version: 1\nparameters:\n  nope: 1\n", ".mlfence.yaml:3: parameters.nope: no rule parameter of that name"),
        ("parameters:\n  ml_ports: 22\n", ".mlfence.yaml:2: parameters.ml_ports: expected a list"),
        ("parameters:\n  internal_cidrs: [10.0.0.0/8, 10.0.0.300/32]\n", "'10.0.0.300/32' is not a CIDR"),
        ("parameters:\n  exemptions: []\n", ".mlfence.yaml:1: parameters"),
        ("rules:\n  disable: [MLF-K8S-999]\n", ".mlfence.yaml:2: rules.disable[0]: no rule MLF-K8S-999"),
        ("rules:\n  severity: {MLF-K8S-001: urgent}\n", "rules.severity.MLF-K8S-001: 'urgent' is not one of"),
        ("colour: blue\n", ".mlfence.yaml:1: (top level): Additional properties are not allowed ('colour'"),
        ("rules: [\n", ".mlfence.yaml:2: not valid YAML"),
        (
            "flows:\n  components:\n    - {name: training, namespace: ml-training}\n",
            ".mlfence.yaml:3: flows.components[0]: Additional properties are not allowed ('namespace'",
        ),
        (
            "flows:\n  components:\n    - {name: training, namespaces: [ml]}\n"
            "  allow:\n    - {from: training, to: registry}\n",
            ".mlfence.yaml:5: flows.allow[0].to: no component named 'registry' (declared: training)",
        ),
        (
            "flows:\n  components:\n    - {name: a, namespaces: [ml]}\n    - {name: a, namespaces: [x]}\n",
            ".mlfence.yaml:4: flows.components[1].name: 'a' is declared twice",
        ),
        (
            "flows:\n  components:\n    - {name: a, namespaces: [ml], egress: {via: gw}}\n",
            "flows.components[0].egress.via: no component named 'gw'",
        ),
        ("flows:\n  allow:\n    - {from: a, to: b, ports: [70000]}\n", "flows.allow[0].ports[0]"),
    ],
)
def test_bad_settings_are_one_line_naming_file_line_and_key(tmp_path: Path, text: str, words: str) -> None:
    repo = _repo(tmp_path, text)
    code, _out, err = mlfence("check", "k8s", cwd=repo)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], err


def test_flows_are_accepted_and_passed_through(tmp_path: Path) -> None:
    flows = {
        "components": [
            {
                "name": "trainer",
                "namespaces": ["ml-training"],
                "pods": {"matchLabels": {"app": "t"}},
                "egress": {"approved": ["aws/S3"]},
            },
            {"name": "registry", "namespace_selector": {"matchLabels": {"team": "ml"}}},
        ],
        "allow": [{"from": "trainer", "to": "registry", "ports": [5000, "8000-8100", {"port": 53, "protocol": "UDP"}]}],
    }
    repo = _repo(tmp_path, {"flows": flows})
    loaded = settings.load(scanned=[str(repo / "k8s")])
    assert loaded.rule_parameters()["flows"] == flows


_JOB = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"name": "train"},
    "spec": {"template": {"spec": {"serviceAccountName": "train", "containers": [{"name": "c", "image": "i"}]}}},
}


def _deny(namespace: str | None) -> dict:
    meta = {"name": "deny-all"} | ({"namespace": namespace} if namespace else {})
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta,
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
    }


def _default_deny_resources(repo: Path) -> set[str]:
    _code, report = _check(repo)
    return {f["resource"] for f in report["findings"] if f["rule_id"] == "MLF-K8S-009"}


def test_folder_namespaces_place_namespace_less_objects(tmp_path: Path) -> None:
    """`namespaces:` puts a folder's namespace-less objects in the namespace they are deployed
    into: judged with that namespace's policies, never with other folders' namespace-less ones."""
    repo = _repo(
        tmp_path, {"namespaces": {"k8s/train": "ml-train", "k8s/train/canary": "ml-canary"}}, _deny("ml-train")
    )
    for folder in ("train", "train/canary", "serve"):
        (repo / "k8s" / folder).mkdir(parents=True, exist_ok=True)
        (repo / "k8s" / folder / "job.yaml").write_text(yaml.safe_dump(_JOB))
    # A namespace-less deny-all in the undeclared folder must not isolate the declared ones.
    (repo / "k8s" / "serve" / "deny.yaml").write_text(yaml.safe_dump(_deny(None)))
    found = _default_deny_resources(repo)
    # ml-train's deny-all isolates the train job; the longest folder wins for canary.
    assert "ml-train/Job/train" not in found
    assert "ml-canary/Job/train" in found
    # The undeclared folder's job is still scoped to its own file, as before.
    assert "/Job/train" in found
    # Without the declaration, the same jobs are namespace-less.
    (repo / ".mlfence.yaml").write_text("version: 1\n")
    assert "ml-train/Job/train" not in _default_deny_resources(repo)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("namespaces:\n  k8s/train: ML_Train\n", "namespaces.k8s/train: 'ML_Train' does not match"),
        ("namespaces: [k8s]\n", "namespaces: ['k8s'] is not of type 'object'"),
    ],
)
def test_bad_folder_namespaces(tmp_path: Path, text: str, words: str) -> None:
    repo = _repo(tmp_path, text)
    code, _out, err = mlfence("check", "k8s", cwd=repo)
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1, err


def test_settings_exclude_skips_paths_like_the_option(tmp_path: Path) -> None:
    """`exclude:` in .mlfence.yaml skips what --exclude would (a folder name anywhere, a glob of
    the relative path), joins the command line's, and is validated like every key."""
    repo = _repo(tmp_path, {"exclude": ["vendor", "*.tpl.yaml"]})
    (repo / "k8s" / "vendor").mkdir()
    (repo / "k8s" / "vendor" / "open.yaml").write_text(yaml.safe_dump(OPEN_EGRESS | {"metadata": {"name": "v"}}))
    (repo / "k8s" / "open.tpl.yaml").write_text("{username}: not yaml a scanner could read\n")
    code, report = _check(repo)
    scanned = {f["file"] for f in report["findings"]} | {s["file"] for s in report.get("skipped", [])}
    assert code == 1 and any(p.endswith("objects.yaml") for p in scanned), report
    assert not any("vendor" in p or p.endswith(".tpl.yaml") for p in scanned), scanned
    # Without the key the same files are read again.
    (repo / ".mlfence.yaml").write_text("version: 1\n")
    _code, report = _check(repo)
    assert any("vendor/open.yaml" in f["file"] for f in report["findings"]), report["findings"]
    # The command line adds to the settings file's globs.
    (repo / ".mlfence.yaml").write_text("exclude: [vendor]\n")
    _code, report = _check(repo, "--exclude", "objects.yaml")
    assert not any("vendor" in f["file"] or f["file"].endswith("objects.yaml") for f in report["findings"])
    (repo / ".mlfence.yaml").write_text("exclude: vendor\n")
    code, _out, err = mlfence("check", "k8s", cwd=repo)
    assert code == 2 and "exclude: 'vendor' is not of type 'array'" in err and len(err.strip().splitlines()) == 1, err


def test_config_option_and_two_settings_files_in_one_run(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"rules": {"disable": ["MLF-K8S-001"]}})
    other = tmp_path / "other"
    (other / "k8s").mkdir(parents=True)
    (other / ".mlfence.yaml").write_text("version: 1\n")
    (other / "k8s" / "x.yaml").write_text(yaml.safe_dump(OPEN_EGRESS))
    code, _out, err = mlfence("check", str(repo / "k8s"), str(other / "k8s"), cwd=tmp_path)
    assert code == 2 and "governed by" in err and "--config" in err
    code, out, _ = mlfence(
        "check", "-q", "--format", "json", "--config", str(repo / ".mlfence.yaml"), str(other / "k8s"), cwd=tmp_path
    )
    assert "MLF-K8S-001" not in {f["rule_id"] for f in json.loads(out)["findings"]}


def test_range_data_in_the_old_layout_is_refused_not_ignored(tmp_path: Path) -> None:
    """Range data synced before it moved out of data.lib would load where no rule reads it: the
    run would classify without the user's ranges. Both data layers refuse it in one line."""
    repo = _repo(tmp_path, "version: 1\n")
    old = Path("lib") / "mlfence" / "rangedata" / "approved" / "data.json"
    given = tmp_path / "given"
    (given / old).parent.mkdir(parents=True)
    (given / old).write_text("{}")
    code, _out, err = mlfence("check", "k8s", "--data", str(given), cwd=repo)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert str(given / "lib" / "mlfence" / "rangedata") in lines[0] and "mlfence/rangedata" in lines[0], err
    synced = repo / settings.SYNCED_DATA
    (synced / old).parent.mkdir(parents=True)
    (synced / old).write_text("{}")
    code, _out, err = mlfence("check", "k8s", cwd=repo)
    assert code == 2 and len(err.strip().splitlines()) == 1 and str(synced / "lib") in err, err
    # Moved as the message says, the same folder is read.
    (synced / "mlfence").mkdir()
    (synced / "lib" / "mlfence" / "rangedata").rename(synced / settings.RANGE_DATA)
    code, _out, err = mlfence("check", "k8s", cwd=repo)
    assert code in (0, 1) and "rangedata" not in err, err


def test_data_option_adds_to_the_shipped_data(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    (extra / "mlfence" / "config").mkdir(parents=True)
    (extra / "mlfence" / "config" / "data.yaml").write_text("default_deny_policy_name: deny-everything\n")
    (extra / "site").mkdir()
    (extra / "site" / "data.json").write_text('{"region": "eu"}')
    loaded = settings.load(data=extra)
    staged = loaded.stage_data(tmp_path / "staged")
    assert (staged / "mlfence" / "rangedata" / "approved" / "data.json").is_file()  # shipped, kept
    assert json.loads((staged / "site" / "data.json").read_text()) == {"region": "eu"}
    config = json.loads((staged / "mlfence" / "config" / "data.json").read_text())
    assert config["default_deny_policy_name"] == "deny-everything"


# --- exemptions: the same limits from every source -------------------------------------------------


def _entry(**changes: str) -> dict:
    return {
        "rule": "MLF-K8S-001",
        "resource": "ml-serving/NetworkPolicy/open-*",
        "reason": "egress proxy pending",
        "owner": "platform-security",
        "expires": SOON,
        **changes,
    }


ABUSIVE = {"rule": "*", "resource": "*", "reason": "x", "owner": "x", "expires": "9999-12-31"}


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        (ABUSIVE, "exemptions[0]"),
        ({**_entry(), "rule": "*"}, "rule '*' exempts every rule"),
        (_entry(owner="x"), "owner"),
        (_entry(owner="TBD"), "is not a real owner"),
        (_entry(expires="9999-12-31"), "more than 90 days after today"),
        (_entry(rule="MLF-K8S-999"), "no rule MLF-K8S-999"),
        (_entry(resource=" ml/*"), "not a valid glob"),
        (_entry(reason="ok"), "reason"),
    ],
)
def test_abusive_exemptions_are_refused_from_every_source(tmp_path: Path, entry: dict, words: str) -> None:
    sources = {
        "settings": lambda: (_repo(tmp_path / "s", {"exemptions": [entry]}), []),
        "file": lambda: (_repo(tmp_path / "f", "version: 1\n"), ["--exemptions", str(_write(tmp_path, entry))]),
        "data": lambda: (_repo(tmp_path / "d", "version: 1\n"), ["--data", str(_data_dir(tmp_path, entry))]),
    }
    for name, make in sources.items():
        repo, extra = make()
        code, _out, err = mlfence("check", "k8s", *extra, cwd=repo)
        assert code == 2, (name, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], (name, err)


def _write(tmp_path: Path, entry: dict) -> Path:
    path = tmp_path / "exemptions.yaml"
    path.write_text(yaml.safe_dump({"exemptions": [entry]}))
    return path


def _data_dir(tmp_path: Path, entry: dict) -> Path:
    folder = tmp_path / "data-layer"
    (folder / "mlfence" / "config").mkdir(parents=True, exist_ok=True)
    (folder / "mlfence" / "config" / "data.yaml").write_text(yaml.safe_dump({"exemptions": [entry]}))
    return folder


def test_wildcard_rule_when_flagged_and_scoped(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        {
            "exemption_limits": {"allow_all_rules": True},
            "exemptions": [_entry(rule="*", resource="ml-serving/NetworkPolicy/*")],
        },
    )
    code, report = _check(repo)
    assert code == 0 and {f["status"] for f in report["findings"]} == {"exempted"}


def test_two_sources_together_and_unused_exemptions(tmp_path: Path) -> None:
    unused = _entry(rule="MLF-K8S-030", resource="ml-serving/Service/gateway")
    repo = _repo(tmp_path, {"exemptions": [_entry(), unused]})
    _code, report = _check(
        repo, "--exemptions", str(_write(tmp_path, _entry())), "--data", str(_data_dir(tmp_path, _entry()))
    )
    assert _statuses(report)[("MLF-K8S-001", "ml-serving/NetworkPolicy/open-egress")] == "exempted"
    assert [(u["rule"], u["resource"]) for u in report["summary"]["unused_exemptions"]] == [
        ("MLF-K8S-030", "ml-serving/Service/gateway")
    ]


def test_star_matches_terraform_addresses(tmp_path: Path) -> None:
    plan = ROOT / "examples" / "terraform" / "ml-platform.plan.json"
    repo = _repo(tmp_path, "version: 1\n")
    _code, out, err = mlfence(
        "check",
        "-q",
        "--format",
        "json",
        str(plan),
        "--exemptions",
        str(_write(tmp_path, _entry(rule="MLF-TF-001", resource="*"))),
        cwd=repo,
    )
    report = json.loads(out)
    tf001 = [f for f in report["findings"] if f["rule_id"] == "MLF-TF-001"]
    assert tf001 and all(f["status"] == "exempted" for f in tf001), err
    assert all("." in f["resource"] for f in tf001)


def test_non_utf8_and_malformed_exemption_files(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "version: 1\n")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"exemptions:\n- rule: \xff\xfe\n")
    code, _out, err = mlfence("check", "k8s", "--exemptions", str(binary), cwd=repo)
    assert code == 2 and "not UTF-8" in err and len(err.strip().splitlines()) == 1
    broken = tmp_path / "broken.yaml"
    broken.write_text("exemptions:\n- rule: MLF-K8S-001\n  resource: [\n")
    code, _out, err = mlfence("check", "k8s", "--exemptions", str(broken), cwd=repo)
    assert code == 2 and "broken.yaml:" in err and len(err.strip().splitlines()) == 1


def test_python_and_rego_agree_on_owners() -> None:
    from conftest import opa_eval

    rego = set(opa_eval("data.lib.mlfence.result.placeholder_owners", {}, ROOT / "policy" / "lib"))
    assert rego == set(exemptions.PLACEHOLDER_OWNERS)


def test_glob_semantics() -> None:
    assert exemptions.glob_regex("*").fullmatch("module.ml.aws_security_group.notebook[0]")
    assert exemptions.glob_regex("aws_instance.gpu[0]").fullmatch("aws_instance.gpu[0]")
    assert not exemptions.glob_regex("aws_instance.gpu[0]").fullmatch("aws_instance.gpu0")


# --- every engine enforces the same settings -------------------------------------------------------


@pytest.fixture(scope="module")
def built_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("engines")
    repo = _repo(
        tmp, {"exemptions": [_entry()], "rules": {"disable": ["MLF-K8S-009"]}}, OPEN_EGRESS, SUPPRESSED, UNREASONED
    )
    code, _out, err = mlfence("build", "--out", "dist", cwd=repo)
    assert code == 0, err
    return repo


EXPECTED = {
    ("MLF-K8S-001", "ml-serving/NetworkPolicy/open-egress"): "exempted",
    ("MLF-K8S-002", "ml-serving/Pod/nccl-debug"): "exempted",
    ("MLF-K8S-002", "ml-serving/Pod/no-reason"): "fail",
}


def _relevant(statuses: dict[tuple[str, str], str]) -> dict[tuple[str, str], str]:
    return {k: v for k, v in statuses.items() if k in EXPECTED}


def test_cli_applies_settings_exemptions_and_suppressions(built_repo: Path) -> None:
    _code, report = _check(built_repo)
    assert _relevant(_statuses(report)) == EXPECTED
    assert "MLF-K8S-009" not in {f["rule_id"] for f in report["findings"]}
    notes = {f["resource"]: f["message"] for f in report["findings"] if f["rule_id"] == "MLF-K8S-002"}
    assert "suppressed inline: NCCL debugging" in notes["ml-serving/Pod/nccl-debug"]
    assert "inline suppression ignored" in notes["ml-serving/Pod/no-reason"]
    marks = {
        f["resource"]: f.get("suppression", {}).get("state")
        for f in report["findings"]
        if f["rule_id"] == "MLF-K8S-002"
    }
    assert marks == {"ml-serving/Pod/nccl-debug": "active", "ml-serving/Pod/no-reason": "invalid"}


def test_bundle_applies_the_same(built_repo: Path) -> None:
    from conftest import opa_eval

    # One OPA process (one bundle load and compile) decides each object as its own input.
    decisions = opa_eval(
        "[d | some obj in input.objects; d := data.mlfence.decision with input as obj]",
        {"objects": [OPEN_EGRESS, SUPPRESSED, UNREASONED]},
        bundle=built_repo / "dist" / "bundle.tar.gz",
    )
    assert isinstance(decisions, list) and len(decisions) == 3, decisions
    statuses: dict[tuple[str, str], str] = {}
    for decision in decisions:
        statuses |= {(f["rule_id"], f["resource"]): f["status"] for f in decision["findings"]}
    assert _relevant(statuses) == EXPECTED
    assert "MLF-K8S-009" not in {rule for rule, _ in statuses}


def test_conftest_applies_the_same(built_repo: Path) -> None:
    tree = built_repo / "dist" / "conftest"
    proc = run(
        [
            tool("conftest"),
            "test",
            "-o",
            "json",
            "-p",
            str(tree / "policy"),
            "-d",
            str(tree / "data"),
            "k8s/objects.yaml",
        ],
        cwd=built_repo,
    )
    results = json.loads(proc.stdout)
    statuses: dict[tuple[str, str], str] = {}
    for result in results:
        for level in ("failures", "warnings"):
            for item in result.get(level) or []:
                meta = item.get("metadata") or {}
                if "rule_id" in meta:
                    statuses[(meta["rule_id"], meta["resource"])] = meta["status"]
    assert _relevant(statuses) == EXPECTED


def test_gatekeeper_applies_the_same(built_repo: Path) -> None:
    gk = built_repo / "dist" / "gatekeeper"
    # One gator run (templates compiled once) reviews the three objects; each violation names
    # its object (details.resource).
    manifests = []
    for obj in (OPEN_EGRESS, SUPPRESSED, UNREASONED):
        manifest = built_repo / f"{obj['metadata']['name']}.yaml"
        manifest.write_text(yaml.safe_dump(obj))
        manifests += ["-f", str(manifest)]
    # The templates and Constraints of the rules asserted on (each template judges alone, so the
    # others could not change these answers): gator compiles only those (this file ~17 -> ~15 s CPU).
    asserted = {rule.lower() for rule, _ in EXPECTED} | {"mlf-k8s-009"}
    chosen = [f"{gk}/{kind}/{rule}.yaml" for kind in ("templates", "constraints") for rule in sorted(asserted)]
    assert all(Path(path).is_file() for path in chosen), chosen
    proc = run([tool("gator"), "test", "-o", "json", *(a for path in chosen for a in ("-f", path)), *manifests])
    assert proc.returncode in (0, 1), proc.stderr
    denied: set[tuple[str, str]] = set()
    for item in json.loads(proc.stdout or "[]") or []:
        details = item["metadata"]["details"]
        denied.add((details["rule_id"], details["resource"]))
    failing = {k for k, v in EXPECTED.items() if v == "fail"}
    assert {k for k in denied if k in EXPECTED} == failing
    assert not any(rule == "MLF-K8S-009" for rule, _ in denied)


def test_alias_bomb_in_an_exemptions_file_is_one_error_in_bounded_time(tmp_path: Path) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 10)}]")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n")
    with pytest.raises(settings.SettingsError, match="nested YAML aliases"):
        settings.load(exemptions_file=bomb)


def test_abusive_entry_written_straight_into_engine_data_exempts_nothing(
    tmp_path: Path, shipped_conftest_policy: Path
) -> None:
    """Bypassing mlfence's validation (hand-written Constraint parameters or conftest data) does
    not help: the Rego applies the same limits in Gatekeeper and conftest."""
    from mlfence import gatekeeper, parameters

    params = {
        **parameters.gatekeeper(ROOT / "data"),
        "exemptions": [ABUSIVE],
        "exemption_limits": {"allow_all_rules": True, "max_days": 366},
    }
    gk = tmp_path / "gk"
    for artifact in gatekeeper.artifacts(params):
        if artifact.path.split("/")[0] in ("templates", "constraints") and "mlf-k8s-001" in artifact.path:
            target = gk / artifact.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(gatekeeper.dump(artifact.document))
    manifest = tmp_path / "open.yaml"
    manifest.write_text(yaml.safe_dump(OPEN_EGRESS))
    proc = run([tool("gator"), "test", "-o", "json", "-f", str(gk), "-f", str(manifest)])
    denied = {item["metadata"]["details"]["rule_id"] for item in json.loads(proc.stdout or "[]") or []}
    assert "MLF-K8S-001" in denied, proc.stdout + proc.stderr

    data = tmp_path / "data"
    settings.Settings().stage_data(data)
    (data / "mlfence" / "config" / "data.json").write_text(json.dumps({"exemptions": [ABUSIVE]}))
    proc = run(
        [tool("conftest"), "test", "-o", "json", "-p", str(shipped_conftest_policy), "-d", str(data), str(manifest)]
    )
    failures = [f["metadata"]["rule_id"] for r in json.loads(proc.stdout) for f in r.get("failures") or []]
    assert "MLF-K8S-001" in failures, proc.stdout
