"""mlfence's YAML loader against Kubernetes' own conversion (sigs.k8s.io/yaml v1.6.0, built
from tests/oracles/k8syaml): a table of values where YAML readers disagree, and a generated
corpus of scalars and maps. Also what conftest's parser makes of the same table (documented in
docs/cli.md: where it differs, a violation can pass conftest)."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from conftest import ROOT, examples, run, tool
from mlfence.inputs import k8syaml
from mlfence.inputs.errors import InputError

ORACLE_SRC = ROOT / "tests" / "oracles" / "k8syaml"


@pytest.fixture(scope="session")
def k8syaml_oracle() -> Path:
    """The oracle binary, built once into a cache folder and rebuilt only when its sources change."""
    go = shutil.which("go")
    if go is None:
        pytest.skip("go is not installed: the Kubernetes YAML oracle cannot be built")
    cache = Path(os.environ.get("MLFENCE_ORACLE_CACHE", ROOT / ".cache" / "oracles"))
    binary = cache / "k8syaml"
    sources = [ORACLE_SRC / name for name in ("main.go", "go.mod", "go.sum")]
    if not binary.exists() or binary.stat().st_mtime < max(p.stat().st_mtime for p in sources):
        cache.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [go, "build", "-o", str(binary), "."],
            cwd=ORACLE_SRC,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        assert proc.returncode == 0, f"go build of the oracle failed:\n{proc.stderr}"
    return binary


def oracle(binary: Path, texts: list[str], mode: str = "") -> list[dict[str, Any]]:
    proc = subprocess.run(
        [str(binary), *([mode] if mode else [])],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    answers: list[dict[str, Any]] = json.loads(proc.stdout)
    assert len(answers) == len(texts)
    return answers


def mine(text: str) -> dict[str, Any]:
    try:
        found = k8syaml.load_one(text)
    except InputError as exc:
        return {"error": exc.message}
    return {"json": None if found is None else found[1]}


def canonical(value: Any) -> Any:
    """JSON values compared as JSON means them: numbers by value (Go writes 1.0 as 1), but a
    boolean is never a number (Python's True == 1)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    if isinstance(value, (int, float)):
        return ("number", float(value) if abs(value) > 2**53 or isinstance(value, float) else value)
    if isinstance(value, list):
        return ("list", [canonical(v) for v in value])
    return ("map", sorted((k, canonical(v)) for k, v in value.items()))


# Keys that differ only in type (1 and "1") become one JSON key; Go keeps either at random, we
# refuse the document. And go-yaml decodes only 512 bytes ahead of what it parses, so it never
# sees a control character that follows the first document of a piece, while libyaml reads 16
# KiB ahead and refuses it: mlfence fails closed there. Every other difference is a defect.
DELIBERATE = "differ only in type"
LOOKAHEAD = "control characters are not allowed"


def agree(go: dict[str, Any], py: dict[str, Any]) -> bool:
    if "error" in py and (DELIBERATE in py["error"] or (LOOKAHEAD in py["error"] and "error" not in go)):
        return True
    if ("error" in go) != ("error" in py):
        return False
    return "error" in go or canonical(go["json"]) == canonical(py["json"])


SCALARS = [
    "y",
    "Y",
    "yes",
    "Yes",
    "on",
    "ON",
    "n",
    "N",
    "no",
    "off",
    "Off",
    "true",
    "TRUE",
    "tRue",
    "~",
    "null",
    "",
    "2024-01-01",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10",
    "2024-1-1",
    "0777",
    "09",
    "0o17",
    "0x1F",
    "0b101",
    "-0b101",
    "+0x10",
    "1_000",
    "1__0",
    "1e3",
    "1E3",
    "1.5e-7",
    ".5",
    "+.5",
    "-.5",
    ".inf",
    "-.Inf",
    ".nan",
    "1e400",
    "-1e400",
    "1e-400",
    "99999999999999999999",
    "18446744073709551615",
    "+18446744073709551615",
    "-9223372036854775809",
    "9223372036854775807",
    "=",
    "<<",
    "!!binary aGVsbG8=",
    "!!binary /w==",
    "!!binary wyg=",
    "!!binary 'aGVs\nbG8='",
    "!!binary x",
    "!!str 123",
    "!!int '12'",
    "!!int x",
    "!!float 3",
    "!!float x",
    "! 123",
    "! yes",
    "!foo bar",
    "!!timestamp 2001-01-01",
    "!!timestamp 12",
    "!!null ''",
    "!!null x",
    "!!bool yes",
    "!!bool 1",
    '"y"',
    "'09'",
    "0.",
    "-0",
    "+12",
    "1:20",
    "190:20:30",
    "0x",
    "0o",
    "0b",
    "12e",
    "1.0",
    "100000000000000000000000.0",
    "0.1",
    "1_0.5",
    "._5",
    "0x_1F",
    "0b1_0",
    "- 1",
    "[y, n, ~]",
    "{y: n}",
    "'it''s'",
    '"\\u00e9\\t"',
    "|\n  literal y\n",
    ">\n  folded\n  y\n",
    "&a y",
    "0755",
    "-0x10",
    "+0b11",
    "1.2.3",
    "10.0.0.0/8",
    "0.0.0.0/0",
    "::/0",
    "8080",
    "'8080'",
    "TCP",
    "true # comment",
]

MAPS = [
    "a: 1\n<<: {a: 2}\n",
    "<<: [{a: 1}, {a: 2}]\n",
    "x: &x {a: 1}\ny:\n  <<: *x\n  a: 3\n",
    "x: &x {a: 1}\ny:\n  a: 3\n  <<: *x\n",
    "1: a\n1.5: b\n1e10: c\ntrue: d\nn: e\n",
    "~: a\n",
    "18446744073709551615: x\n",
    "a: &a [*a]\n",
    "1: a\n'1': b\n",
    "? [a]\n: b\n",
    "x: &a 1\n<<: *a\n",
    "a: *nope\n",
    "0.1: a\n1234567.0: b\n100000.0: c\n1e-5: d\n0.0001: e\n-0.0: f\n",
    "a: 1\na: 2\n",
    "'<<': {a: 1}\n",
    "!!merge <<: {a: 1}\n",
    "<<: ~\n",
    "<<: [1]\n",
    "x: &x [1]\n<<: *x\n",
    "a: !!binary |\n  aGVs\n  bG8=\n",
    "spec:\n  hostNetwork: y\n  hostPID: on\n  hostIPC: Y\n",
    "a: .inf\n",
    "- a\n- &b {c: 1}\n- *b\n",
    "a: b: c\n",
    "a:\n- b\n  c\n",
    "!!map {a: 1}\n",
    "!!seq [1]\n",
    "!!str {a: 1}\n",
    "x: &x {a: 1, <<: {b: 2}}\ny: {<<: [*x, {a: 9, c: 3}]}\n",
]


def test_oracle_table(k8syaml_oracle: Path) -> None:
    texts = [f"v: {value}\n" for value in SCALARS] + MAPS
    answers = oracle(k8syaml_oracle, texts)
    differences = [(text, go, mine(text)) for text, go in zip(texts, answers, strict=True) if not agree(go, mine(text))]
    assert differences == [], "\n".join(f"{t!r}: kubernetes {g} mlfence {p}" for t, g, p in differences)


def test_the_values_that_matter_for_rules() -> None:
    """Spelled out, so a reader sees what the oracle test protects without running Go."""
    doc = mine("spec:\n  hostNetwork: y\n  hostPID: on\n  when: 2024-01-01\n  mode: 0755\n  port: 09\n")["json"]
    assert doc == {"spec": {"hostNetwork": True, "hostPID": True, "when": "2024-01-01", "mode": 493, "port": 9}}
    # A merge key overrides the keys written before it (yaml.v2), unlike in the YAML spec.
    assert mine("hostNetwork: false\n<<: {hostNetwork: true}\n")["json"] == {"hostNetwork": True}


# Plain scalars built from the characters that steer YAML 1.1 resolution.
PLAIN_PIECES = [
    "y",
    "n",
    "Y",
    "yes",
    "on",
    "off",
    "0",
    "1",
    "7",
    "9",
    "x",
    "e",
    "E",
    ".",
    "-",
    "+",
    "_",
    ":",
    "b",
    "o",
    "O",
    "inf",
    "nan",
    "~",
    "T",
    " ",
    "2024-01-02",
    "<<",
]
# Characters that end or nest a plain scalar inside a flow collection.
FLOW_SPECIAL = ",[]{}:#&*!"


def _is_plain(s: str) -> bool:
    """Whether s is read back as one plain scalar after `key: ` or `- `."""
    return s.strip() == s and not s.startswith(("- ", "? ", ": ")) and ": " not in s and " #" not in s


def _as_plain(s: str) -> str:
    """s if it is a plain scalar; otherwise s with the spaces that break it removed. Every plain
    scalar maps to itself, so the strategies below reach exactly the scalars a filter on _is_plain
    kept, without drawing and discarding the others (hypothesis retrying that filter, and giving
    up on whole corpora, was most of this file's CPU)."""
    while not _is_plain(s):
        s = s.strip().replace(": ", ":").replace(" #", "#")
        if s.startswith(("- ", "? ", ": ")):
            s = s[0] + s[2:]
    return s or "~"  # only " " strips to nothing; the pieces never join to ""


def _plain(pieces: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), min_size=1, max_size=5).map("".join).map(_as_plain)


