"""Kustomize trees rendered with the pinned `kustomize build`, as they would be applied.

A folder scan that meets kustomizations renders the *root* ones (those no other kustomization
in the scan names as a resource, base or component) and reads the files they consume (resources,
patches, generator inputs, bases) no more: a patch is not an object, and a base rendered through
its overlay is not a second copy. Each root is built through a throwaway kustomization that
lists it as its only resource and asks for `buildMetadata: [originAnnotations]`, so every
rendered object says which file it came from; the added annotations are removed again before
the policy sees the object.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mlfence import toolchain
from mlfence.inputs import k8syaml, limits, reading
from mlfence.inputs.errors import InputError

MAX_REASON = 400
NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
ORIGIN = "config.kubernetes.io/origin"
# Annotations kustomize adds when asked for build metadata; never part of what is applied.
ADDED_ANNOTATIONS = (ORIGIN, "alpha.config.kubernetes.io/transformations")
# Entries that may name a kustomization folder (or a file) to build from.
FOLDER_KEYS = ("resources", "bases", "components", "generators", "transformers", "validators")
# Entries that name files only.
FILE_LIST_KEYS = ("patchesStrategicMerge", "crds", "configurations")
PATH_ITEM_KEYS = ("patches", "patchesJson6902", "replacements")
GENERATOR_KEYS = ("configMapGenerator", "secretGenerator")


def kustomization_file(folder: Path) -> Path | None:
    """The kustomization file of a folder, by the names kustomize itself accepts."""
    return next((folder / name for name in NAMES if (folder / name).is_file()), None)


def is_kustomization(folder: Path) -> bool:
    return kustomization_file(folder) is not None


def _remote(entry: str) -> bool:
    return "://" in entry or entry.startswith(("github.com/", "git@", "gitlab.com/", "bitbucket.org/"))


def _read(folder: Path) -> dict[str, Any]:
    """The kustomization of a folder, or {} when it cannot be read (kustomize says why later)."""
    file = kustomization_file(folder)
    if file is None:
        return {}
    try:
        parsed = k8syaml.load_one(reading.decode(reading.read_file(file)))
    except InputError:
        return {}
    return parsed[1] if parsed is not None and isinstance(parsed[1], dict) else {}


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _named_files(kustomization: dict[str, Any]) -> list[str]:
    """Every file name a kustomization gives outside its resource-like lists."""
    names: list[str] = []
    for key in FILE_LIST_KEYS:
        names += _strings(kustomization.get(key))
    for key in PATH_ITEM_KEYS:
        items = kustomization.get(key)
        names += [
            i["path"]
            for i in (items if isinstance(items, list) else [])
            if isinstance(i, dict) and isinstance(i.get("path"), str)
        ]
    for key in GENERATOR_KEYS:
        items = kustomization.get(key)
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            # `files` entries may be "key=path"; `env` is the older single-file form of `envs`.
            names += [f.split("=", 1)[-1] for f in _strings(item.get("files"))]
            names += _strings(item.get("envs")) + _strings([item.get("env")])
    openapi = kustomization.get("openapi")
    if isinstance(openapi, dict) and isinstance(openapi.get("path"), str):
        names.append(openapi["path"])
    return names


@dataclass
class References:
    folders: set[Path] = field(default_factory=set)  # kustomization folders built from this one
    files: set[Path] = field(default_factory=set)  # files it reads (all resolved)


def references(folder: Path) -> References:
    """What one kustomization reads, by resolved path (remote bases are not followed)."""
    kustomization = _read(folder)
    out = References()
    own = kustomization_file(folder)
    if own is not None:
        out.files.add(own.resolve())
    names = _named_files(kustomization)
    for key in FOLDER_KEYS:
        names += _strings(kustomization.get(key))
    for name in names:
        if _remote(name):
            continue
        target = (folder / name).resolve()
        if target.is_dir():
            if is_kustomization(target):
                out.folders.add(target)
        elif target.is_file():
            out.files.add(target)
    return out


def is_component(folder: Path) -> bool:
    return _read(folder).get("kind") == "Component"


@dataclass
class Tree:
    """The outcome of rendering the kustomizations of one scan."""

    built: list[tuple[Path, Rendered]] = field(default_factory=list)  # (folder as shown, its build)
    failed: list[tuple[Path, str]] = field(default_factory=list)  # (folder as shown, kustomize's reason)
    components: list[Path] = field(default_factory=list)  # unreferenced Components: never built alone
    consumed: set[Path] = field(default_factory=set)  # resolved files not to read as plain files


class _References:
    """references() of each folder, read once."""

    def __init__(self) -> None:
        self.cache: dict[Path, References] = {}

    def of(self, folder: Path) -> References:
        key = folder.resolve()
        if key not in self.cache:
            self.cache[key] = references(key)
        return self.cache[key]

    def closure(self, folder: Path) -> tuple[set[Path], set[Path]]:
        """Every kustomization folder a build of `folder` reads (itself included) and every file."""
        folders: set[Path] = set()
        files: set[Path] = set()
        stack = [folder.resolve()]
        while stack:
            current = stack.pop()
            if current in folders:
                continue
            folders.add(current)
            files |= self.of(current).files
            stack += self.of(current).folders
        return folders, files


def render_tree(found: Iterable[Path]) -> Tree:
    """Build the root kustomizations among `found` (folders as the walk showed them): those no
    other one in the scan names. When a root fails (a remote base offline, a missing file), it is
    reported and the kustomizations it names are built in its place, so one unreachable overlay
    does not hide its bases; a folder another successful build already read is never built
    twice. Raises toolchain.ToolchainError when kustomize is not installed."""
    folders = list(dict.fromkeys(found))
    shown = {f.resolve(): f for f in folders}
    refs = _References()
    referenced = set().union(*(refs.of(f).folders for f in folders)) if folders else set()
    tree = Tree()
    queue: list[Path] = []
    for folder in folders:
        if folder.resolve() in referenced:
            continue
        if is_component(folder):
            tree.components.append(folder)
            tree.consumed |= refs.closure(folder)[1]
        else:
            queue.append(folder.resolve())
    covered: set[Path] = set()
    tried: set[Path] = set()
    while queue:
        level = [f for f in dict.fromkeys(queue) if f not in tried and f not in covered]
        # A candidate that another candidate builds through is left to that one.
        inner = set().union(*(refs.closure(f)[0] - {f} for f in level)) if level else set()
        queue = []
        chosen = [f for f in level if f not in inner]
        tried.update(chosen)
        names = [shown.get(f, f) for f in chosen]
        # kustomize is a separate process per build: a few at once keep both cores busy.
        with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1, len(names)))) as pool:
            builds = list(pool.map(build, names))
        for folder, name, rendered in zip(chosen, names, builds, strict=True):
            if rendered.error:
                tree.failed.append((name, rendered.error))
                tree.consumed |= refs.of(folder).files
                queue += sorted(refs.of(folder).folders)
            else:
                tree.built.append((name, rendered))
                closure_folders, closure_files = refs.closure(folder)
                covered |= closure_folders
                tree.consumed |= closure_files
    return tree


@dataclass(frozen=True)
class Rendered:
    text: str = ""  # the rendered stream
    wrapper: Path | None = None  # the folder origin annotations' paths are relative to
    error: str = ""


def _one_line(stderr: str, returncode: int) -> str:
    """kustomize's error line (not its deprecation warnings). Its errors nest the whole chain of
    bases; a long one keeps its start (which kustomization) and its end (the cause)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]
    text = (errors or lines or [f"kustomize build exited {returncode}"])[0].removeprefix("Error: ")
    return text if len(text) <= MAX_REASON else text[:120] + " ... " + text[-(MAX_REASON - 125) :]


