"""ResourceList: the function's input and output (items, functionConfig, results)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from o2krm.sdk.errors import InputError
from o2krm.sdk.kubeobject import KubeObject, NotPlainData, _with_newline
from o2krm.sdk.results import Results
from o2krm.sdk.scan import RawInput, scan

RESOURCE_LIST_VERSIONS = ("config.kubernetes.io/v1", "config.kubernetes.io/v1beta1")


class Items(list[KubeObject]):
    """The items, in order, with a few finders."""

    def of(self, api_version: str | None = None, kind: str | None = None) -> Iterator[KubeObject]:
        return (obj for obj in self if obj.matches(api_version, kind))

    def of_group(self, group: str, kind: str | None = None) -> Iterator[KubeObject]:
        return (obj for obj in self if obj.is_gvk(group=group, kind=kind))

    def find(self, identity: tuple[str, str, str, str]) -> KubeObject | None:
        return next((obj for obj in self if obj.identity == identity), None)


class ResourceList:
    def __init__(
        self,
        items: Iterable[KubeObject] = (),
        function_config: KubeObject | None = None,
        *,
        api_version: str = "config.kubernetes.io/v1",
        form: str = "resourcelist",
        item_indent: int = 0,
    ):
        self.items = Items(items)
        self.function_config = function_config
        self.results = Results()
        self.api_version = api_version
        self.form = form  # "resourcelist" or "stream" (a plain multi-document YAML stream)
        self.item_indent = item_indent

    # --- reading ---------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> ResourceList:
        raw = scan(text)
        if raw is not None:
            return cls.from_raw(raw)
        return cls._parse_fully(text)

    @classmethod
    def from_raw(cls, raw: RawInput) -> ResourceList:
        if raw.api_version not in RESOURCE_LIST_VERSIONS:
            raise InputError(f"ResourceList apiVersion {raw.api_version!r} is not one of {RESOURCE_LIST_VERSIONS}")
        function_config = None
        if raw.function_config is not None and raw.function_config.strip():
            function_config = _config_object(raw.function_config)
        return cls(
            (KubeObject(raw=item, position=i) for i, item in enumerate(raw.items)),
            function_config,
            api_version=raw.api_version,
            form=raw.form,
            item_indent=raw.item_indent,
        )

    @classmethod
    def _parse_fully(cls, text: str) -> ResourceList:
        """Fallback for input the scan does not handle (JSON, flow style, anchors...)."""
        from o2krm.sdk import yamlio
        from o2krm.sdk.kubeobject import _yaml_problem

        try:
            documents = [d for d in yamlio.load_all(text) if d is not None]
        except yamlio.YAMLError as exc:
            raise InputError(f"input is not valid YAML: {_yaml_problem(exc)}") from None
        if len(documents) == 1 and isinstance(documents[0], dict) and documents[0].get("kind") == "ResourceList":
            body = documents[0]
            api_version = str(body.get("apiVersion") or "config.kubernetes.io/v1")
            if api_version not in RESOURCE_LIST_VERSIONS:
                raise InputError(f"ResourceList apiVersion {api_version!r} is not one of {RESOURCE_LIST_VERSIONS}")
            items = body.get("items") or []
            if not isinstance(items, list):
                raise InputError("ResourceList items must be a list")
            config = body.get("functionConfig")
            if config is not None and not isinstance(config, dict):
                raise InputError("ResourceList functionConfig must be a mapping")
            form = "resourcelist"
        else:
            items, config, api_version, form = documents, None, "config.kubernetes.io/v1", "stream"
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise InputError(f"items[{i}]: is not a mapping (a KRM object must be one)")
        objects = [KubeObject(item, position=i) for i, item in enumerate(items)]
        return cls(objects, KubeObject(config) if config else None, api_version=api_version, form=form)

    # --- writing -----------------------------------------------------------------
    def to_text(self, *, include_results: bool = True) -> str:
        if self.form == "stream":
            return "---\n".join(obj.to_text(None) for obj in self.items)
        from o2krm.sdk import yamlio

        parts = [f"apiVersion: {self.api_version}\n", "kind: ResourceList\n"]
        if self.items:
            parts.append("items:\n")
            parts.extend(obj.to_text(self.item_indent) for obj in self.items)
        else:
            parts.append("items: []\n")
        if self.function_config is not None:
            parts.append(yamlio.dump({"functionConfig": self.function_config.data}))
        if include_results and self.results:
            parts.append(yamlio.dump({"results": [r.to_dict() for r in self.results]}))
        return "".join(parts)

    def settle(self) -> None:
        """Between two functions run in one process: every item as the next function would read
        it from this list's text. An item with source text that changed is written and read
        back (the same text as through a pipe); an unchanged item keeps its parsed data, so it
        is not parsed again. A new item, whose text would be a plain dump of its data, stays
        data: the next function gets a copy of what it would read back (see KubeObject)."""
        if self.form != "resourcelist":
            raise ValueError("settle() needs a ResourceList, not a plain stream")
        written: dict[int, str] = {}
        for index, obj in enumerate(self.items):
            obj._position = index
            raw = obj._raw
            if raw is not None and raw.dash >= 0 and not obj.parsed:
                continue
            if obj._settled_as_data():
                continue
            text = obj.to_text(self.item_indent)
            if raw is not None and raw.dash >= 0 and text == _with_newline(raw.text):
                continue
            written[index] = text
        if not written:
            return
        text = f"apiVersion: {self.api_version}\nkind: ResourceList\nitems:\n" + "".join(written.values())
        raw_list = scan(text)
        again = ResourceList.from_raw(raw_list) if raw_list is not None else ResourceList._parse_fully(text)
        for index, obj in zip(written, again.items, strict=True):
            obj._position = index
            before = self.items[index]
            if obj._raw is not None and before._data is not None:
                # Its text was just written from this data, which reads back as it is: no parse.
                with contextlib.suppress(NotPlainData):
                    obj._handed_over(before._data)
            self.items[index] = obj

    # --- generator support ---------------------------------------------------------
    def generator(self, owner: str, **kwargs: Any) -> Any:
        """A Generator that upserts and prunes the items ``owner`` makes."""
        from o2krm.sdk.generator import Generator

        return Generator(self, owner, **kwargs)


def _config_object(text: str) -> KubeObject:
    from o2krm.sdk import yamlio
    from o2krm.sdk.kubeobject import _yaml_problem

    try:
        data = yamlio.load(text)
    except yamlio.YAMLError as exc:
        raise InputError(f"functionConfig is not valid YAML: {_yaml_problem(exc)}") from None
    if not isinstance(data, dict):
        raise InputError("functionConfig must be a mapping")
    return KubeObject(data)
