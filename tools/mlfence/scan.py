"""Evaluates loaded documents with the real OPA: one process for the whole run, or a few in
parallel: each answers for every n-th document, all of them build the same inventory from the
documents the cross-object parts read, which every process is given; or, for a scan whose rules
read no namespace but the judged object's own (namespace_shards), each answers for whole
namespaces and holds only their documents and those every namespace may read."""

from __future__ import annotations

import codecs
import json
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlfence import gatekeeper, namespace_shards, policy_subset, toolchain
from mlfence.documents import Document, OriginLines
from mlfence.errors import MlfenceError
from mlfence.inputs import reading
from mlfence.inputs.errors import InputError
from mlfence.levels import SEVERITY_ORDER

if TYPE_CHECKING:  # imported when a server is started: its HTTP client costs ~0.01 s at start-up
    from mlfence import scan_server


class ScanError(MlfenceError, RuntimeError):
    """OPA could not evaluate the policy (a broken policy or data folder, not bad input)."""


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: str
    status: str
    title: str
    message: str
    file: str
    line: int
    resource: str
    remediation: str
    template: str = ""
    exemption: dict[str, Any] | None = None
    # Where the finding was read from when `file`/`line` point elsewhere: the plan JSON of a
    # Terraform finding mapped to its .tf source (tfsource). Empty: `file` is the input itself.
    input_file: str = ""
    input_line: int = 0
    attribute: str = ""  # the attribute whose line `line` is, when the finding names one
    end_line: int = 0  # last line of the resource block, when mapped to a .tf source
    fingerprint: str = ""  # baseline.fingerprint: stable across line moves
    kustomization: str = ""  # the kustomization folder whose `kustomize build` rendered the object
    document: int = -1  # index of the scanned document it was found in
    # The message without the rule ID (the finding's `text`, policy/lib/mlfence/result.rego):
    # for reports that carry rule_id in a field of their own. `message` is the same as conftest
    # and Gatekeeper print it, with the ID in front.
    text: str = ""

    @property
    def origin(self) -> str:
        """The scanned input this finding came from (the plan for a mapped Terraform finding)."""
        return self.input_file or self.file

    suppression: dict[str, Any] | None = None  # an inline suppression mark naming the rule

    def as_dict(self) -> dict[str, Any]:
        out = {
            "rule_id": self.rule_id,
            "severity": self.severity,
            "status": self.status,
            "title": self.title,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "resource": self.resource,
            "remediation": self.remediation,
        }
        if self.template:
            out["template"] = self.template
        if self.exemption:
            out["exemption"] = self.exemption
        if self.input_file:
            out["input"] = {"file": self.input_file, "line": self.input_line}
        if self.attribute:
            out["attribute"] = self.attribute
        if self.fingerprint:
            out["fingerprint"] = self.fingerprint
        if self.suppression:
            out["suppression"] = self.suppression
        if self.kustomization:
            out["kustomization"] = self.kustomization
        return out


@dataclass(frozen=True)
class SkippedDocument:
    """A document that is neither a Kubernetes object nor a plan: listed by name, not only counted."""

    path: str
    line: int
    name: str


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    documents: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    unchanged_not_judged: int = 0  # unchanged Terraform resources nothing changed depends on
    skipped: list[SkippedDocument] = field(default_factory=list)


# Each OPA process first parses and compiles the policy and loads the data (~0.4 s by `opa eval
# --metrics` here): small runs keep one process.
DOCUMENTS_PER_JOB = 150
# Plans evaluated by one server (started_early) share its one compile and share nothing with each
# other (no inventory, no context documents), so a second shard costs next to nothing and halves
# the wall time of the evaluation: the bench corpus's 200 plans ran as one shard on one core.
PLANS_PER_JOB_ON_A_SERVER = 10


