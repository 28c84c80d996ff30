"""The entry point of a KRM function: stdin to stdout, results, exit code, --help, --version.

A function is declared with ``KrmFunction`` in its package's ``__init__``; its logic and
config model are named by import path, so that a run with nothing to do imports neither
(Porch starts the process for every call; start-up time is paid every time)::

    FUNCTION = KrmFunction(
        name="set-labels",
        process="o2krm.fns.set_labels.fn:set_labels",   # (rl: ResourceList, config) -> None
        config="o2krm.fns.set_labels.fn:Config",          # pydantic model, class with from_fields, or None
        kinds=None,                                       # None: every item is of interest
    )
    main = FUNCTION.main

Exit codes: 0 when no result is an error; 1 when one is, or the function raised; 2 for
a command-line usage error. Any exception becomes one error result and one line on
stderr; the traceback is printed only when O2KRM_DEBUG=1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import IO, Any, NamedTuple

from o2krm import __version__
from o2krm.sdk.scan import RawInput, RawItem, scan

DEBUG_ENV = "O2KRM_DEBUG"
EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class KrmFunction(NamedTuple):
    # A NamedTuple, not a dataclass: importing dataclasses costs ~18 ms, paid by every call.
    name: str
    process: str
    config: str | None = None
    kinds: Sequence[tuple[str | None, str]] | None = None  # (group or None, kind) that give work
    owner: str | None = None  # a generator's owner name: items it owns give work (pruning)
    validator: bool = False  # never changes items: the output items are the input's, as is
    readme: str | None = None  # README for --help; default: README.md beside the process module
    version: str = __version__
    summary: str = ""

    # --- entry point ----------------------------------------------------------------
    def main(self, argv: Sequence[str] | None = None) -> int:
        import gc

        gc.disable()  # a short-lived process: collection cycles only cost time
        code = self.run(sys.argv[1:] if argv is None else argv, sys.stdin, sys.stdout, sys.stderr)
        sys.stdout.flush()
        return code

    def run(self, argv: Sequence[str], stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
        overrides: dict[str, str] = {}
        config_file: str | None = None
        for arg in argv:
            if arg in ("-h", "--help"):
                stdout.write(self.help_text())
                return EXIT_OK
            if arg == "--version":
                stdout.write(f"{self.name} {self.version}\n")
                return EXIT_OK
            key, sep, value = arg.partition("=")
            if not sep and config_file is None and os.path.isfile(arg):
                # kustomize's exec-plugin protocol: the config file is the first argument
                # and the resources come as a plain YAML stream.
                config_file = arg
                continue
            if not sep or not key or key.startswith("-"):
                stderr.write(f"{self.name}: unknown argument {arg!r}; expected key=value, --help or --version\n")
                return EXIT_USAGE
            overrides[key] = value
        try:
            text = _read_text(stdin)
        except UnicodeDecodeError as exc:
            return self._fail_input(f"input is not UTF-8: {exc.reason} at byte {exc.start}", stdout, stderr)
        raw = scan(text)
        # Nothing to act on: pass the input through untouched, without parsing it or the
        # config (a package without this function's kinds costs only the scan).
        if raw is not None and not overrides and config_file is None and not self._has_work(raw):
            stdout.write(text if text.endswith("\n") or not text else text + "\n")
            return EXIT_OK
        return self._process(text, raw, overrides, config_file, stdout, stderr)

    # --- the work -------------------------------------------------------------------
    def _has_work(self, raw: RawInput) -> bool:
        if not raw.items and raw.function_config is None:
            return False  # no items and no config: nothing to act on
        if self.kinds is None or self.validator:
            return True
        return any(self._item_has_work(item) for item in raw.items)

    def _item_has_work(self, item: RawItem) -> bool:
        if item.kind is None or item.api_version is None:
            return True  # not scannable: let the function look at it
        group = item.api_version.rpartition("/")[0]
        if any(kind == item.kind and (g is None or g == group) for g, kind in self.kinds or ()):
            return True
        return self.owner is not None and self.owner in item.text and "owned-by" in item.text

    def has_work_on(self, rl: Any) -> bool:
        """``_has_work`` for a ResourceList already read: False when ``run`` would pass it through."""
        if not rl.items and rl.function_config is None:
            return False
        if self.kinds is None or self.validator:
            return True
        # An item's source text is current here: ResourceList.settle() runs between steps. New
        # items have none (settle keeps them as data): their kind says it, or their text would.
        if any(self._item_has_work(obj._raw) for obj in rl.items if obj._raw is not None):
            return True
        new = [obj for obj in rl.items if obj._raw is None]
        return any(self._data_has_work(obj.data) for obj in new) or any(self._owned(obj.data) for obj in new)

    def _data_has_work(self, data: Mapping[str, Any]) -> bool:
        kind, api_version = data.get("kind"), data.get("apiVersion")
        if not isinstance(kind, str) or not isinstance(api_version, str):
            return True  # the scan would not know its kind either: let the function look at it
        group = api_version.rpartition("/")[0]
        return any(k == kind and (g is None or g == group) for g, k in self.kinds or ())

    def _owned(self, data: Mapping[str, Any]) -> bool:
        if self.owner is None:
            return False
        from o2krm.sdk import yamlio

        text = yamlio.dump(data)  # the same test as on an item's text, for the same answer
        return self.owner in text and "owned-by" in text

    def apply(self, rl: Any, overrides: Mapping[str, str] | None = None, stderr: IO[str] | None = None) -> bool:
        """Run the function on ``rl`` in place, as ``run`` does on its text: items changed,
        results added; on failure (and always for a validator) the items are put back as they
        came. Returns True when it failed. For pipelines that run in one process."""
        # Functions use no pydantic plugins; looking them up costs an entry-point scan per call.
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
        from o2krm.sdk.config import load_config
        from o2krm.sdk.errors import InputError, KrmError

        snapshot: _Snapshot | None = _Snapshot(rl)
        try:
            config = load_config(_load(self.config) if self.config else None, rl.function_config, dict(overrides or {}))
            process: Callable[[Any, Any], None] = _load(self.process)
            process(rl, config)
        except KrmError as exc:
            if isinstance(exc, InputError):  # the items cannot be written back as they are
                rl.items.clear()
                snapshot = None
            _report(rl, exc)
        except Exception as exc:
            rl.results.error(f"internal error in {self.name}: {type(exc).__name__}: {exc}")
            if os.environ.get(DEBUG_ENV) == "1":
                import traceback

                traceback.print_exc(file=stderr or sys.stderr)
        failed: bool = rl.results.has_errors
        if (failed or self.validator) and snapshot is not None:
            snapshot.restore(rl)
        return failed

    def _process(
        self,
        text: str,
        raw: RawInput | None,
        overrides: dict[str, str],
        config_file: str | None,
        stdout: IO[str],
        stderr: IO[str],
    ) -> int:
        from o2krm.sdk.errors import InputError, KrmError
        from o2krm.sdk.resourcelist import ResourceList

        rl: ResourceList | None = None
        try:
            rl = ResourceList.from_raw(raw) if raw is not None else ResourceList.parse(text)
            if config_file is not None:
                rl.function_config = _read_config_file(config_file)
        except KrmError as exc:
            rl = rl or ResourceList()
            if isinstance(exc, InputError):
                rl.items.clear()
            _report(rl, exc)
            failed = True
        except Exception as exc:
            rl = rl or ResourceList()
            rl.results.error(f"internal error in {self.name}: {type(exc).__name__}: {exc}")
            failed = True
        else:
            failed = self.apply(rl, overrides, stderr)
        try:
            output = rl.to_text(include_results=rl.form != "stream")
        except Exception as exc:
            rl.results.error(f"internal error in {self.name} writing output: {type(exc).__name__}: {exc}")
            failed = True
            output = ResourceList(api_version=rl.api_version).to_text() if rl.form != "stream" else ""
            if rl.form != "stream":
                output += _results_text(rl)
        # kustomize's exec-plugin validators must not return resources: they pass by saying nothing.
        if not (self.validator and config_file is not None and not failed):
            stdout.write(output)
        for line in self.error_lines(rl):
            stderr.write(line)
        if rl.form == "stream":
            for result in rl.results:
                if result.severity != "error":
                    stderr.write(f"{self.name}: {result.one_line()}\n")
        return EXIT_ERROR if failed else EXIT_OK

    def error_lines(self, rl: Any) -> list[str]:
        """What the function writes to stderr about its errors (the first 20)."""
        return [f"{self.name}: {result.one_line()}\n" for result in rl.results.errors()[:20]]

    def _fail_input(self, message: str, stdout: IO[str], stderr: IO[str]) -> int:
        from o2krm.sdk.resourcelist import ResourceList

        rl = ResourceList()
        rl.results.error(message)
        stdout.write(rl.to_text())
        stderr.write(f"{self.name}: error: {message}\n")
        return EXIT_ERROR

    # --- help ---------------------------------------------------------------------------
    def help_text(self) -> str:
        readme = self.readme or _readme_beside(self.process)
        body = ""
        if readme and os.path.exists(readme):
            with open(readme, encoding="utf-8") as handle:
                body = handle.read()
        header = f"{self.name} {self.version}"
        if self.summary:
            header += f": {self.summary}"
        usage = (
            f"\nUsage: {self.name} [key=value ...] < resource-list.yaml\n"
            "       kpt fn eval --exec " + self.name + " <pkg> -- key=value\n\n"
        )
        return header + usage + body + ("" if body.endswith("\n") or not body else "\n")


class _Snapshot:
    """The items as they came in, to put back when the run fails or only validates."""

    def __init__(self, rl: Any):
        self.items = list(rl.items)

    def restore(self, rl: Any) -> None:
        from o2krm.sdk.kubeobject import KubeObject

        fresh = []
        for obj in self.items:
            if obj._raw is not None and not obj.unchanged():
                fresh.append(KubeObject(raw=obj._raw, position=obj._position))
            elif obj._raw is None and obj._original is not None and not obj.unchanged():
                fresh.append(obj._as_settled())
            else:
                fresh.append(obj)  # an unchanged object keeps what has been parsed
        rl.items[:] = fresh


def _report(rl: Any, exc: Any) -> None:
    problems = getattr(exc, "problems", None)
    if problems:
        for path, message, current in problems:
            kwargs: dict[str, Any] = {"obj": exc.obj, "field": path or None}
            if current is not None:
                kwargs["current"] = current
            rl.results.error(f"{exc.obj.describe()}: {path or '<root>'}: {message}", **kwargs)
        return
    rl.results.error(exc.message, obj=exc.obj, field=exc.field if exc.obj is not None else None)


def _results_text(rl: Any) -> str:
    from o2krm.sdk import yamlio

    return yamlio.dump({"results": [r.to_dict() for r in rl.results]})


def _read_config_file(path: str) -> Any:
    from o2krm.sdk.errors import InputError
    from o2krm.sdk.resourcelist import _config_object

    try:
        with open(path, encoding="utf-8") as handle:
            return _config_object(handle.read())
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read function config {path}: {exc}") from None


def _read_text(stdin: IO[str]) -> str:
    buffer = getattr(stdin, "buffer", None)
    if buffer is not None:
        data: bytes = buffer.read()
        text = data.decode("utf-8")
    else:
        text = stdin.read()
    return text[1:] if text.startswith("\ufeff") else text


def _load(reference: str) -> Any:
    import importlib

    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def _readme_beside(reference: str) -> str | None:
    import importlib.util

    spec = importlib.util.find_spec(reference.partition(":")[0])
    if spec is None or spec.origin is None:
        return None
    return os.path.join(os.path.dirname(spec.origin), "README.md")
