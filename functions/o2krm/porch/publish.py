"""Publish a rendered package as the next Porch package revision in a git repository, and read
revisions back (what a rollback republishes).

Everything that can refuse is checked before anything is pushed: the package (a Kptfile, only
regular files, committed where it lives), the repository (reachable, the deployment branch, the
workspace free), and the render check. Then, as Porch does it, the revision goes through
``drafts/<pkg>/<ws>`` and ``proposed/<pkg>/<ws>`` to a commit on the deployment branch tagged
``<pkg>/v<N>``. Pushes are never forced; if a later step is rejected (someone else published
meanwhile), the branches this run created are deleted again and nothing is published.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from o2krm.porch import layout
from o2krm.porch.checks import CheckReport, RenderCheck, default_render_check
from o2krm.porch.errors import PublishError
from o2krm.porch.git import Scratch, local_checkout_branch, ls_remote
from o2krm.porch.layout import HEADS, TAGS, Lifecycle, PackagePath, RemoteRefs
from o2krm.porch.source import SourcePackage, default_package_name, read_source

Log = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class Publication:
    """A revision as published (or, with ``dry_run``, as it would be)."""

    repo: str
    package: PackagePath
    branch: str
    workspace: str
    lifecycle: Lifecycle
    revision: int | None  # Porch numbers revisions when they are published
    draft_commit: str
    commit: str  # where the revision's lifecycle ends: the deployment-branch commit when published
    refs: tuple[str, ...]  # what exists on the remote for it afterwards
    check: CheckReport
    dry_run: bool = False

    @property
    def tag(self) -> str | None:
        return self.package.tag(self.revision) if self.revision is not None else None


@dataclass(frozen=True)
class Revision:
    """A published revision's files, read back from its tag."""

    package: PackagePath
    revision: int
    workspace: str | None
    commit: str
    files: Mapping[str, bytes]
    executable: frozenset[str] = field(default_factory=frozenset)

    def write_to(self, directory: Path) -> None:
        """Write the package into ``directory``, which must not exist or be empty."""
        if directory.exists() and any(directory.iterdir()):
            raise PublishError(f"{directory} is not empty", hint="give a new or empty directory")
        for path, content in sorted(self.files.items()):
            target = directory / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            if path in self.executable:
                target.chmod(0o755)


def publish_revision(
    repo: str,
    pkg: str | None,
    source_dir: Path | str,
    message: str = "",
    *,
    workspace: str | None = None,
    branch: str = layout.DEFAULT_BRANCH,
    directory: str = "",
    lifecycle: Lifecycle = Lifecycle.PUBLISHED,
    create_branch: bool = False,
    allow_dirty: bool = False,
    check: RenderCheck | None = None,
    dry_run: bool = False,
    log: Log = _quiet,
) -> Publication:
    """Publish ``source_dir`` as the next revision of package ``pkg`` (default: the Kptfile's name)."""
    source = read_source(Path(source_dir), allow_dirty=allow_dirty)
    package = PackagePath.parse(pkg or default_package_name(source), directory)
    layout.validate_branch(branch)
    body = layout.check_user_message(message)
    if workspace is not None:
        layout.validate_workspace(workspace)

    refs = ls_remote(repo)
    _check_target(repo, refs, branch, create_branch)
    revision = refs.next_revision(package)
    workspace = workspace or f"v{revision}"
    layout.validate_workspace(workspace)
    _check_workspace_is_free(refs, package, workspace)

    with tempfile.TemporaryDirectory(prefix="o2krm-publish-") as tmp:
        scratch = Scratch(Path(tmp) / "repo", repo)
        _check_workspace_unpublished(scratch, refs, package, workspace)
        report = _render_check(source, check or default_render_check(), log)
        draft, approve = _build_commits(scratch, refs, package, workspace, revision, branch, source, body)
        plan = _pushes(package, workspace, revision, branch, draft, approve)
        steps = plan[: list(Lifecycle).index(lifecycle) + 1]
        if dry_run:
            log("dry run: nothing pushed")
        else:
            _push_steps(scratch, steps, log)
    published = lifecycle is Lifecycle.PUBLISHED
    final_refs = tuple(destination for source_ref, destination in steps[-1][1] if source_ref)
    return Publication(
        repo=repo,
        package=package,
        branch=branch,
        workspace=workspace,
        lifecycle=lifecycle,
        revision=revision if published else None,
        draft_commit=draft,
        commit=approve if published else draft,
        refs=final_refs,
        check=report,
        dry_run=dry_run,
    )


def list_revisions(repo: str, pkg: str, *, directory: str = "") -> dict[int, str]:
    """Published revisions of ``pkg``: N -> tag."""
    package = PackagePath.parse(pkg, directory)
    return {n: ref[len(TAGS) :] for n, ref in ls_remote(repo).revisions(package).items()}


def read_revision(repo: str, pkg: str, revision: int, *, directory: str = "") -> Revision:
    """The files of revision ``revision`` of ``pkg`` as tagged ``<pkg>/v<revision>``."""
    package = PackagePath.parse(pkg, directory)
    refs = ls_remote(repo)
    available = refs.revisions(package)
    if revision not in available:
        have = ", ".join(f"v{n}" for n in available) or "none"
        raise PublishError(
            f"{package.full} has no revision {revision} in {repo} (published: {have})",
            hint=f"list them with: git ls-remote --tags {repo} '{package.full}/v*'",
        )
    tag_ref = available[revision]
    with tempfile.TemporaryDirectory(prefix="o2krm-read-") as tmp:
        scratch = Scratch(Path(tmp) / "repo", repo)
        scratch.fetch([tag_ref])
        commit = scratch.commit_of(tag_ref)
        entries = scratch.list_tree(commit, package.full)
        if not any(entry.path == "Kptfile" for entry in entries):
            raise PublishError(f"{tag_ref[len(TAGS) :]} has no {package.full}/Kptfile: not a package revision")
        blobs = scratch.read_blobs([entry.sha for entry in entries])
        workspace = layout.workspace_of(scratch.message(commit), package)
    return Revision(
        package=package,
        revision=revision,
        workspace=workspace,
        commit=commit,
        files={entry.path: blob for entry, blob in zip(entries, blobs, strict=True)},
        executable=frozenset(entry.path for entry in entries if entry.mode == "100755"),
    )