# Each `kustomize build` renders once and exits, so much of its garbage collection is work the
# exit makes moot: with GOGC=400 a 3.5 MB Kubeflow render took 0.8 s CPU instead of 1.2 s (peak
# RSS ~90 -> ~200 MB, measured on kustomize 5.8.2). The user's own GOGC or GOMEMLIMIT wins.
def _collector() -> dict[str, str]:
    return {} if toolchain.user_tunes_gc() else {"GOGC": "400"}


def _unwrapped(stderr: str, listed: str, folder: str) -> str | None:
    """kustomize's errors from building the wrapper as they read from building the folder itself:
    the wrapper adds one outer layer naming its resource entry (`listed`, relative to the wrapper)
    and the folder's resolved path. None when the error is not in that shape."""
    layer = (
        f"Error: accumulating resources: accumulation err='accumulating resources from '{listed}': "
        f"'{folder}' must resolve to a file': recursed accumulation of path '{folder}': "
    )
    lines = stderr.splitlines()
    errors = [i for i, line in enumerate(lines) if line.startswith("Error:")]
    if not errors or not lines[errors[0]].startswith(layer):
        return None
    first = errors[0]
    return "\n".join([*lines[:first], "Error: " + lines[first][len(layer) :], *lines[first + 1 :]])


def build(root: Path) -> Rendered:
    """`kustomize build` of one kustomization folder with origin annotations.
    Raises toolchain.ToolchainError when kustomize is not installed."""
    collector = _collector()
    with tempfile.TemporaryDirectory(prefix="mlfence-kustomize-") as tmp:
        wrapper = Path(os.path.realpath(tmp))
        listed = os.path.relpath(root.resolve(), wrapper)
        (wrapper / "kustomization.yaml").write_text(
            yaml.safe_dump({"resources": [listed], "buildMetadata": ["originAnnotations"]})
        )
        proc = toolchain.run("kustomize", "build", str(wrapper), timeout=300, env=collector)
        if proc.returncode != 0:
            # The reason as the folder's own build gives it (the wrapper's paths would mean nothing
            # to the user): the wrapper's outer layer taken off, or, when the error has another
            # shape, the folder built again for it (a second render: ~3 s CPU on Kubeflow's tree).
            reason = _unwrapped(proc.stderr, listed, os.path.realpath(root))
            if reason is not None:
                return Rendered(error=_one_line(reason, proc.returncode))
            plain = toolchain.run("kustomize", "build", str(root), timeout=300, env=collector)
            return Rendered(error=_one_line(plain.stderr or proc.stderr, plain.returncode or proc.returncode))
    if len(proc.stdout) > limits.MAX_INPUT_BYTES:
        return Rendered(error=f"rendered output is over the {limits.MAX_INPUT_BYTES}-byte limit for one input")
    return Rendered(text=proc.stdout, wrapper=wrapper)


