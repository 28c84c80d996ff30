"""The cheap scan agrees with a full YAML parse on every ResourceList it accepts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from o2krm.sdk import yamlio
from o2krm.sdk.scan import scan

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-0123456789", min_size=1, max_size=10)
values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
    lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(names, c, max_size=3)),
    max_leaves=10,
)
items = st.fixed_dictionaries(
    {
        "apiVersion": st.sampled_from(["v1", "apps/v1", "o2ims.provisioning.oran.org/v1alpha1"]),
        "kind": st.sampled_from(["ConfigMap", "Deployment", "ProvisioningRequest"]),
        "metadata": st.fixed_dictionaries({"name": names}),
    },
    optional={"data": st.dictionaries(names, values, max_size=4), "spec": values},
)


def as_resource_list(docs: list[dict], wide: bool, config: dict | None) -> str:
    out = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
    if docs:
        out += "items:\n"
        dash = 2 if wide else 0  # kpt writes compact ("- " at column 0); others indent it
        for doc in docs:
            first, newline, rest = yamlio.dump(doc).partition("\n")
            out += " " * dash + "- " + first + newline + yamlio.indent(rest, dash + 2)
    else:
        out += "items: []\n"
    if config is not None:
        out += yamlio.dump({"functionConfig": config})
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(items, max_size=6), st.booleans(), st.one_of(st.none(), st.dictionaries(names, values, max_size=3)))
def test_scan_matches_full_parse(docs: list[dict], wide: bool, config: dict | None) -> None:
    text = as_resource_list(docs, wide, config)
    parsed = yamlio.load(text)
    raw = scan(text)
    assert raw is not None, text
    assert [(i.api_version, i.kind) for i in raw.items] == [(d["apiVersion"], d["kind"]) for d in docs]
    assert [yamlio.load(i.document) for i in raw.items] == (parsed.get("items") or [])
    if config:
        assert yamlio.load(raw.function_config or "") == config