plain = _plain(PLAIN_PIECES)
# The plain scalars without a flow special character: those joined from the pieces without one.
flow_plain = _plain([p for p in PLAIN_PIECES if not any(c in p for c in FLOW_SPECIAL)])
tags = st.sampled_from(["", "", "", "!!str ", "!!int ", "!!float ", "!!bool ", "!!null ", "!!timestamp ", "! "])
# Every code point but the surrogates (Cs) encodes to UTF-8, so no `codec="utf-8"`: the same
# characters (hypothesis builds the identical interval set), without hypothesis encoding all
# 1.1 million code points to find them in each fresh clone (~1.2 s CPU).
quoted = st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), max_size=8).map(json.dumps)
scalar_text = st.one_of(st.builds(lambda t, s: t + s, tags, plain), quoted)
KEY_WORDS = ["a", "b", "spec", "hostNetwork", "1", "1.5", "true", "<<"]
keys = st.one_of(plain, st.sampled_from(KEY_WORDS))
FLOW_KEYS = st.sampled_from([k for k in KEY_WORDS if not any(c in k for c in FLOW_SPECIAL)])


@st.composite
def yaml_maps(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 5))):
        key = draw(keys)
        if draw(st.booleans()):
            lines.append(f"{key}: {draw(scalar_text)}")
        else:
            lines.append(f"{key}:")
            lines.extend(f"  {draw(keys)}: {draw(scalar_text)}" for _ in range(draw(st.integers(1, 3))))
    return "\n".join(lines) + "\n"


