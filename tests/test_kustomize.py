"""Kustomize trees rendered with the pinned `kustomize build` (mlfence.kustomize): root
kustomizations are built, the files they read are not scanned again, findings point at the
origin file and the kustomization, a broken kustomization is one skipped input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import MLFENCE, cli_in_process, run
from mlfence import documents, kustomize

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {team: ml}
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
"""
# A strategic-merge patch: not an object of its own (it has no spec.template, no namespace).
PATCH = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
"""
OPEN_EGRESS = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: open-egress}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{protocol: TCP, port: 443}]}]
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A base, two overlays on it (one with a patch file and a generator) and a plain file."""
    return write(
        tmp_path / "repo",
        {
            "app/base/kustomization.yaml": "resources: [deploy.yaml, egress.yaml]\n",
            "app/base/deploy.yaml": DEPLOYMENT,
            "app/base/egress.yaml": OPEN_EGRESS,
            "app/prod/kustomization.yaml": "namespace: prod\nnamePrefix: prod-\nresources: [../base]\n"
            "patches: [{path: replicas.yaml}]\n"
            "configMapGenerator: [{name: cfg, literals: [a=b]}]\n",
            "app/prod/replicas.yaml": PATCH,
            "app/dev/Kustomization": "namespace: dev\nresources: [../base]\n",
            "plain/policy.yaml": OPEN_EGRESS.replace("open-egress}", "open-egress, namespace: plain}"),
        },
    )


def check(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, dict, str]:
    """`mlfence check` in-process (conftest.cli_in_process)."""
    proc = cli_in_process("check", "-q", "--format", "json", *args, cwd=cwd, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else {}, proc.stderr


def test_overlays_are_rendered_and_their_inputs_not_read_again(tree: Path) -> None:
    loaded = documents.load([str(tree)])
    assert not [p for p in loaded.problems if p.fatal], loaded.problems
    seen = sorted(
        (d.kustomization, d.content["kind"], d.content["metadata"].get("namespace", ""), d.content["metadata"]["name"])
        for d in loaded.documents
    )
    root = str(tree)
    assert seen == [
        ("", "NetworkPolicy", "plain", "open-egress"),
        (f"{root}/app/dev", "Deployment", "dev", "web"),
        (f"{root}/app/dev", "NetworkPolicy", "dev", "open-egress"),
        (f"{root}/app/prod", "ConfigMap", "prod", "prod-cfg-4h2mbtbbt6"),
        (f"{root}/app/prod", "Deployment", "prod", "prod-web"),
        (f"{root}/app/prod", "NetworkPolicy", "prod", "prod-open-egress"),
    ]
    prod_web = next(d for d in loaded.documents if d.content["metadata"]["name"] == "prod-web")
    assert prod_web.content["spec"]["replicas"] == 3  # the patch applied, not scanned on its own
    assert prod_web.path == f"{root}/app/base/deploy.yaml"
    # The origin annotation mlfence asked for is gone; the object's own annotation stays.
    assert prod_web.content["metadata"]["annotations"] == {"team": "ml"}
    generated = next(d for d in loaded.documents if d.content["kind"] == "ConfigMap")
    assert generated.path == f"{root}/app/prod/kustomization.yaml"
    assert "annotations" not in generated.content["metadata"]


def test_findings_point_at_origin_file_and_kustomization(tree: Path, tmp_path: Path) -> None:
    # One real process (the console script) prints the table and writes the JSON report.
    proc = run([MLFENCE, "check", "-q", ".", "--json", str(tmp_path / "report.json")], cwd=tree)
    assert "Traceback" not in proc.stderr, proc.stderr
    code, report, table = proc.returncode, json.loads((tmp_path / "report.json").read_text()), proc.stdout
    assert code == 1
    egress = sorted(
        (f["file"], f["line"], f.get("kustomization", ""), f["resource"])
        for f in report["findings"]
        if f["rule_id"] == "MLF-K8S-001"
    )
    assert egress == [
        ("app/base/egress.yaml", 1, "app/dev", "dev/NetworkPolicy/open-egress"),
        ("app/base/egress.yaml", 1, "app/prod", "prod/NetworkPolicy/prod-open-egress"),
        ("plain/policy.yaml", 1, "", "plain/NetworkPolicy/open-egress"),
    ]
    assert not [f for f in report["findings"] if f["file"].endswith("replicas.yaml")]
    assert report["summary"]["skipped_documents"] == 0  # kustomization files are not documents
    assert "app/base/egress.yaml:1  [kustomize build app/prod]" in table


def test_no_kustomize_reads_the_files_as_they_are(tree: Path) -> None:
    _, report, _ = check(".", "--no-kustomize", cwd=tree)
    assert not any(f.get("kustomization") for f in report["findings"])
    assert {f["file"] for f in report["findings"]} >= {"app/base/egress.yaml", "plain/policy.yaml"}
    # The settings key says the same; the command line wins over it.
    (tree / ".mlfence.yaml").write_text("kustomize: {render: false}\n")
    _, from_settings, _ = check(".", cwd=tree)
    assert from_settings["findings"] == report["findings"]
    _, forced, _ = check(".", "--kustomize", cwd=tree)
    assert any(f.get("kustomization") for f in forced["findings"])


def test_broken_kustomization_is_one_skipped_input(tree: Path) -> None:
    write(tree, {"broken/kustomization.yaml": "resources: [missing.yaml]\n"})
    code, report, _ = check(".", cwd=tree)
    assert code == 1  # the rest of the scan still reports (its findings fail the run)
    skipped = [e for e in report["errors"] if e["file"] == "broken"]
    assert len(skipped) == 1 and not skipped[0]["fatal"]
    assert skipped[0]["message"].startswith("kustomize build failed: ")
    assert "missing.yaml" in skipped[0]["message"] and "\n" not in skipped[0]["message"]
    assert report["summary"]["input_errors"] == 0
    assert {f.get("kustomization") for f in report["findings"]} >= {"app/prod", "app/dev"}


def test_failed_overlay_falls_back_to_its_bases(tmp_path: Path) -> None:
    """An overlay that cannot be built (here a missing patch) is reported, and the base it names
    is built in its place rather than left unscanned."""
    root = write(
        tmp_path,
        {
            "base/kustomization.yaml": "resources: [egress.yaml]\n",
            "base/egress.yaml": OPEN_EGRESS,
            "overlay/kustomization.yaml": "namespace: x\nresources: [../base]\npatches: [{path: gone.yaml}]\n",
        },
    )
    tree = kustomize.render_tree([root / "overlay", root / "base"])
    assert [str(f) for f, _ in tree.failed] == [str(root / "overlay")]
    assert [str(f) for f, _ in tree.built] == [str(root / "base")]


def test_components_and_plain_files_beside_a_kustomization(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "app/kustomization.yaml": "resources: [egress.yaml]\ncomponents: [../component]\n",
            "app/egress.yaml": OPEN_EGRESS,
            "app/notes.yaml": "kind: ReleaseNotes\nmetadata: {name: v1}\n",  # named by no kustomization
            "component/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
            "patches: [{path: p.yaml}]\n",
            "component/p.yaml": "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
            "metadata: {name: open-egress, labels: {by: component}}\n",
            "lone/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
        },
    )
    loaded = documents.load([str(root)])
    assert sorted(Path(d.path).name for d in loaded.documents) == ["egress.yaml", "notes.yaml"]
    egress = next(d for d in loaded.documents if d.path.endswith("egress.yaml"))
    assert egress.content["metadata"]["labels"] == {"by": "component"}  # the component's patch applied
    notes = [p for p in loaded.problems if not p.fatal]
    assert [(Path(p.path).name, "Component" in p.message) for p in notes] == [("lone", True)]


