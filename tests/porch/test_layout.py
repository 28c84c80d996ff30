"""Porch's git layout as pure functions: names, revisions, annotations, resources."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2krm.porch import layout, resources
from o2krm.porch.errors import PublishError
from o2krm.porch.layout import Annotation, Lifecycle, PackagePath, RemoteRefs

labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
paths = st.lists(labels, min_size=1, max_size=3).map("/".join)


def test_refs_of_a_package() -> None:
    package = PackagePath.parse("ran/edge", "sites")
    assert package.full == "sites/ran/edge"
    assert package.dotted == "ran.edge"
    assert package.draft_branch("v3") == "drafts/sites/ran/edge/v3"
    assert package.proposed_branch("v3") == "proposed/sites/ran/edge/v3"
    assert package.tag(3) == "sites/ran/edge/v3"


@pytest.mark.parametrize(
    ("tag", "revision"),
    [
        ("edge-ran/v1", 1),
        ("edge-ran/v12", 12),
        ("edge-ran/v0", None),
        ("edge-ran/v01", None),
        ("edge-ran/vx", None),
        ("edge-ran/v1/x", None),
        ("edge-ran/sub/v1", None),  # a nested package's tag
        ("edge-ran-2/v1", None),
        ("v1", None),
    ],
)
def test_revision_of_tag(tag: str, revision: int | None) -> None:
    assert PackagePath.parse("edge-ran").revision_of_tag(tag) == revision


@pytest.mark.parametrize(
    ("name", "directory", "message"),
    [
        ("Edge", "", "package name 'Edge': segment 'Edge'"),
        ("edge_ran", "", "segment 'edge_ran'"),
        ("a//b", "", "segment ''"),
        ("", "", "package name '': segment ''"),
        ("edge", "Sites", "directory 'Sites'"),
        ("x" * 64, "", "at most 63 characters"),
    ],
)
def test_bad_package_paths(name: str, directory: str, message: str) -> None:
    with pytest.raises(PublishError, match=message):
        PackagePath.parse(name, directory)


@given(paths, st.integers(min_value=1, max_value=10_000))
def test_tag_and_revision_round_trip(path: str, revision: int) -> None:
    package = PackagePath.parse(path)
    assert package.revision_of_tag(package.tag(revision)) == revision


def test_remote_refs() -> None:
    output = "\n".join(
        [
            "a1\tHEAD",
            "a1\trefs/heads/main",
            "b1\trefs/tags/edge-ran/v1",
            "b2\trefs/tags/edge-ran/v2",
            "b2p\trefs/tags/edge-ran/v2^{}",
            "b9\trefs/tags/edge-ran/v10",
            "c1\trefs/tags/edge-ran/sub/v4",
            "c2\trefs/tags/other/v7",
            "d1\trefs/heads/drafts/edge-ran/add-site",
            "d2\trefs/heads/proposed/edge-ran/v11",
            "d3\trefs/heads/drafts/edge-ran/sub/v5",
        ]
    )
    refs = RemoteRefs.parse(output)
    package = PackagePath.parse("edge-ran")
    assert refs.branch("main") == "a1"
    assert refs.tag("edge-ran/v2") == "b2"
    assert refs.revisions(package) == {
        1: "refs/tags/edge-ran/v1",
        2: "refs/tags/edge-ran/v2",
        10: "refs/tags/edge-ran/v10",
    }
    assert refs.next_revision(package) == 11
    assert refs.next_revision(PackagePath.parse("new")) == 1
    assert refs.open_workspaces(package) == {"add-site": "drafts/edge-ran/add-site", "v11": "proposed/edge-ran/v11"}


def test_annotation_is_what_porch_writes() -> None:
    # Porch json.Marshal's its gitAnnotation struct: these keys, this order, no spaces.
    assert Annotation("edge-ran", "v2", "2").line() == 'kpt:{"package":"edge-ran","workspaceName":"v2","revision":"2"}'
    assert (
        Annotation("a/b", "ws", "0", {"type": "push"}).line()
        == 'kpt:{"package":"a/b","workspaceName":"ws","revision":"0","task":{"type":"push"}}'
    )


@given(paths, labels, st.integers(min_value=0, max_value=999))
def test_annotation_round_trip(path: str, workspace: str, revision: int) -> None:
    annotation = Annotation(path, workspace, str(revision), {"type": "push"})
    message = f"subject\n\nbody\n  {annotation.line()}\nkpt:not json\nkpt:[1]\n"
    assert layout.parse_annotations(message) == [annotation]
    assert layout.workspace_of(message, PackagePath.parse(path)) == workspace
    assert layout.workspace_of(message, PackagePath.parse(path + "-other")) is None


def test_messages() -> None:
    package = PackagePath.parse("edge-ran")
    approve = layout.approve_message(package, "v2", 2, "move to us-west-2", ["O2krm-Source-Commit: abc"])
    assert approve == (
        "Approving package revision edge-ran/2\n\n"
        "move to us-west-2\n\n"
        "O2krm-Source-Commit: abc\n"
        'kpt:{"package":"edge-ran","workspaceName":"v2","revision":"2"}\n'
    )
    draft = layout.draft_message(package, "v2")
    assert draft == (
        'Intermediate commit: push\n\nkpt:{"package":"edge-ran","workspaceName":"v2","revision":"0","task":{"type":"push"}}\n'
    )
    assert layout.create_branch_message("main") == "Initial commit: Creating main branch\n"


def test_user_message_cannot_forge_annotations() -> None:
    assert layout.check_user_message("  fine\n") == "fine"
    with pytest.raises(PublishError, match="Porch reads as its own annotation"):
        layout.check_user_message("ok\n  kpt:{}")


@pytest.mark.parametrize("workspace", ["", "V1", "a_b", "-a", "a" * 64])
def test_bad_workspaces(workspace: str) -> None:
    with pytest.raises(PublishError, match="workspace"):
        layout.validate_workspace(workspace)


@pytest.mark.parametrize("branch", ["", "a..b", "a b", "x/", "x.lock", "drafts/x", "proposed/x", "/x"])
def test_bad_branches(branch: str) -> None:
    with pytest.raises(PublishError, match="deployment branch"):
        layout.validate_branch(branch)


@pytest.mark.parametrize("path", ["/etc/passwd", "a/../b", "a//b", ".git/config", "x/.git/HEAD", "a\nb"])
def test_bad_package_file_paths(path: str) -> None:
    with pytest.raises(PublishError, match="package file"):
        layout.check_package_paths([path])


def test_lifecycle_order_is_porchs() -> None:
    assert [lc.value for lc in Lifecycle] == ["Draft", "Proposed", "Published"]


@pytest.mark.parametrize(
    ("repo", "name"),
    [
        ("https://github.com/acme/RAN-Deployments.git", "ran-deployments"),
        ("git@github.com:acme/deploy.git", "deploy"),
        ("/srv/git/deployments.git/", "deployments"),
        ("file:///tmp/my_repo", "my-repo"),
    ],
)
def test_repository_name_for(repo: str, name: str) -> None:
    assert resources.repository_name_for(repo) == name


def test_repository_name_that_cannot_be_derived() -> None:
    with pytest.raises(PublishError, match="--repository-name"):
        resources.repository_name_for("/___/")


def test_package_revision_resource_nested_and_draft() -> None:
    package = PackagePath.parse("ran/edge", "sites")
    doc = resources.package_revision_resource("deploy", package, "add-site", Lifecycle.DRAFT, None)
    assert doc["metadata"] == {"name": "deploy.ran.edge.add-site", "namespace": "default"}
    # packageName is relative to the Repository's directory, as Porch's spec.packageName.
    assert doc["spec"] == {
        "packageName": "ran/edge",
        "repository": "deploy",
        "workspaceName": "add-site",
        "lifecycle": "Draft",
        "tasks": [{"type": "push"}],
    }
    repository = resources.repository_resource("deploy", "https://x/deploy.git", branch="prod", directory="sites")
    assert repository["spec"]["git"] == {"repo": "https://x/deploy.git", "branch": "prod", "directory": "sites"}
    json.dumps(repository)  # plain data, ready for YAML or JSON


def test_package_revision_name_length() -> None:
    long = PackagePath.parse("/".join(["a" * 63] * 4))
    with pytest.raises(PublishError, match="longer than 253"):
        resources.package_revision_name("deploy", long, "v1")
