"""`mlfence reach`: the flows of the seeds' example platform (examples/reach), every output
format, --from/--to, bad input, and the HTML page in Debian's headless
Chromium (installed by scripts/setup-test.sh). The real Kubeflow kustomize tree is modelled in
test_realworld_kubeflow.py, which renders it once for both commands."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import MLFENCE, ROOT, cli_in_process, run

PLATFORM = "examples/reach/platform.yaml"


# Several tests model the same platform and differ in the output format or the --from/--to filter:
# each distinct `opa eval` runs once (opa_answers).
pytestmark = pytest.mark.usefixtures("shared_opa_answers")


def reach(*args: str, real_process: bool = False) -> subprocess.CompletedProcess[str]:
    """`mlfence reach ARGS` in the test process (conftest.cli_in_process: the same exit code and
    output without an interpreter start per call), or as the installed console script."""
    if real_process:
        return run([MLFENCE, "reach", *args], env={"COLUMNS": "200"})
    return cli_in_process("reach", *args, env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def model() -> dict:
    proc = reach(PLATFORM, "--format", "json", real_process=True)  # the console script, once
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _edges(model: dict, source: str | None = None, target: str | None = None) -> list[dict]:
    return [
        e
        for e in model["edges"]
        if (source is None or e["source"] == source) and (target is None or e["target"] == target)
    ]


def test_registry_reachable_only_from_ci(model: dict) -> None:
    into = _edges(model, target="model-registry/Deployment/model-registry")
    assert [(e["source"], e["ports"]) for e in into] == [("ci/Deployment/ci-runner", "TCP 5000")]
    assert set(into[0]["by"]) == {
        "ci/runner-egress-registry-only rule 0",
        "model-registry/registry-from-ci-only rule 0",
    }


def test_inference_only_through_the_gateway(model: dict) -> None:
    into = _edges(model, target="ml-serving/Deployment/inference")
    assert [(e["source"], e["ports"]) for e in into] == [("istio-system/Deployment/istio-ingressgateway", "TCP 8080")]
    out = _edges(model, source="ml-serving/Deployment/inference")
    assert [(e["target"], e["ports"]) for e in out] == [("ml-serving/Deployment/feature-store", "TCP 6566")]


def test_training_egress_is_controlled(model: dict) -> None:
    master = "ml-training/PyTorchJob/finetune#pytorchReplicaSpecs.Master"
    targets = {e["target"]: e["ports"] for e in _edges(model, source=master)}
    assert targets == {
        "internal 10.20.0.0/16": "TCP 443,2049",
        "kube-system/Deployment/coredns": "TCP 53; UDP 53",
        "ml-training/Deployment/mlflow": "TCP 5000",
        "ml-training/PyTorchJob/finetune#pytorchReplicaSpecs.Worker": "TCP 29500-29501",
    }
    assert not any(e["risk"] for e in _edges(model, source=master))
    # the gateway, which no policy isolates, is the one path to the internet and it stands out
    assert {e["target"] for e in model["edges"] if e["risk"]} == {"internet", "instance metadata endpoint"}


def test_table_from_and_to() -> None:
    proc = reach(PLATFORM, "--to", "model-registry")
    assert proc.returncode == 0, proc.stderr
    assert "ci/Deployment/ci-runner" in proc.stdout and "registry-from-ci-only rule 0" in proc.stdout
    assert "ml-training" not in proc.stdout.split("┃ allowed by")[1].split("workloads,")[0]
    # the feature store sends nothing: the namespace's default deny and no egress rule for it
    serving = reach(PLATFORM, "--from", "ml-serving/*", "--format", "json")
    assert {e["source"] for e in json.loads(serving.stdout)["edges"]} == {"ml-serving/Deployment/inference"}


def test_dot_and_mermaid() -> None:
    dot = reach(PLATFORM, "--format", "dot")
    assert dot.returncode == 0 and dot.stdout.startswith("digraph reach {")
    layout = subprocess.run(
        [shutil.which("dot") or "dot", "-Tsvg"], input=dot.stdout, capture_output=True, text=True, check=False
    )
    assert layout.returncode == 0, layout.stderr
    mermaid = reach(PLATFORM, "--format", "mermaid")
    assert mermaid.returncode == 0 and mermaid.stdout.startswith("flowchart LR")
    assert "class " in mermaid.stdout  # the internet nodes get the risk class
    # the undeclared flows (examples/reach/.mlfence.yaml declares the flows) are red in both
    undeclared = [line for line in dot.stdout.splitlines() if 'class="undeclared' in line]
    assert len(undeclared) == 4 and all('color="#d00000"' in line for line in undeclared), undeclared
    links = [line for line in mermaid.stdout.splitlines() if "-->" in line or "-.->" in line]
    styled = re.search(r"linkStyle ([0-9,]+) stroke:#d00000", mermaid.stdout)
    assert styled, mermaid.stdout
    assert {"istio-ingressgateway" in links[int(n)] for n in styled.group(1).split(",")} == {True}


def test_undeclared_flows_match_the_rule_and_need_a_declaration(model: dict, tmp_path: Path) -> None:
    """The edges marked undeclared are the flows MLF-K8S-060 fails on the same files; without a
    `flows:` declaration nothing is marked."""
    marked = {(e["source"], e["target"]): e["undeclared"] for e in model["edges"] if e["undeclared"]}
    gateway, dns = "istio-system/Deployment/istio-ingressgateway", "kube-system/Deployment/coredns"
    assert marked == {
        (gateway, dns): "SCTP all; TCP 1-52,54-65535; UDP 1-52,54-65535",
        (dns, gateway): "all ports",
        (gateway, "internet"): "all ports",
        (gateway, "instance metadata endpoint"): "all ports",
    }
    assert model["undeclared"]["declared"] is True
    check = cli_in_process("check", "examples/reach", "--rule", "MLF-K8S-060", "--format", "json")
    failed = [f["message"] for f in json.loads(check.stdout)["findings"] if f["status"] == "fail"]
    assert failed and all("istio-ingressgateway" in m for m in failed)
    assert any("can reach kube-system/coredns" in m for m in failed)
    assert any("coredns (no component) can reach istio-system/istio-ingressgateway" in m for m in failed)
    # the same platform with no settings file: no declaration, nothing marked, no extra column
    alone = tmp_path / "platform.yaml"
    alone.write_text((ROOT / PLATFORM).read_text())
    plain = reach(str(alone), "--format", "json")
    assert plain.returncode == 0, plain.stderr
    answer = json.loads(plain.stdout)
    assert answer["undeclared"] == {"declared": False, "flows": [], "external": []}
    assert not any(e["undeclared"] for e in answer["edges"])
    assert "not declared" not in reach(str(alone), "--format", "markdown").stdout
    table = reach(PLATFORM)
    assert "not declared" in table.stdout and "4 not allowed by the declared flows" in table.stdout


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: [unclosed\n")
    for args in ([str(bad)], [str(tmp_path / "missing.yaml")]):
        proc = reach(*args)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr


def test_helm_chart_and_namespace_less_objects(tmp_path: Path) -> None:
    proc = reach("examples/helm/inference", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    workloads = json.loads(proc.stdout)["workloads"]
    server = workloads["ml-serving/Deployment/mlfence-check-server"]
    assert server["ingress"]["isolated"] and server["egress"]["isolated"]
    base = tmp_path / "base.yaml"
    base.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"
        "spec: {template: {spec: {containers: [{name: c}]}}}\n"
    )
    table = reach(str(base))
    assert "namespace known only after rendering (unknown): /Deployment/x" in table.stdout


# --- the page, in a real browser ----------------------------------------------------------------


def chromium(page: Path, profile: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("chromium")
    assert binary, "chromium is missing: scripts/setup-test.sh installs it (make test)"
    return subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=3000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


CONSOLE_ERROR = re.compile(r"CONSOLE.*(Uncaught|Error|error)|:ERROR:CONSOLE")


def test_console_errors_are_detected(tmp_path: Path) -> None:
    """The check below is real: a page that throws is caught by it."""
    page = tmp_path / "throws.html"
    page.write_text("<!DOCTYPE html><html><body><script>throw new Error('boom');</script></body></html>")
    proc = chromium(page, tmp_path / "profile")
    assert CONSOLE_ERROR.search(proc.stderr), proc.stderr[-2000:]


def test_html_page_in_headless_chromium(tmp_path: Path) -> None:
    page = tmp_path / "reach.html"
    proc = reach(PLATFORM, "--format", "html", "--output", str(page))
    assert proc.returncode == 0, proc.stderr
    text = page.read_text()
    assert (
        "<script src" not in text and "<link" not in text and "http://" not in text.replace("http://www.w3.org", "")
    )  # self-contained
    browser = chromium(page, tmp_path / "profile")
    assert browser.returncode == 0, browser.stderr[-2000:]
    assert not CONSOLE_ERROR.search(browser.stderr), browser.stderr[-2000:]
    dom = browser.stdout
    nodes = int(re.search(r'data-nodes="(\d+)"', dom).group(1))  # set by the page's script
    assert nodes >= 9
    titles = set(re.findall(r"<g id=\"node\d+\" class=\"node[^\"]*\">\s*<title>([^<]+)</title>", dom))
    assert {
        "model-registry/Deployment/model-registry",
        "ci/Deployment/ci-runner",
        "internet",
        "ml-serving/Deployment/inference",
    } <= titles, titles
    assert 'fill="#fde3c8"' in dom  # the internet drawn so it stands out
    assert "registry-from-ci-only rule 0" in dom  # deciding objects: edge tooltip and side table


# Appended to a copy of the page: the browser's own computed styles of what is drawn, written
# into the DOM so that --dump-dom carries them out.
STYLE_PROBE = """<script>
(function () {
  var out = [];
  document.querySelectorAll("g.edge").forEach(function (edge) {
    var path = edge.querySelector("path");
    out.push({
      title: edge.querySelector("title").textContent,
      classes: edge.getAttribute("class"),
      stroke: getComputedStyle(path).stroke,
      tooltip: (edge.querySelector("a") || edge).getAttribute("xlink:title") || "",
    });
  });
  var legend = document.querySelector("#legend li.undeclared line");
  var probe = document.createElement("pre");
  probe.id = "probe";
  probe.textContent = JSON.stringify({edges: out, legend: legend ? getComputedStyle(legend).stroke : null});
  document.body.appendChild(probe);
})();
</script>"""


def test_html_draws_undeclared_flows_red_with_a_legend(tmp_path: Path) -> None:
    """examples/reach/.mlfence.yaml declares the platform's flows: the gateway's and CoreDNS's flows
    that MLF-K8S-060 fails are red in the browser, the declared ones are not, and the legend says
    what red means."""
    page = tmp_path / "reach.html"
    proc = reach(PLATFORM, "--format", "html", "--output", str(page))
    assert proc.returncode == 0, proc.stderr
    probed = tmp_path / "probed.html"
    probed.write_text(page.read_text().replace("</body>", STYLE_PROBE + "</body>"))
    browser = chromium(probed, tmp_path / "profile")
    assert browser.returncode == 0, browser.stderr[-2000:]
    assert not CONSOLE_ERROR.search(browser.stderr), browser.stderr[-2000:]
    found = json.loads(html.unescape(re.search(r'<pre id="probe">(.*?)</pre>', browser.stdout, re.S).group(1)))
    red = "rgb(208, 0, 0)"
    assert found["legend"] == red
    by_title = {e["title"]: e for e in found["edges"]}
    undeclared = {t for t, e in by_title.items() if e["stroke"] == red}
    gateway, dns = "istio-system/Deployment/istio-ingressgateway", "kube-system/Deployment/coredns"
    assert undeclared == {
        f"{gateway}->{dns}",
        f"{dns}->{gateway}",
        f"{gateway}->internet",
        f"{gateway}->instance metadata endpoint",
    }, undeclared
    assert all("undeclared" in by_title[t]["classes"] for t in undeclared)
    # the declared flows keep their colour: the registry's only caller, the gateway to inference
    for title, e in by_title.items():
        if "ci-runner" in title or "inference" in title:
            assert e["stroke"] != red, (title, e)
    # CoreDNS reaching the internet is a risk (no policy) but not judged: CoreDNS is no component
    dns_out = next(e for t, e in by_title.items() if t.startswith(dns) and t.endswith("internet"))
    assert dns_out["stroke"] == "rgb(192, 80, 0)" and "undeclared" not in dns_out["classes"]
    assert "NOT DECLARED" in by_title[next(iter(undeclared))]["tooltip"]


# --- pure helpers ---------------------------------------------------------------------------------


def test_port_text_merges_and_names_everything() -> None:
    from mlfence import reach as r

    assert r.port_text([{"protocol": p, "from": 1, "to": 65535} for p in ("TCP", "UDP", "SCTP")]) == "all ports"
    assert (
        r.port_text(
            [
                {"protocol": "TCP", "from": 80, "to": 80},
                {"protocol": "TCP", "from": 81, "to": 90},
                {"protocol": "UDP", "from": 53, "to": 53},
            ]
        )
        == "TCP 80-90; UDP 53"
    )
    assert r.port_text([{"protocol": "TCP", "from": 1, "to": 65535}]) == "TCP all"


def test_markdown_table_and_no_paths() -> None:
    proc = reach(PLATFORM, "--format", "markdown", "--to", "model-registry")
    assert proc.returncode == 0, proc.stderr
    # examples/reach declares its flows: a column of the undeclared ports, empty for a declared flow
    assert proc.stdout.splitlines() == [
        "| from | to | ports | allowed by | not declared |",
        "|---|---|---|---|---|",
        "| ci/Deployment/ci-runner | model-registry/Deployment/model-registry | TCP 5000 | "
        "ci/runner-egress-registry-only rule 0; model-registry/registry-from-ci-only rule 0 |  |",
    ]
    gateway = reach(PLATFORM, "--format", "markdown", "--from", "istio-system/*", "--to", "internet")
    assert gateway.stdout.splitlines()[2:] == [
        "| istio-system/Deployment/istio-ingressgateway | ⚠️ internet (0.0.0.0/0, ::/0) | all ports | "
        "egress not isolated | 🔴 all ports |"
    ]
    bare = reach()
    assert bare.returncode == 2 and "give the files or folders to read" in bare.stderr


CILIUM = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: trainer, namespace: ml-training}
spec:
  template:
    metadata: {labels: {app: trainer}}
    spec: {containers: [{name: c}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: registry, namespace: model-registry}
spec:
  template:
    metadata: {labels: {app: registry}}
    spec: {containers: [{name: c, ports: [{name: api, containerPort: 5000}]}]}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: trainer-out, namespace: ml-training}
spec:
  endpointSelector: {matchLabels: {app: trainer}}
  ingress: [{}]
  egress:
    - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: model-registry}}]
      toPorts: [{ports: [{port: api, protocol: TCP}]}]
    - toFQDNs: [{matchName: huggingface.co}]
      toPorts: [{ports: [{port: "443", protocol: TCP}]}]
"""