def test_unused_patch_files_beside_a_kustomization_are_not_objects(tmp_path: Path) -> None:
    """kubebuilder's default/ folder: manager_*_patch.yaml files its kustomization leaves commented
    out (apps/v1 Deployments without spec.selector, in the placeholder namespace `system`) are
    read as plain files but are patches, not objects; a whole object beside them is judged."""
    fragment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: controller-manager, namespace: system}\n" + (
        "spec:\n  template:\n    spec:\n      containers: [{name: proxy, image: kube-rbac-proxy}]\n"
    )
    root = write(
        tmp_path,
        {
            "default/kustomization.yaml": "resources: [egress.yaml]\n#patchesStrategicMerge: [manager_patch.yaml]\n",
            "default/egress.yaml": OPEN_EGRESS,
            "default/manager_patch.yaml": fragment,
            "default/whole.yaml": fragment.replace("spec:\n", "spec:\n  selector: {matchLabels: {app: m}}\n", 1),
            "elsewhere/manager.yaml": fragment,  # no kustomization: a hand-written object, judged
        },
    )
    _, report, _ = check(".", cwd=root)
    files = {f["file"] for f in report["findings"]}
    assert "default/manager_patch.yaml" not in files
    assert {"default/whole.yaml", "elsewhere/manager.yaml"} <= files
    # Without rendering the same files are read the same way.
    _, raw, _ = check(".", "--no-kustomize", cwd=root)
    assert "default/manager_patch.yaml" not in {f["file"] for f in raw["findings"]}
    assert "elsewhere/manager.yaml" in {f["file"] for f in raw["findings"]}


def test_missing_kustomize_is_one_error(tree: Path) -> None:
    code, _, err = check(".", cwd=tree, env={"MLFENCE_KUSTOMIZE": str(tree / "no-such-kustomize")})
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "kustomize" in lines[0] and "--no-kustomize" in lines[0], err
    # Without kustomizations in the scan, kustomize is not needed.
    code, _, err = check("plain", cwd=tree, env={"MLFENCE_KUSTOMIZE": str(tree / "no-such-kustomize")})
    assert code == 1, err


