"""Option values coerced without pydantic where the answer is plain (issue 18: one small file).

typer (0.2x) coerces every parameter of the invoked command through a pydantic TypeAdapter it
builds on each run: `mlfence check` of one file spent ~0.14 s of its ~0.64 s importing pydantic
and building 28 adapters (cProfile: typer._coercion.build_runtime_param). Pre-commit hooks run
that on every commit. For the value shapes the CLI uses (str, int in range, Enum choice, Path,
lists of those), this module gives the same result with typer's own helpers and plain Python;
any value it does not recognise as valid, and any other annotation, goes through typer's own
pydantic path, so error messages and every unusual case stay typer's.

`install()` wraps `typer.core._TyperParameter.get_runtime_param`, a private name: with a typer
that lacks it (older releases, which do not use pydantic) it does nothing.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

_INTEGER = re.compile(r"-?[0-9]+")


class _NotPlain(Exception):
    """The value or annotation needs typer's pydantic path."""


def _leaf(annotation: Any, info: Any, value: Any, param: Any, ctx: Any) -> Any:
    from typer._param_types import coerce_cli_choice, coerce_cli_path, lenient_issubclass, routes_to_path

    if info.parser is not None:
        raise _NotPlain
    if annotation is str:
        if type(value) is str:
            return value
        raise _NotPlain
    if annotation is int:
        if type(value) is int:
            number = value
        elif type(value) is str and _INTEGER.fullmatch(value):
            number = int(value)
        else:
            raise _NotPlain
        if info.clamp or (info.min is not None and number < info.min) or (info.max is not None and number > info.max):
            raise _NotPlain
        return number
    if lenient_issubclass(annotation, Enum):
        try:
            return coerce_cli_choice(value, choices=list(annotation), case_sensitive=info.case_sensitive, ctx=ctx)
        except ValueError:
            raise _NotPlain from None
    if annotation is Path and routes_to_path(annotation, info) and info.path_type is None:
        if type(value) is str and value:
            value = Path(value)
        if not isinstance(value, Path):
            raise _NotPlain
        # With a Path in hand, typer's helper checks exists/dash/resolve without pydantic.
        return coerce_cli_path(value, info, path_type=Path, param=param, ctx=ctx)
    raise _NotPlain


def _coerce(annotation: Any, info: Any, value: Any, param: Any, ctx: Any) -> Any:
    if get_origin(annotation) is list:
        (item_type,) = get_args(annotation)
        items = value if isinstance(value, (list, tuple)) else [value]
        return [_leaf(item_type, info, item, param, ctx) for item in items]
    return _leaf(annotation, info, value, param, ctx)


def install() -> None:
    """Route plain option values around pydantic; a no-op with a typer without these internals."""
    try:
        from typer import core
        from typer._coercion import RuntimeParam, build_runtime_param
    except ImportError:
        return
    parameter_class = getattr(core, "_TyperParameter", None)
    if parameter_class is None or not hasattr(parameter_class, "get_runtime_param"):
        return

    class PlainRuntimeParam(RuntimeParam):  # frozen dataclass fields: parameter_info, annotation
        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return _coerce(self.annotation, self.parameter_info, value, param, ctx)
            except _NotPlain:
                return param.typer_runtime_param()._coerce_value(value, param=param, ctx=ctx)

    def typer_runtime_param(self: Any) -> Any:
        cached = getattr(self, "_mlfence_typer_runtime_param", None)
        if cached is None:
            cached = build_runtime_param(self.type_descriptor)
            self._mlfence_typer_runtime_param = cached
        return cached

    def get_runtime_param(self: Any) -> Any:
        if self._runtime_param is None:
            descriptor = self.type_descriptor
            if descriptor.file_annotation is not None:
                self._runtime_param = self.typer_runtime_param()
            else:
                self._runtime_param = PlainRuntimeParam(
                    parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
                )
        return self._runtime_param

    parameter_class.typer_runtime_param = typer_runtime_param
    parameter_class.get_runtime_param = get_runtime_param