# Flow collections with anchors, aliases (defined or not, even to an enclosing node) and merge
# keys: the corners where go-yaml and the YAML spec part ways.
flow_scalars = st.one_of(flow_plain, quoted)
anchors = st.sampled_from(["a", "b", "c"])


def _flow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(st.one_of(flow_plain, FLOW_KEYS, st.just("<<")), children).map(lambda kv: f"{kv[0]}: {kv[1]}")
    return st.one_of(
        st.lists(children, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(pair, max_size=4).map(lambda xs: "{" + ", ".join(xs) + "}"),
        st.tuples(anchors, children).map(lambda t: f"&{t[0]} {t[1]}"),
    )


flow_nodes = st.recursive(st.one_of(flow_scalars, anchors.map(lambda a: f"*{a}")), _flow, max_leaves=12)


# Examples per property: each is a list of 20 to 180 texts (drawing them is most of the CPU, ~0.2 s
# an example). CI's derandomised run checks the same 10 lists (~1,000 texts a property) every
# time; a local run draws new ones, 25 of them; MLFENCE_EXAMPLES overrides both.
YAML_EXAMPLES = int(os.environ.get("MLFENCE_EXAMPLES") or examples(ci=10, dev=25, full=100))

# The failure message names every text that disagrees; shrinking a list of a hundred texts,
# one Go process per step, would take minutes and add nothing.
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)


@st.composite
def corpora(draw: st.DrawFn) -> list[str]:
    singles = draw(st.lists(scalar_text.map(lambda s: f"v: {s}\n"), min_size=20, max_size=60))
    maps = draw(st.lists(yaml_maps(), min_size=20, max_size=60))
    flows = draw(st.lists(flow_nodes.map(lambda n: f"v: {n}\n"), min_size=20, max_size=60))
    return singles + maps + flows


