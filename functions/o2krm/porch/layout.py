"""Porch's git layout for package revisions: ref names, revision numbers and commit annotations.

Pure logic, no git I/O. What Porch (nephio-project/porch, ``pkg/externalrepo/git``) does with a
package ``<path>`` (its directory inside the repository, ``spec.git.directory`` included) and a
workspace ``<ws>``:

==========  ================================================================================
Draft       branch ``drafts/<path>/<ws>``: commits whose tree is the deployment branch's tree
            with ``<path>/`` replaced by the package
Proposed    branch ``proposed/<path>/<ws>`` at the same commit; the draft branch is deleted
Published   a commit on the deployment branch (parents: its head and the draft commit), the
            lightweight tag ``<path>/v<N>`` on it; the proposed branch is deleted
==========  ================================================================================

Every commit carries a ``kpt:{json}`` line in its message (``package``, ``workspaceName``,
``revision`` and, on draft commits, the ``task``); Porch reads the workspace name of a
published revision from it. Revision numbers come from the tags alone: the next one is one
more than the largest ``v<N>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from o2krm.porch.errors import PublishError

DEFAULT_BRANCH = "main"
DRAFTS_PREFIX = "drafts/"
PROPOSED_PREFIX = "proposed/"
HEADS = "refs/heads/"
TAGS = "refs/tags/"
ANNOTATION_PREFIX = "kpt:"
# Porch's own commit subjects (pkg/externalrepo/git/git.go), so a history reads the same
# whether Porch or this tool wrote it.
PUSH_SUBJECT = "Intermediate commit: push"
APPROVE_SUBJECT = "Approving package revision {path}/{revision}"
CREATE_BRANCH_SUBJECT = "Initial commit: Creating {branch} branch"

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS_LABEL_MAX = 63
_DNS_SUBDOMAIN_MAX = 253
_BRANCH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")


class Lifecycle(StrEnum):
    """How far a publication goes, in Porch's PackageRevision lifecycle."""

    DRAFT = "Draft"
    PROPOSED = "Proposed"
    PUBLISHED = "Published"


def dns_label_problem(value: str) -> str | None:
    """Why ``value`` is not an RFC 1123 label (Porch's rule for names and workspaces), or None."""
    if not value:
        return "must not be empty"
    if len(value) > _DNS_LABEL_MAX:
        return f"must be at most {_DNS_LABEL_MAX} characters"
    if not _DNS_LABEL.fullmatch(value):
        return "must be lower-case letters, digits and '-', starting and ending with a letter or digit"
    return None


@dataclass(frozen=True, order=True)
class PackagePath:
    """A package's directory inside the repository: ``directory`` (the Repository's
    ``spec.git.directory``, may be empty) and ``name`` (Porch's ``spec.packageName``, which may
    itself contain ``/`` for nested packages)."""

    name: str
    directory: str = ""

    @classmethod
    def parse(cls, name: str, directory: str = "") -> PackagePath:
        name = name.strip("/")
        directory = directory.strip("/")
        for label, value in (("package name", name), ("directory", directory)):
            if not value and label == "directory":
                continue
            for segment in value.split("/"):
                problem = dns_label_problem(segment)
                if problem:
                    raise PublishError(
                        f"{label} {value!r}: segment {segment!r} {problem}",
                        hint="Porch names packages by their directory: use names like 'edge-ran' or 'sites/edge-ran'",
                    )
        return cls(name=name, directory=directory)

    @property
    def full(self) -> str:
        """The path in the git tree, also the prefix of its refs (Porch's ``ToFullPathname``)."""
        return f"{self.directory}/{self.name}" if self.directory else self.name

    @property
    def dotted(self) -> str:
        """The package part of a Porch object name: the package name with ``/`` as ``.``."""
        return self.name.replace("/", ".")

    def draft_branch(self, workspace: str) -> str:
        return f"{DRAFTS_PREFIX}{self.full}/{workspace}"

    def proposed_branch(self, workspace: str) -> str:
        return f"{PROPOSED_PREFIX}{self.full}/{workspace}"

    def tag(self, revision: int) -> str:
        return f"{self.full}/v{revision}"

    def revision_of_tag(self, tag: str) -> int | None:
        """N for the tag ``<path>/v<N>`` of this package (N >= 1), else None."""
        prefix = f"{self.full}/v"
        if not tag.startswith(prefix):
            return None
        number = tag[len(prefix) :]
        if not number.isdigit() or number.startswith("0"):
            return None
        return int(number)


def validate_workspace(workspace: str) -> str:
    problem = dns_label_problem(workspace)
    if problem:
        raise PublishError(
            f"workspace {workspace!r} {problem}", hint="pass --workspace with a name like 'v3' or 'add-site'"
        )
    return workspace


def validate_branch(branch: str) -> str:
    if (
        not _BRANCH.fullmatch(branch)
        or ".." in branch
        or "//" in branch
        or branch.endswith(("/", ".lock", "."))
        or branch.startswith((DRAFTS_PREFIX, PROPOSED_PREFIX))
    ):
        raise PublishError(f"deployment branch {branch!r} is not a usable branch name", hint="use e.g. --branch main")
    return branch