def _render_check(source: SourcePackage, check: RenderCheck, log: Log) -> CheckReport:
    report = check(source.root)
    if not report.ok:
        raise PublishError(
            f"refusing to publish {source.root}: {report.engine} reports problems",
            details=tuple(line for problem in report.problems for line in problem.splitlines()),
            hint="render it (kpt fn render DIR --allow-exec), fix what it reports, commit, and publish again",
        )
    log(f"{report.engine}: the package renders cleanly and unchanged")
    return report


# --- checks against the repository ---------------------------------------------------------------
def _check_target(repo: str, refs: RemoteRefs, branch: str, create_branch: bool) -> None:
    if refs.branch(branch) is None and not create_branch:
        raise PublishError(
            f"{repo} has no branch {branch!r}",
            hint="pass --create-branch to create it (as Porch does with spec.git.createBranch), or --branch",
        )
    checked_out = local_checkout_branch(repo)
    if checked_out is not None and checked_out == branch:
        raise PublishError(
            f"{repo} is a clone with {branch!r} checked out; git refuses pushes to a checked-out branch",
            hint="publish to a bare repository (the clone's origin, or: git clone --bare)",
        )


def _check_workspace_is_free(refs: RemoteRefs, package: PackagePath, workspace: str) -> None:
    open_branch = refs.open_workspaces(package).get(workspace)
    if open_branch:
        raise PublishError(
            f"workspace {workspace!r} of {package.full} is in use: branch {open_branch} exists",
            hint="choose another --workspace, or approve or delete that revision in Porch first",
        )


def _check_workspace_unpublished(scratch: Scratch, refs: RemoteRefs, package: PackagePath, workspace: str) -> None:
    tags = refs.revisions(package)
    scratch.fetch(tags.values())
    for revision, tag_ref in tags.items():
        if layout.workspace_of(scratch.message(tag_ref), package) == workspace:
            raise PublishError(
                f"workspace {workspace!r} was already used by {package.tag(revision)}",
                hint="Porch needs a new workspace name per revision: pass another --workspace",
            )


# --- commits and pushes ----------------------------------------------------------------------------
def _build_commits(
    scratch: Scratch,
    refs: RemoteRefs,
    package: PackagePath,
    workspace: str,
    revision: int,
    branch: str,
    source: SourcePackage,
    body: str,
) -> tuple[str, str]:
    """The draft commit and the deployment-branch commit that publishes it."""
    base = refs.branch(branch)
    if base is not None:
        scratch.fetch([HEADS + branch])
    else:
        base = scratch.commit(scratch.empty_tree(), [], layout.create_branch_message(branch))
    tree = scratch.tree_with_package(base, package.full, source.root, source.files)
    trailers = [f"O2krm-Source-Commit: {source.commit}"] if source.commit else []
    draft = scratch.commit(tree, [base], layout.draft_message(package, workspace, body, trailers))
    approve = scratch.commit(tree, [base, draft], layout.approve_message(package, workspace, revision, body, trailers))
    return draft, approve


Step = tuple[Lifecycle, list[tuple[str, str]]]


def _pushes(package: PackagePath, workspace: str, revision: int, branch: str, draft: str, approve: str) -> list[Step]:
    draft_ref = HEADS + package.draft_branch(workspace)
    proposed_ref = HEADS + package.proposed_branch(workspace)
    return [
        (Lifecycle.DRAFT, [(draft, draft_ref)]),
        (Lifecycle.PROPOSED, [(draft, proposed_ref), ("", draft_ref)]),
        (Lifecycle.PUBLISHED, [(approve, HEADS + branch), (approve, TAGS + package.tag(revision)), ("", proposed_ref)]),
    ]


def _push_steps(scratch: Scratch, steps: list[Step], log: Log) -> None:
    created: str | None = None  # the branch this run left on the remote so far
    for lifecycle, updates in steps:
        try:
            scratch.push(updates, what=f"pushing the {lifecycle.value.lower()} revision")
        except PublishError as err:
            undone = _undo(scratch, created)
            raise PublishError(
                err.message,
                details=(undone,) if undone else (),
                hint="nothing was published; if the deployment branch moved meanwhile, publish again",
            ) from None
        created = next((dst for src, dst in updates if src and dst.startswith(HEADS) and _is_lifecycle_ref(dst)), None)
        log(f"{lifecycle.value}: " + ", ".join(_describe(src, dst) for src, dst in updates))


def _is_lifecycle_ref(ref: str) -> bool:
    name = ref[len(HEADS) :]
    return name.startswith((layout.DRAFTS_PREFIX, layout.PROPOSED_PREFIX))


def _undo(scratch: Scratch, created: str | None) -> str:
    if created is None:
        return ""
    try:
        scratch.push([("", created)], what="removing " + created)
    except PublishError as err:
        return f"could not remove {created[len(HEADS) :]}: {err.message}"
    return f"removed {created[len(HEADS) :]} again"


def _describe(source: str, destination: str) -> str:
    name = destination.removeprefix(HEADS).removeprefix(TAGS)
    return f"deleted {name}" if not source else f"{name} -> {source[:12]}"
