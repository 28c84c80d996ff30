"""KubeObject, paths, generator and config: the SDK's public surface."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from o2krm.sdk import paths
from o2krm.sdk.config import load_config
from o2krm.sdk.errors import ObjectValidationError
from o2krm.sdk.generator import Generator, OwnershipConflict
from o2krm.sdk.kubeobject import KubeObject
from o2krm.sdk.resourcelist import ResourceList
from o2krm.sdk.scan import scan


def deployment() -> KubeObject:
    return KubeObject(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "du",
                "namespace": "ran",
                "annotations": {"config.kubernetes.io/local-config": "true"},
            },
            "spec": {"template": {"spec": {"containers": [{"name": "du", "image": "du:1"}]}}},
        }
    )


def test_nested_get_set_remove() -> None:
    obj = deployment()
    assert obj.get("spec.template.spec.containers[0].image") == "du:1"
    assert obj.get("spec.template.spec.containers[5].image", "none") == "none"
    obj.set("spec.replicas", 3)
    obj.set(("metadata", "annotations", "a.b/c"), "x")
    assert obj.get('metadata.annotations["a.b/c"]') == "x"
    assert obj.remove("spec.replicas") and not obj.remove("spec.replicas")
    with pytest.raises(KeyError):
        obj.set("spec.template.spec.containers[3].image", "x")


def test_identity_and_metadata_helpers() -> None:
    obj = deployment()
    assert (obj.group, obj.version, obj.kind) == ("apps", "v1", "Deployment")
    assert obj.is_gvk(group="apps", kind="Deployment") and not obj.is_gvk(kind="Pod")
    assert obj.identity == ("apps", "Deployment", "ran", "du")
    assert obj.is_local_config
    obj.set_label("team", "ran")
    assert obj.labels == {"team": "ran"}
    assert obj.remove_label("team") and "labels" not in obj.data["metadata"]
    obj.set_path("x/y.yaml", 2)
    assert (obj.path, obj.index, obj.file()) == ("x/y.yaml", 2, {"path": "x/y.yaml", "index": 2})


def test_paths_round_trip() -> None:
    for text in ("a.b[0].c", 'metadata.annotations["config.kubernetes.io/path"]', "x[10]"):
        assert paths.format(paths.parse(text)) == text
    with pytest.raises(paths.PathSyntaxError):
        paths.parse("a[b]")


class Spec(BaseModel):
    replicas: int = Field(ge=1)
    image: str


def test_model_errors_point_at_the_field() -> None:
    obj = KubeObject({"apiVersion": "v1", "kind": "X", "metadata": {"name": "x"}, "spec": {"replicas": 0}})
    with pytest.raises(ObjectValidationError) as caught:
        obj.as_model(Spec, at="spec")
    fields = [p for p, _, _ in caught.value.problems]
    assert fields == ["spec.replicas", "spec.image"]


def test_config_from_configmap_and_typed_kind() -> None:
    class Config(BaseModel):
        sites: list[str] = []
        limit: int = 1

    cm = KubeObject(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"sites": "[a, b]", "limit": "3"}}
    )
    assert load_config(Config, cm) == Config(sites=["a", "b"], limit=3)
    typed = KubeObject({"apiVersion": "fn.o2krm.io/v1", "kind": "Cfg", "metadata": {"name": "c"}, "spec": {"limit": 2}})
    assert load_config(Config, typed).limit == 2
    bad = KubeObject({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"limit": "many"}})
    with pytest.raises(ObjectValidationError) as caught:
        load_config(Config, bad)
    assert caught.value.problems[0][0] == "data.limit"


class PlainConfig:
    """A config class without pydantic: ``from_fields`` reads the fields or names the bad one."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    @classmethod
    def from_fields(cls, fields: dict[str, object]) -> PlainConfig:
        from o2krm.sdk.config import FieldProblem

        limit = fields.get("limit", "1")
        if not isinstance(limit, str) or not limit.isdigit():
            raise FieldProblem("limit", "must be a whole number", limit)
        return cls(int(limit))