def origin_file(content: Any, wrapper: Path) -> str:
    """The resolved file a rendered object came from (its generator's kustomization for a
    generated one), from kustomize's origin annotation; "" for a remote base or no annotation."""
    try:
        text = content["metadata"]["annotations"][ORIGIN]
        origin = yaml.safe_load(text) if isinstance(text, str) else None
    except (yaml.YAMLError, KeyError, TypeError):
        return ""
    if not isinstance(origin, dict) or origin.get("repo"):
        return ""
    relative = origin.get("path") or origin.get("configuredIn")
    if not isinstance(relative, str):
        return ""
    return os.path.normpath(wrapper / relative)


def strip_added(content: Any) -> Any:
    """The object without the annotations the build added (and without an annotations map
    left empty by that), so rules see what `kustomize build` of the folder itself gives."""
    if not isinstance(content, dict) or not isinstance(content.get("metadata"), dict):
        return content
    annotations = content["metadata"].get("annotations")
    if not isinstance(annotations, dict) or not any(a in annotations for a in ADDED_ANNOTATIONS):
        return content
    kept = {k: v for k, v in annotations.items() if k not in ADDED_ANNOTATIONS}
    metadata = {k: v for k, v in content["metadata"].items() if k != "annotations"}
    if kept:
        metadata["annotations"] = kept
    return {**content, "metadata": metadata}


def shown_path(resolved: str, root: Path, shown_root: str) -> str:
    """A resolved origin file as the user named the scanned tree: `shown_root` joined with its
    path relative to the kustomization folder."""
    return os.path.normpath(os.path.join(shown_root, os.path.relpath(resolved, root.resolve())))