@settings(
    max_examples=YAML_EXAMPLES,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    phases=NO_SHRINK,
)
@given(corpora())
@example(["v: 1__0\n", "v: +0b1\n", "v: 0o\n", "v: 2024-01-02T\n", "v: ! <<\n", "<<: \n"])
def test_generated_corpus_matches_kubernetes(k8syaml_oracle: Path, texts: list[str]) -> None:
    """Each generated text: mlfence reads it as Kubernetes does, and the one-pass decoder either
    declines it or gives exactly the full decoder's value (one_pass_agrees). Both properties take
    the same corpus, so hypothesis draws it once for both (drawing is most of their CPU)."""
    answers = oracle(k8syaml_oracle, texts)
    wrong = [(text, go) for text, go in zip(texts, answers, strict=True) if not agree(go, mine(text))]
    assert wrong == [], "\n".join(f"{t!r}: kubernetes {g} mlfence {mine(t)}" for t, g in wrong)
    assert [t for t in texts if not one_pass_agrees(t)] == []


def one_pass_agrees(text: str) -> bool:
    """The one-pass decoder either declines a document or gives exactly the full decoder's value
    (types included: json.dumps tells True from 1)."""
    try:
        fast = k8syaml._load_plain(text)
    except k8syaml._NotPlain:
        return True
    full = k8syaml.load_full(text)
    return json.dumps(fast) == json.dumps(full)


def test_one_pass_decoder_agrees_with_the_full_one() -> None:
    texts = (
        [f"v: {value}\n" for value in SCALARS]
        + MAPS
        + ["a: 1\nb: [x, {c: d}]\na: 2\n", "- 1\n- [2, [3]]\n", "k: v\n", "plain text\n", "~\n", "'x': y\n"]
    )
    assert [t for t in texts if not one_pass_agrees(t)] == []
    declined = sum(1 for t in texts if not _plain(t))
    assert 0 < declined < len(texts)  # both paths are exercised by the table


def _plain(text: str) -> bool:
    try:
        k8syaml._load_plain(text)
    except k8syaml._NotPlain:
        return False
    return True


def test_go_float32_key_format() -> None:
    assert [k8syaml.go_float32_g(v) for v in (1.5, 1e10, 1234567.0, 100000.0, 1e-5, 0.0001, 0.1, -2.5)] == [
        "1.5",
        "1e+10",
        "1.234567e+06",
        "100000",
        "1e-05",
        "0.0001",
        "0.1",
        "-2.5",
    ]
    assert k8syaml.go_float32_g(math.inf) == ".inf"


def stream_agrees(go: dict[str, Any], text: str) -> bool:
    """kubectl stops at the first broken document (losing the one it was collecting when the
    broken one is a bad `---` line); mlfence reports it and reads on. Both must see an error or
    neither; without one the documents are the same, with one kubectl's documents are the first
    of mlfence's."""
    parsed = list(k8syaml.load_stream(text))
    first_error = next((i for i, p in enumerate(parsed) if p.error is not None), len(parsed))
    mine = [p.value for p in parsed[:first_error]]
    message = parsed[first_error].error.message if first_error < len(parsed) else ""  # type: ignore[union-attr]
    if DELIBERATE in message or LOOKAHEAD in message:
        return True  # refused where kubectl may accept: fail closed (see DELIBERATE, LOOKAHEAD)
    theirs = go.get("documents", [])
    if "error" in go:
        return first_error < len(parsed) and canonical(mine[: len(theirs)]) == canonical(theirs)
    return first_error == len(parsed) and canonical(mine) == canonical(theirs)


STREAMS = [
    "a: 1\n---\nb: 2\n",
    "a: 1\n--- # c\nb: y\n",
    "a: 1\n---x\nb: 2\n",
    "a: 1\n--- {b: 2}\n",
    "a: 1\n----\n",
    "---\n---\na: 1\n---\n",
    "a: 1\n...\nb: 2\n",
    "a: 1\r\n---\r\nb: 2\r\n",
    "a: 1\f---\nb: 2\n",
    'a: "x\u2028---"\nb: 2\n',
    "a: |\n  x\n---\nb: 2\n",
    "# only a comment\n",
    "",
    "---",
    "a: 1\n---   \n\nb: 2",
    "a: [1,\n---\nb: 2\n",
    "a: 1\n---\n- x\n",
    "a: 1\n--- #\n",
    " ---\na: 1\n",
]


def test_oracle_streams_split_as_kubectl_splits(k8syaml_oracle: Path) -> None:
    answers = oracle(k8syaml_oracle, STREAMS, "stream")
    wrong = [(text, go) for text, go in zip(STREAMS, answers, strict=True) if not stream_agrees(go, text)]
    assert wrong == [], "\n".join(f"{t!r}: kubectl {g} mlfence {list(k8syaml.load_stream(t))}" for t, g in wrong)