@dataclass(frozen=True)
class RemoteRefs:
    """The refs of a remote repository (``git ls-remote``): full ref name -> commit id."""

    refs: Mapping[str, str]

    @classmethod
    def parse(cls, ls_remote_output: str) -> RemoteRefs:
        refs: dict[str, str] = {}
        for line in ls_remote_output.splitlines():
            sha, _, name = line.partition("\t")
            if not name or name.endswith("^{}"):
                continue  # peeled annotated tags: the tag ref itself is enough to fetch
            refs[name] = sha
        return cls(refs)

    def branch(self, name: str) -> str | None:
        return self.refs.get(HEADS + name)

    def tag(self, name: str) -> str | None:
        return self.refs.get(TAGS + name)

    def revisions(self, package: PackagePath) -> dict[int, str]:
        """Published revisions of ``package``: N -> full tag ref, in order."""
        found: dict[int, str] = {}
        for ref in self.refs:
            if ref.startswith(TAGS):
                revision = package.revision_of_tag(ref[len(TAGS) :])
                if revision is not None:
                    found[revision] = ref
        return dict(sorted(found.items()))

    def next_revision(self, package: PackagePath) -> int:
        return max(self.revisions(package), default=0) + 1

    def open_workspaces(self, package: PackagePath) -> dict[str, str]:
        """Workspaces with a draft or proposed branch: workspace -> branch."""
        found: dict[str, str] = {}
        for prefix in (DRAFTS_PREFIX, PROPOSED_PREFIX):
            start = f"{HEADS}{prefix}{package.full}/"
            for ref in self.refs:
                workspace = ref[len(start) :]
                if ref.startswith(start) and "/" not in workspace:
                    found[workspace] = ref[len(HEADS) :]
        return dict(sorted(found.items()))


@dataclass(frozen=True)
class Annotation:
    """The ``kpt:`` line Porch writes into commit messages (its ``gitAnnotation``)."""

    package: str
    workspace: str
    revision: str
    task: Mapping[str, object] | None = None

    def line(self) -> str:
        # Same keys, order and compact form as Go's json.Marshal of Porch's struct.
        data: dict[str, object] = {"package": self.package, "workspaceName": self.workspace, "revision": self.revision}
        if self.task is not None:
            data["task"] = dict(self.task)
        return ANNOTATION_PREFIX + json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def parse_annotations(message: str) -> list[Annotation]:
    """Every well-formed ``kpt:`` annotation in a commit message (Porch ignores the rest)."""
    found: list[Annotation] = []
    for line in message.splitlines():
        line = line.strip()
        if not line.startswith(ANNOTATION_PREFIX):
            continue
        try:
            data = json.loads(line[len(ANNOTATION_PREFIX) :])
        except json.JSONDecodeError:
            continue
        if not isinstance(data, dict):
            continue
        task = data.get("task")
        found.append(
            Annotation(
                package=str(data.get("package") or ""),
                workspace=str(data.get("workspaceName") or ""),
                revision=str(data.get("revision") or ""),
                task=task if isinstance(task, dict) else None,
            )
        )
    return found


def workspace_of(message: str, package: PackagePath) -> str | None:
    for annotation in parse_annotations(message):
        if annotation.package == package.full and annotation.workspace:
            return annotation.workspace
    return None


def check_user_message(message: str) -> str:
    """The user's text for the commit body; it must not forge Porch annotations."""
    text = message.strip()
    for line in text.splitlines():
        if line.strip().startswith(ANNOTATION_PREFIX):
            raise PublishError(
                f"the message has a line starting with {ANNOTATION_PREFIX!r}, which Porch reads as its own annotation",
                hint="reword that line",
            )
    return text


def _message(subject: str, body: str, trailers: Iterable[str], annotation: Annotation) -> str:
    parts = [subject]
    if body:
        parts.append(body)
    parts.append("\n".join([*trailers, annotation.line()]))
    return "\n\n".join(parts) + "\n"


def draft_message(package: PackagePath, workspace: str, body: str = "", trailers: Iterable[str] = ()) -> str:
    """The draft commit: Porch's message for resources pushed to a new draft (a ``push`` task)."""
    annotation = Annotation(package.full, workspace, "0", {"type": "push"})
    return _message(PUSH_SUBJECT, body, trailers, annotation)


def approve_message(
    package: PackagePath, workspace: str, revision: int, body: str = "", trailers: Iterable[str] = ()
) -> str:
    """The commit on the deployment branch that publishes revision ``revision``."""
    annotation = Annotation(package.full, workspace, str(revision))
    subject = APPROVE_SUBJECT.format(path=package.full, revision=revision)
    return _message(subject, body, trailers, annotation)


def create_branch_message(branch: str) -> str:
    return CREATE_BRANCH_SUBJECT.format(branch=branch) + "\n"


@dataclass(frozen=True)
class PackageFile:
    """One file of a package: its path relative to the package and git mode."""

    path: str
    mode: str  # "100644" or "100755"


def check_package_paths(paths: Iterable[str]) -> None:
    """Names git and Porch can hold: relative, no ``.git``, no control characters."""
    for path in paths:
        parts = path.split("/")
        if path.startswith("/") or any(part in ("", ".", "..") for part in parts):
            raise PublishError(f"package file {path!r} has an unusable path")
        if ".git" in parts:
            raise PublishError(f"package file {path!r} is inside a .git directory")
        if any(ord(char) < 32 for char in path):
            raise PublishError(f"package file {path!r} has a control character in its name", hint="rename it")