def test_plain_config_classes_name_the_bad_field_as_pydantic_models_do() -> None:
    cm = KubeObject({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"limit": "3"}})
    assert load_config(PlainConfig, cm).limit == 3
    assert load_config(PlainConfig, cm, {"limit": "7"}).limit == 7  # key=value arguments win
    typed = KubeObject({"apiVersion": "fn.o2krm.io/v1", "kind": "Cfg", "metadata": {"name": "c"}, "spec": {"limit": 2}})
    with pytest.raises(ObjectValidationError) as caught:
        load_config(PlainConfig, typed)
    assert caught.value.problems == [("spec.limit", "must be a whole number", 2)]
    assert caught.value.obj is typed and "Cfg/c: spec.limit: must be a whole number" in caught.value.message
    with pytest.raises(ObjectValidationError) as caught:
        load_config(PlainConfig, None, {"limit": "many"})
    assert caught.value.problems == [("limit", "must be a whole number", "many")]


def test_generator_upserts_merges_and_prunes() -> None:
    source = KubeObject(
        {
            "apiVersion": "ex.io/v1",
            "kind": "Intent",
            "metadata": {"name": "i", "annotations": {"internal.config.kubernetes.io/path": "intents/i.yaml"}},
        }
    )
    rl = ResourceList([source])
    gen = Generator(rl, "demo")
    made = gen.upsert(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "1"}}, source=source
    )
    assert made.path == "intents/configmap_a.yaml" and made.annotation("o2krm.io/source") == "Intent/i"
    made.set("data.handEdit", "kept")  # a person's edit between renders
    stale = gen.upsert({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}})
    assert stale.index == 0

    again = Generator(rl, "demo")
    again.upsert(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "2"}}, source=source
    )
    assert [o.name for o in again.prune()] == ["b"]
    kept = rl.items.find(("", "ConfigMap", "", "a"))
    assert kept is not None and kept.get("data") == {"k": "2", "handEdit": "kept"}
    assert kept.path == "intents/configmap_a.yaml"

    rl.items.append(KubeObject({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "mine"}}))
    with pytest.raises(OwnershipConflict, match="owned by a person"):
        Generator(rl, "demo").upsert({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "mine"}})


def test_scan_finds_items_and_kinds_cheaply() -> None:
    text = (
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
        "- # leading comment\n  apiVersion: v1\n  kind: 'ConfigMap'\n  data:\n    x: |\n      - not an item\n\n"
        '- kind: Secret  # kind first\n  apiVersion: "v1"\n'
        "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n"
    )
    raw = scan(text)
    assert raw is not None and raw.form == "resourcelist"
    assert [(i.api_version, i.kind) for i in raw.items] == [("v1", "ConfigMap"), ("v1", "Secret")]
    assert raw.function_config is not None and "kind: ConfigMap" in raw.function_config
    wide = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n  - apiVersion: v1\n    kind: A\n  - apiVersion: v1\n    kind: B\n"
    assert [i.kind for i in scan(wide).items] == ["A", "B"]  # type: ignore[union-attr]
    assert scan('{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": []}') is None
    json_rl = ResourceList.parse(
        '{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": [{"apiVersion": "v1", "kind": "A", "metadata": {"name": "a"}}]}'
    )
    assert [o.kind for o in json_rl.items] == ["A"]


def test_peek_annotation_agrees_with_parsing() -> None:
    text = (
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n    annotations:\n"
        "      internal.config.kubernetes.io/path: 'x/a.yaml'\n      o2krm.io/owned-by: \"gen\"  # c\n"
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n  data:\n    note: 'o2krm.io/owned-by: gen'\n"
    )
    first, second = ResourceList.parse(text).items
    assert first.peek_annotation("internal.config.kubernetes.io/path") == "x/a.yaml" and not first.parsed
    assert first.peek_annotation("config.kubernetes.io/path") is None  # only the internal key is there
    assert first.peek_annotation("o2krm.io/owned-by") == "gen"
    assert second.peek_annotation("o2krm.io/owned-by") is None and second.parsed  # found in data: parsed to be sure