def job_count(documents: int, requested: int | None, per_job: int = DOCUMENTS_PER_JOB) -> int:
    """OPA processes (or server requests) for a run: `requested` (at most one per document), else
    one per CPU but no more than the documents justify (`per_job` each)."""
    if requested:
        return max(1, min(requested, documents))
    return max(1, min(os.cpu_count() or 1, 8, documents // per_job))


def _entry(index: int, doc: Document, namespace_for: Callable[[str], str] | None = None) -> dict[str, Any]:
    """A document for data.mlfence.scan. Helm renders a whole chart into one release namespace, so
    the namespace-less objects of one chart share a scope (policy/mlfence/scan.rego); others are
    scoped by their kustomization folder or file there (a rendered kustomization is applied as one,
    so its objects share its scope whichever file they came from), unless the settings file
    declares the namespace of their folder (`namespaces:`), which they are then judged in."""
    entry: dict[str, Any] = {"path": doc.path, "index": index, "document": doc.content}
    if doc.template and doc.path.endswith(doc.template):
        entry["scope"] = "helm:" + doc.path[: -len(doc.template)]
    elif doc.kustomization:
        entry["scope"] = "kustomize:" + doc.kustomization
    if doc.in_kustomize_tree:
        entry["kustomize_tree"] = True
    declared = namespace_for(doc.path) if namespace_for is not None and doc.path != "<stdin>" else ""
    if declared:
        entry["namespace"] = declared
    return entry


def _entry_json(index: int, doc: Document, namespace_for: Callable[[str], str] | None = None) -> str:
    """json.dumps(_entry(...)), with the document's own text when a reading worker already
    serialised this very content (Document.encoded): the same text, key for key."""
    entry = _entry(index, doc, namespace_for)
    if doc.encoded is None or doc.encoded[0] is not doc.content:
        return json.dumps(entry)
    head = json.dumps({"path": entry.pop("path"), "index": entry.pop("index")})[:-1]
    del entry["document"]
    tail = ", " + json.dumps(entry)[1:] if entry else "}"
    return head + ', "document": ' + doc.encoded[1] + tail


# The kinds of document the cross-object parts of policy/mlfence/scan.rego read: the layout reads
# Kustomizations; the inventory the synced kinds (gatekeeper.SYNCED), the workloads the
# declared-flow rules read (gatekeeper.MODEL_SYNCED), PeerAuthentications of any version and
# one ConfigMap. A superset by kind alone (any apiVersion), tested against the Rego's
# synced_kinds and model_synced_kinds. A process answering for some documents needs the others
# only when they are of these kinds.
CONTEXT_KINDS = frozenset(
    {
        "Kustomization",
        "PeerAuthentication",
        "ConfigMap",
        *(kind for _, _, kind in (*gatekeeper.SYNCED, *gatekeeper.MODEL_SYNCED)),
    }
)


def is_context(doc: Document) -> bool:
    """Whether another process's answers may depend on this document (see CONTEXT_KINDS)."""
    return isinstance(doc.content, dict) and doc.content.get("kind") in CONTEXT_KINDS


def shard_inputs(
    documents: list[Document], shards: int, namespace_for: Callable[[str], str] | None = None
) -> list[str]:
    """The input JSON of each of `shards` processes: process k gets the documents it answers for
    (index k modulo shards) and every context document, those another process answers for marked
    context_only (read, not answered), so every shard is evaluated with the same policy and data.
    Each document is serialised once; the big ones a scan usually carries (CRDs, Helm-rendered
    ConfigMaps of templates...) are parsed by one process instead of all of them."""
    entries = [_entry_json(i, d, namespace_for) for i, d in enumerate(documents)]
    context = [is_context(d) for d in documents]
    return [
        '{"documents":['
        + ",".join(
            e if i % shards == k else e[:-1] + ',"context_only":true}'
            for i, e in enumerate(entries)
            if i % shards == k or context[i]
        )
        + "]}"
        for k in range(shards)
    ]


def namespace_shard_inputs(
    documents: list[Document], plan: namespace_shards.Plan, namespace_for: Callable[[str], str] | None = None
) -> list[str]:
    """The input JSON of each shard of a namespace plan: the documents it holds, in document
    order, those it holds for another shard's answers marked context_only (read, not answered)."""
    entries = [_entry_json(i, d, namespace_for) for i, d in enumerate(documents)]
    out = []
    for k, held in enumerate(plan.held):
        parts = (entries[i] if plan.answers[i] == k else entries[i][:-1] + ',"context_only":true}' for i in held)
        out.append('{"documents":[' + ",".join(parts) + "]}")
    return out


def _targets(documents: list[Document]) -> set[str]:
    """The targets some document may belong to: a superset of what evaluate.rego's
    document_kind decides (a plan has a string format_version, an object or AdmissionReview a
    kind), so a document is never routed to rules that were left out."""
    out = set()
    for doc in documents:
        if isinstance(doc.content, dict):
            if "format_version" in doc.content:
                out.add("terraform")
            if "kind" in doc.content:
                out.add("kubernetes")
    return out


def _kinds(documents: list[Document]) -> set[str]:
    """Every kind the rule index may be asked about: an object's, an AdmissionReview's object's."""
    out = set()
    for doc in documents:
        content = doc.content
        if not isinstance(content, dict):
            continue
        if isinstance(content.get("kind"), str):
            out.add(content["kind"])
        request = content.get("request")
        obj = request.get("object") if isinstance(request, dict) else None
        if isinstance(obj, dict) and isinstance(obj.get("kind"), str):
            out.add(obj["kind"])
    return out


def policy_paths(policy: Path, documents: list[Document], data: Path) -> list[Path]:
    """The policy modules this scan needs (policy_subset): OPA parses and compiles every module
    it is given (~0.3 s CPU per process for all of them), whether it runs or not."""
    rules = policy_subset.kubernetes_rules(policy_subset.rule_index(data), _kinds(documents))
    try:
        return policy_subset.needed(policy, _targets(documents), _without_idle_flow_rules(policy, data, rules))
    except (OSError, ValueError) as exc:  # a policy folder without the scan, an unreadable module
        raise ScanError(f"cannot read the policy {policy}: {exc}") from None


def _without_idle_flow_rules(policy: Path, data: Path, rules: set[str] | None) -> set[str] | None:
    """The rule packages `rules` (None: all) less the declared-flow rules when the settings
    declare no flows: those judge nothing then (lib.mlfence.intent.enabled), yet each object they
    are routed to evaluated them (~6% of a Pod's CPU on the 100k corpus, bench/README.md section
    14). A rule left out of the compile is left out of the dispatch (evaluate.rego reads it as
    undefined), so the findings are the same."""
    if namespace_shards.flows_declared(data):
        return rules
    if rules is None:
        root = policy_subset.RULE_ROOTS["kubernetes"] + "."
        rules = {m.package for m in policy_subset.modules(policy) if m.package.startswith(root)}
    return rules - namespace_shards.FLOW_RULE_PACKAGES


# An OPA process given a small input spends about a third of its CPU collecting garbage while it
# parses and compiles the policy (ml-serving.yaml: 0.28-0.33 s CPU with Go's default GOGC=100,
# 0.20-0.22 s with GOGC=off; peak RSS 73 -> 107 MiB), and a medium one still a sixth (a Kubeflow
# shard, 8.6 MiB of input: 1.48 -> 1.25 s CPU with GOGC=400; peak RSS 237 -> 310 MiB). So: up
# to SMALL_INPUT_BYTES the collector is off until the heap nears GOMEMLIMIT (a bound, should a
# small input still need much memory), up to MEDIUM_INPUT_BYTES it runs a quarter as often;
# larger inputs (100k objects: ~30 MiB per shard, GBs of heap) keep Go's defaults, and a user's
# own GOGC/GOMEMLIMIT always win. The collector never changes an answer, only when memory is
# reclaimed. A namespace shard of 5,000 tiny objects is 1.5 MiB of input but evaluation, not
# compilation, allocates there: GOGC=off 12.2 s CPU at 1,068 MiB peak RSS, GOGC=400 12.8 s at
# 557 MiB, GOGC=100 13.9 s at 311 MiB (load 25), so "small" ends at 512 KiB.
SMALL_INPUT_BYTES = 2**19
MEDIUM_INPUT_BYTES = 16 * 2**20


def prepare_shards(
    documents: list[Document],
    policy: Path,
    data: Path,
    workers: int,
    namespace_for: Callable[[str], str] | None = None,
) -> tuple[list[str], bool]:
    """(the input JSON of each OPA process, whether they are split by namespace): by namespace
    when namespace_shards allows it for a scan that needs more than one process, else every
    process answers for every n-th document of `workers` (shard_inputs)."""
    large = workers > 1 or len(documents) > namespace_shards.DOCUMENTS_PER_SHARD
    sent = lean_documents(documents, data)
    if large and namespace_shards.eligible(documents, policy, data, _kinds(documents), namespace_for):
        plan = namespace_shards.plan(documents, workers, is_context)
        if plan is not None:
            return namespace_shard_inputs(sent, plan, namespace_for), True
    return shard_inputs(sent, workers, namespace_for), False


# What data.mlfence.scan reads of a document that no rule is routed to and no cross-object part
# reads (policy/mlfence/scan.rego): document_kind (apiVersion, kind), the namespace placement
# (metadata) and the patch test (a `$patch` key). Its answer, "kubernetes_object" without
# findings, depends on nothing else.
_LEAN_KEYS = ("apiVersion", "kind", "metadata", "$patch")


def lean_documents(documents: list[Document], data: Path) -> list[Document]:
    """The documents as OPA is sent them: one of a kind the rule index routes to no rule (and with
    no rule for every kind), that no cross-object part reads (CONTEXT_KINDS), neither a List,
    AdmissionReview nor a plan, carries only _LEAN_KEYS. The Kubeflow tree's 144 CRDs, their
    openAPIV3Schemas 13 of its 15.6 MB of OPA input, were parsed and held by OPA for an answer
    fixed by their kind (bench/README.md section 14). Without a usable rule index every rule
    runs on every document: all are sent whole."""
    index = policy_subset.rule_index(data)
    k8s = index.get("kubernetes") if isinstance(index, dict) else None
    if not isinstance(k8s, dict) or not isinstance(k8s.get("kinds"), dict) or k8s.get("any_kind"):
        return documents
    kept = k8s["kinds"].keys() | CONTEXT_KINDS | {"AdmissionReview"}
    return [_lean(d) if _judged_by_kind_alone(d.content, kept) else d for d in documents]


def _judged_by_kind_alone(content: Any, kept: set[str]) -> bool:
    return (
        isinstance(content, dict)
        and isinstance(content.get("kind"), str)
        and isinstance(content.get("apiVersion"), str)
        and content["kind"] not in kept
        and not content["kind"].endswith("List")  # its items are objects (policy/mlfence/lists.rego)
        and "format_version" not in content
    )


def _lean(doc: Document) -> Document:
    content = {key: doc.content[key] for key in _LEAN_KEYS if key in doc.content}
    return replace(doc, content=content, encoded=None)


# Inputs this large are worth an OPA server started before they are read (scan_server): its
# ~0.2-0.5 s CPU of parsing and compiling then overlaps the reading. A small input is read in
# milliseconds, and its exact module subset (policy_paths) is cheaper to compile than the
# superset an early start must take before any kind is known.
EARLY_START_BYTES = 2**20
# Files looked at to size the inputs. A tree with more is scanned in many shards (namespace
# shards of ~5,000 documents), each its own `opa eval` whose memory is returned when it exits:
# one server would hold two shards' garbage at once, for a saving (one compile) that is small
# beside such a scan.
_EARLY_START_FILES = 5000
# One server evaluates every shard at once, so its heap holds all of their garbage, where each
# `opa eval` held its own: the largest process grows with the documents evaluated (Kubeflow,
# 1,539 documents: 300 -> 435-540 MiB; 10,000 tiny objects in two namespace shards: 534 ->
# 1,390 MiB). Beyond this many documents, and for more shards than run at once (see
# _EARLY_START_FILES), the shards go to `opa eval` processes as before, whose memory is returned
# as each exits; the one compile saved matters little there.
SERVER_DOCUMENTS = 4000
SERVER_VARIABLE = "MLFENCE_OPA_SERVER"  # "off": always `opa eval` (to compare, or to debug)


def started_early(
    paths: list[str], exclude: list[str], policy: Path, data: Path, extra_data: dict[str, Any] | None
) -> scan_server.ScanServer | None:
    """An OPA server for a scan whose inputs are large, started before they are read, on every
    module the documents those files may hold could route to (terraform for a JSON file naming a
    format_version, kubernetes for any other file); None for a small scan, a tree of more than
    _EARLY_START_FILES files, standard input, or where servers are not used. A guess that
    proves too small once the documents are read costs the early start, never an answer
    (ScanServer.covers)."""
    from mlfence.inputs import walk

    if os.environ.get(SERVER_VARIABLE, "").lower() == "off":
        return None

    size, targets, files = 0, set(), 0
    for given in paths:
        if given == "-":
            continue
        root = Path(given)
        found = (
            (f.path for f in walk.walk(root, exclude) if not f.note and not f.chart and not f.kustomization)
            if root.is_dir()
            else [root]
        )
        for path in found:
            files += 1
            if files > _EARLY_START_FILES:
                return None
            try:
                size += path.stat().st_size
                # A plan names its format_version anywhere in the file (`terraform show -json |
                # jq -S` puts it in the middle); any other file is taken for Kubernetes objects.
                plan = path.suffix.lower() == ".json" and _names_format_version(path.read_bytes())
            except OSError:
                continue
            targets.add("terraform" if plan else "kubernetes")
    if size < EARLY_START_BYTES:
        return None
    from mlfence import scan_server

    if not scan_server.available():
        return None
    try:
        modules = policy_subset.needed(policy, targets, _without_idle_flow_rules(policy, data, None))
    except (OSError, ValueError):
        return None  # evaluate reports it
    shard_bytes = size // max(1, min(os.cpu_count() or 1, 8))
    return scan_server.ScanServer(modules, data, extra_data, go_gc_env(shard_bytes))


# Byte order marks of the UTF-16 and UTF-32 texts the reader decodes (mlfence.inputs.reading).
_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)


def _names_format_version(raw: bytes) -> bool:
    """Whether a file's bytes hold the key "format_version", also in UTF-16 or UTF-32 with a byte
    order mark (Windows PowerShell writes `terraform show -json > plan.json` so; one such plan
    taken for Kubernetes objects had the early server compile every Kubernetes rule too)."""
    if b'"format_version"' in raw:
        return True
    if not raw.startswith(_WIDE_BOMS):
        return False
    try:
        return '"format_version"' in reading.decode(raw)
    except InputError:
        return False


def go_gc_env(input_bytes: int) -> dict[str, str] | None:
    if toolchain.user_tunes_gc() or input_bytes > MEDIUM_INPUT_BYTES:
        return None
    if input_bytes > SMALL_INPUT_BYTES:
        return {"GOGC": "400"}
    return toolchain.compile_gc_env()


def evaluate(
    documents: list[Document],
    policy: Path,
    data: Path,
    extra_data: dict[str, Any] | None = None,
    jobs: int | None = None,
    namespace_for: Callable[[str], str] | None = None,
    server: scan_server.ScanServer | None = None,
) -> ScanResult:
    """Run data.mlfence.scan over every document, in `job_count` OPA processes at once, or as
    that many requests at once to `server` (started_early) when it loaded what they would.
    `namespace_for(path)` is the namespace declared for a file's folder ("" for none)."""
    result = ScanResult(documents=len(documents))
    if not documents:
        return result
    modules = policy_paths(policy, documents, data)
    server_fits = server is not None and len(documents) <= SERVER_DOCUMENTS
    server_covers = server_fits and server is not None and server.covers(modules, data, extra_data)
    plans_only = server_covers and _targets(documents) == {"terraform"}
    workers = job_count(len(documents), jobs, PLANS_PER_JOB_ON_A_SERVER if plans_only else DOCUMENTS_PER_JOB)
    inputs, _ = prepare_shards(documents, policy, data, workers, namespace_for)
    served: list[list[Any] | None] = [None] * len(inputs)
    if server is not None and (not server_fits or len(inputs) > workers):
        server.close()  # its memory and cores go to the opa eval processes
    elif server is not None and server_covers:
        timeout = toolchain.tool_timeout(600)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            served = list(pool.map(lambda text: server.answer(text, timeout), inputs))
    # What the server did not answer (none, or a failure it cannot explain) goes to `opa eval`,
    # whose errors are the ones a user reads.
    inputs = [text for text, value in zip(inputs, served, strict=True) if value is None]
    with tempfile.TemporaryDirectory(prefix="mlfence-scan-") as tmp:
        args = [
            "eval",
            "--format",
            "json",
            *(a for p in modules for a in ("-d", str(p))),
            "-d",
            str(data),
            "--ignore",
            "*_test.rego",
        ]
        if extra_data:
            extra = Path(tmp) / "extra" / "data.json"
            extra.parent.mkdir()
            extra.write_text(json.dumps(extra_data))
            args += ["-d", str(extra.parent)]
        shard_args = []
        gc_env = []
        for k, text in enumerate(inputs):
            input_path = Path(tmp) / f"input{k}.json"
            input_path.write_text(text)
            shard_args.append([*args, "--input", str(input_path)])
            gc_env.append(go_gc_env(len(text)))
        del inputs  # written: not held in memory while OPA runs
        with ThreadPoolExecutor(max_workers=workers) as pool:
            procs = list(
                pool.map(lambda a, e: toolchain.run("opa", *a, "data.mlfence.scan", env=e), shard_args, gc_env)
            )
    answers: list[dict[str, Any]] = [a for value in served if value is not None for a in value]
    for proc in procs:
        if proc.returncode != 0:
            raise ScanError(proc.stderr.strip() or proc.stdout.strip() or f"opa eval exited {proc.returncode}")
        try:
            answers += json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
        except (KeyError, IndexError, json.JSONDecodeError) as exc:
            raise ScanError(f"unexpected answer from opa eval: {proc.stdout[:200]!r}") from exc
    if sorted(a["index"] for a in answers) != list(range(len(documents))):
        raise ScanError(f"opa answered for {len(answers)} of {len(documents)} documents")
    origin_lines = OriginLines()
    # In document order whatever the sharding: findings equal under the sort key below (one file
    # rendered by several kustomizations) keep the order of one process, so --jobs never reorders.
    answers.sort(key=lambda a: a["index"])
    for answer in answers:
        doc = documents[answer["index"]]
        result.kinds[answer["input_kind"]] = result.kinds.get(answer["input_kind"], 0) + 1
        result.unchanged_not_judged += int(answer.get("unchanged_not_judged", 0))
        if answer["input_kind"] == "unrecognised":
            result.skipped.append(SkippedDocument(doc.path, doc.line, _describe(doc.content)))
            continue
        for f in answer["findings"]:
            result.findings.append(
                Finding(
                    rule_id=f["rule_id"],
                    severity=f["severity"],
                    status=f["status"],
                    title=f.get("title", ""),
                    message=f["message"],
                    text=f["text"],
                    file=doc.path,
                    line=origin_lines.line(doc),
                    resource=f.get("resource", ""),
                    remediation=f.get("remediation", ""),
                    template=doc.template,
                    exemption=f.get("exemption"),
                    suppression=f.get("suppression"),
                    kustomization=doc.kustomization,
                    document=answer["index"],
                )
            )
    result.skipped.sort(key=lambda s: (s.path, s.line))
    result.findings.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.rule_id, f.file, f.line, f.message))
    return result


def _describe(content: Any) -> str:
    """A short name for an unrecognised document: its kind and name when it has them."""
    if isinstance(content, dict):
        kind = content.get("kind")
        meta = content.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else None
        if isinstance(kind, str) and kind:
            return f"{kind}/{name}" if isinstance(name, str) and name else kind
        keys = sorted(str(k) for k in content)[:3]
        return "mapping with keys " + ", ".join(keys) if keys else "empty mapping"
    if isinstance(content, list):
        return f"list of {len(content)} items"
    return {str: "string", int: "number", float: "number", bool: "boolean"}.get(type(content), "document")