def test_reach_renders_kustomizations(tree: Path) -> None:
    proc = cli_in_process("reach", "--format", "json", ".", cwd=tree)
    assert proc.returncode == 0, proc.stderr
    model = json.loads(proc.stdout)
    names = json.dumps(model)
    assert "prod/Deployment/prod-web" in names and "dev/Deployment/web" in names
    assert '/Deployment/web"' not in names.replace('dev/Deployment/web"', "")  # no namespace-less raw copy


def test_strip_added_keeps_everything_else() -> None:
    content = yaml.safe_load(DEPLOYMENT)
    annotated = {
        **content,
        "metadata": {**content["metadata"], "annotations": {"team": "ml", kustomize.ORIGIN: "path: x.yaml\n"}},
    }
    assert kustomize.strip_added(annotated) == content
    bare = {**content, "metadata": {"name": "web", "annotations": {kustomize.ORIGIN: "path: x.yaml\n"}}}
    assert kustomize.strip_added(bare)["metadata"] == {"name": "web"}


# --- Helm: --set, --namespace and a release name, per run and per chart -------------------------

CHART_NETWORK_POLICY = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .Release.Name }}-egress
  namespace: {{ .Release.Namespace }}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: {{ .Values.cidr }}}}], ports: [{protocol: TCP, port: 443}]}]
"""


@pytest.fixture
def chart_repo(tmp_path: Path) -> Path:
    return write(
        tmp_path / "repo",
        {
            "charts/egress/Chart.yaml": "apiVersion: v2\nname: egress\nversion: 0.1.0\n",
            "charts/egress/values.yaml": "cidr: 10.0.0.0/8\n",
            "charts/egress/templates/np.yaml": CHART_NETWORK_POLICY,
            "charts/egress/values-open.yaml": "cidr: 0.0.0.0/0\n",
            "charts/egress/templates/deploy.yaml": DEPLOYMENT.replace(
                "name: web\n", "name: {{ .Release.Name }}\n  namespace: {{ .Release.Namespace }}\n", 1
            ),
        },
    )


def egress_resources(report: dict) -> list[str]:
    return sorted(f["resource"] for f in report["findings"] if f["rule_id"] == "MLF-K8S-001")


def test_helm_set_namespace_and_release_on_the_command_line(chart_repo: Path) -> None:
    code, report, _ = check("charts/egress", cwd=chart_repo)
    assert egress_resources(report) == []  # values.yaml keeps egress internal
    code, report, _ = check(
        "charts/egress", "--set", "cidr=0.0.0.0/0", "--namespace", "ml-serving", "--release", "web", cwd=chart_repo
    )
    assert code == 1
    assert egress_resources(report) == ["ml-serving/NetworkPolicy/web-egress"]
    # --set comes after --values, as in helm.
    _, report, _ = check(
        "charts/egress", "--values", "charts/egress/values-open.yaml", "--set", "cidr=10.0.0.0/8", cwd=chart_repo
    )
    assert egress_resources(report) == []


def test_helm_chart_settings(chart_repo: Path) -> None:
    (chart_repo / ".mlfence.yaml").write_text(
        "helm:\n  charts:\n    - path: charts/egress\n      release: inference\n      namespace: ml\n"
        "      values: [charts/egress/values-open.yaml]\n"
    )
    _, report, _ = check(".", cwd=chart_repo)
    assert egress_resources(report) == ["ml/NetworkPolicy/inference-egress"]
    # The command line's options replace the chart's release and namespace, and its --set wins.
    _, report, _ = check(".", "--release", "other", "--namespace", "x", cwd=chart_repo)
    assert egress_resources(report) == ["x/NetworkPolicy/other-egress"]
    _, report, _ = check(".", "--set", "cidr=10.0.0.0/8", cwd=chart_repo)
    assert egress_resources(report) == []
    # reach reads the same settings.
    proc = cli_in_process("reach", "--format", "json", ".", cwd=chart_repo)
    assert proc.returncode == 0, proc.stderr
    assert "ml/Deployment/inference" in json.loads(proc.stdout)["workloads"]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            "helm:\n  charts:\n    - path: charts/none\n",
            ".mlfence.yaml:3: helm.charts[0].path: charts/none is not a Helm",
        ),
        (
            "helm:\n  charts:\n    - path: charts/egress\n      values: [nope.yaml]\n",
            ".mlfence.yaml:4: helm.charts[0].values[0]: no such file",
        ),
        ("helm:\n  charts:\n    - path: charts/egress\n      release: Not_A_Name\n", "helm.charts[0].release"),
        ("kustomize: {render: maybe}\n", "kustomize.render"),
    ],
)
def test_bad_rendering_settings_exit_2(chart_repo: Path, settings: str, message: str) -> None:
    (chart_repo / ".mlfence.yaml").write_text(settings)
    code, _, err = check(".", cwd=chart_repo)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