stream_lines = st.one_of(
    st.sampled_from(
        [
            "---",
            "--- # note",
            "---x",
            "--- a: 1",
            "...",
            "",
            "#c",
            "a: 1",
            "b: y",
            "- 1",
            "c: [1,",
            "d: 2024-01-01",
            "  e: 3",
            "f: &a {g: 1}",
            "h: *a",
            "<<: *a",
            "---\t",
            "----",
        ]
    ),
    yaml_maps().map(str.rstrip),
)
line_ends = st.sampled_from(["\n", "\n", "\n", "\r\n", "\u2028", "\x85", "\f\n"])


@settings(
    max_examples=YAML_EXAMPLES,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    phases=NO_SHRINK,
)
@given(
    st.lists(
        st.lists(st.tuples(stream_lines, line_ends).map("".join), max_size=8).map("".join), min_size=20, max_size=40
    )
)
def test_generated_streams_split_as_kubectl_splits(k8syaml_oracle: Path, texts: list[str]) -> None:
    texts = [t for t in texts if not t.lstrip().startswith("{")]  # JSON streams: see the table above
    wrong = [
        (text, go)
        for text, go in zip(texts, oracle(k8syaml_oracle, texts, "stream"), strict=True)
        if not stream_agrees(go, text)
    ]
    assert wrong == [], "\n".join(f"{t!r}: kubectl {g} mlfence {list(k8syaml.load_stream(t))}" for t, g in wrong)


PARSE_ERROR_PATH = re.compile(r", path: (\S+)\s*$")


def conftest_parse(paths: list[Path]) -> dict[Path, dict[str, Any]]:
    """`conftest parse` of each file, {"json": value} or {"error": stderr}, in a few processes
    instead of one per file: one run parses them all; a file conftest cannot convert ends the run
    with an error naming its path, which is that file's answer, and the others are parsed again
    without it (with one file left, conftest prints its value rather than a map by path)."""
    answers: dict[Path, dict[str, Any]] = {}
    pending = list(paths)
    while pending:
        proc = run([tool("conftest"), "parse", *map(str, pending)])
        if proc.returncode == 0:
            values = json.loads(proc.stdout)
            for path in pending:
                answers[path] = {"json": values if len(pending) == 1 else values[str(path)]}
            break
        named = PARSE_ERROR_PATH.search(proc.stderr)
        failed = Path(named.group(1)) if named else pending[0] if len(pending) == 1 else None
        assert failed in pending, proc.stderr
        answers[failed] = {"error": proc.stderr}
        pending.remove(failed)
    return answers


def test_conftest_reads_the_table_as_kubernetes_does(k8syaml_oracle: Path, tmp_path: Path) -> None:
    """conftest converts each document with sigs.k8s.io/yaml too: on every value of the table it
    agrees with Kubernetes (so `hostNetwork: y` fails in conftest as well)."""
    texts = [f"v: {value}\n" for value in SCALARS] + MAPS
    paths = [tmp_path / f"{i:03d}.yaml" for i in range(len(texts))]
    for path, text in zip(paths, texts, strict=True):
        path.write_text(text)
    parsed = conftest_parse(paths)
    differences = []
    for path, text, go in zip(paths, texts, oracle(k8syaml_oracle, texts), strict=True):
        seen = parsed[path]
        if DELIBERATE in mine(text).get("error", ""):
            continue  # keys that collide: both Go programs keep one at random
        if not agree(go, seen):
            differences.append((text, go, seen))
    assert differences == []


def test_conftest_splits_documents_differently(tmp_path: Path) -> None:
    """Where conftest differs from kubectl: it does not take `--- # comment` as a separator, so
    the object after it is never checked by conftest, while kubectl applies it (docs/deploy.md
    names the workaround). mlfence splits as kubectl does."""
    path = tmp_path / "two.yaml"
    path.write_text(
        "kind: ConfigMap\napiVersion: v1\nmetadata: {name: c}\n--- # the pod\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostNetwork: true}\n"
    )
    proc = run([tool("conftest"), "parse", str(path)])
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["kind"] == "ConfigMap"  # one document: the Pod is gone
    kinds = [v["kind"] for v in (p.value for p in k8syaml.load_stream(path.read_text()))]
    assert kinds == ["ConfigMap", "Pod"]