def test_cilium_flows_name_their_policy_and_unknown_peers_are_listed(tmp_path: Path) -> None:
    (tmp_path / "cilium.yaml").write_text(CILIUM)
    proc = reach(str(tmp_path), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    trainer, registry = "ml-training/Deployment/trainer", "model-registry/Deployment/registry"
    assert [(e["ports"], e["by"]) for e in _edges(answer, trainer, registry)] == [
        ("TCP 5000", ["CiliumNetworkPolicy ml-training/trainer-out egress rule 0", "ingress not isolated"])
    ]
    # toFQDNs is neither an allowed address block nor silently dropped: it is listed as unknown
    assert not [e for e in _edges(answer, source=trainer) if e["kind"] == "external"]
    assert [(u["workload"], u["policy"]) for u in answer["unknown"]] == [
        (trainer, "CiliumNetworkPolicy ml-training/trainer-out egress rule 1")
    ]
    table = reach(str(tmp_path)).stdout
    assert (
        "unknown: ml-training/Deployment/trainer egress: CiliumNetworkPolicy ml-training/trainer-out egress rule 1: "
        "toFQDNs matchName huggingface.co: its addresses are known only when the name is resolved"
    ) in table


# --- the Calico example -----------------------------------------------------------------------------

CALICO = "examples/calico"
TRAINER_EGRESS = "Calico NetworkPolicy ml-training/trainer-egress egress rule 0 (Allow)"


def test_calico_example_names_its_deciding_policies() -> None:
    """examples/calico: reach names the Calico rule behind every edge, marks the trainer's internet
    edge undeclared, and check fails the policy (MLF-K8S-063) and names it (MLF-K8S-060)."""
    proc = reach(CALICO, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    edges = {(e["source"], e["target"]): e for e in json.loads(proc.stdout)["edges"]}
    registry = edges[("ci/Deployment/ci-runner", "model-registry/Deployment/model-registry")]
    assert registry["by"] == [
        "Calico NetworkPolicy ci/runner-out egress rule 0 (Allow)",
        "Calico NetworkPolicy model-registry/registry-in ingress rule 0 (Allow)",
    ]
    assert registry["undeclared"] == ""
    internet = edges[("ml-training/Deployment/trainer", "internet")]
    assert (internet["by"], internet["ports"], internet["undeclared"]) == ([TRAINER_EGRESS], "TCP 443", "TCP 443")
    # nothing else reaches the registry, and the trainer reaches nothing else in the cluster
    assert {s for s, t in edges if t == "model-registry/Deployment/model-registry"} == {"ci/Deployment/ci-runner"}
    assert {t for s, t in edges if s == "ml-training/Deployment/trainer"} == {"internet", "instance metadata endpoint"}
    check = cli_in_process("check", CALICO, "--format", "json", "--severity-threshold", "high")
    found = {(f["rule_id"], f["resource"], f["message"]) for f in json.loads(check.stdout)["findings"]}
    policy = "ml-training/NetworkPolicy/trainer-egress"
    assert (
        "MLF-K8S-063",
        policy,
        f"MLF-K8S-063: {TRAINER_EGRESS} allows nets 0.0.0.0/0, i.e. every address",
    ) in found
    assert {(r, res) for r, res, m in found if r == "MLF-K8S-060" and TRAINER_EGRESS in m} == {
        ("MLF-K8S-060", policy),
        ("MLF-K8S-060", "ml-training/Deployment/trainer"),
    }
    assert len(found) == 3, found
