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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from o2krm.porch import layout
from o2krm.porch.checks import CheckReport, RenderCheck, default_render_check
from o2krm.porch.errors import PublishError
from o2krm.porch.git import (
    Scratch,
    TreeBuilder,
    direct_repository,
    local_checkout_branch,
    ls_remote,
    ls_remote_for,
    scratch_for,
)
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


@dataclass(frozen=True)
class Request:
    """One package to publish in ``publish_revisions``: its directory, or the package already
    read from it (``source``, from ``read_source``)."""

    pkg: str | None
    source_dir: Path | str
    message: str = ""
    workspace: str | None = None
    source: SourcePackage | None = None


@dataclass
class _Planned:
    """A request that passed its checks, on its way to commits."""

    index: int
    source: SourcePackage
    package: PackagePath
    body: str
    workspace: str
    revision: int
    report: CheckReport | None = None
    draft: str = ""
    approve: str = ""


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
    cache_dir: Path | None = None,
) -> Publication:
    """Publish ``source_dir`` as the next revision of package ``pkg`` (default: the Kptfile's name).

    ``cache_dir``: keep a repository per remote there and fetch only what it lacks (else a
    throw-away one fetches the deployment branch every time).
    """
    [outcome] = publish_revisions(
        repo,
        [Request(pkg, source_dir, message, workspace)],
        branch=branch,
        directory=directory,
        lifecycle=lifecycle,
        create_branch=create_branch,
        allow_dirty=allow_dirty,
        check=check,
        dry_run=dry_run,
        log=log,
        cache_dir=cache_dir,
    )
    if isinstance(outcome, PublishError):
        raise outcome
    return outcome


def publish_revisions(
    repo: str,
    requests: Sequence[Request],
    *,
    branch: str = layout.DEFAULT_BRANCH,
    directory: str = "",
    lifecycle: Lifecycle = Lifecycle.PUBLISHED,
    create_branch: bool = False,
    allow_dirty: bool = False,
    check: RenderCheck | None = None,
    dry_run: bool = False,
    log: Log = _quiet,
    cache_dir: Path | None = None,
) -> list[Publication | PublishError]:
    """Publish several packages together: one read of the repository, one push per lifecycle
    step carrying every package's refs (atomic), and revisions one after another on the
    deployment branch, as if they had been published one by one in the order given.

    Returns, per request, its Publication or the PublishError that refused it alone (the others
    go ahead). What refuses them all (the repository, the branch, a rejected push) is raised.
    """
    outcomes: list[Publication | PublishError | None] = [None] * len(requests)
    layout.validate_branch(branch)
    accepted: list[tuple[int, SourcePackage, PackagePath, str, str | None]] = []
    for index, request in enumerate(requests):
        try:
            source = request.source or read_source(Path(request.source_dir), allow_dirty=allow_dirty)
            package = PackagePath.parse(request.pkg or default_package_name(source), directory)
            body = layout.check_user_message(request.message)
            if request.workspace is not None:
                layout.validate_workspace(request.workspace)
        except PublishError as err:
            outcomes[index] = err
            continue
        accepted.append((index, source, package, body, request.workspace))
    if not accepted:
        return _finished(outcomes)

    refs = ls_remote_for(repo, branch, sorted({package.full for _, _, package, _, _ in accepted}))
    _check_target(repo, refs, branch, create_branch)
    render_check = check or default_render_check()
    with scratch_for(repo, cache_dir) as scratch:
        tags = {ref: sha for _, _, package, _, _ in accepted for ref, sha in _tag_refs(refs, package).items()}
        scratch.fetch_missing(tags)
        used = _used_workspaces(scratch, refs, {package for _, _, package, _, _ in accepted})
        planned: list[_Planned] = []
        for index, source, package, body, workspace in accepted:
            try:
                item = _plan(refs, package, workspace, used, source, body, index)
                item.report = _render_check(source, render_check, log)
            except PublishError as err:
                outcomes[index] = err
                continue
            used.setdefault(package, {})[item.workspace] = package.tag(item.revision)
            planned.append(item)
        if not planned:
            return _finished(outcomes)
        base = refs.branch(branch)
        if base is not None:
            scratch.fetch_missing({HEADS + branch: base})
        _build_commits(scratch, base, branch, planned)
        steps = _pushes(planned, branch)[: list(Lifecycle).index(lifecycle) + 1]
        if dry_run:
            log("dry run: nothing pushed")
        else:
            _push_steps(scratch, steps, log, expected={HEADS + branch: base})
    published = lifecycle is Lifecycle.PUBLISHED
    for item in planned:
        mine = {HEADS + item.package.draft_branch(item.workspace), HEADS + item.package.proposed_branch(item.workspace)}
        mine.add(TAGS + item.package.tag(item.revision))
        final_refs = tuple(
            destination
            for source_ref, destination in steps[-1][1]
            if source_ref and (destination in mine or destination == HEADS + branch)
        )
        assert item.report is not None
        outcomes[item.index] = Publication(
            repo=repo,
            package=item.package,
            branch=branch,
            workspace=item.workspace,
            lifecycle=lifecycle,
            revision=item.revision if published else None,
            draft_commit=item.draft,
            commit=item.approve if published else item.draft,
            refs=final_refs,
            check=item.report,
            dry_run=dry_run,
        )
    return _finished(outcomes)


def _finished(outcomes: list[Publication | PublishError | None]) -> list[Publication | PublishError]:
    assert all(outcome is not None for outcome in outcomes)
    return [outcome for outcome in outcomes if outcome is not None]


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
    with scratch_for(repo, None, prefix="o2krm-read-") as scratch:
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
    checked_out = local_checkout_branch(repo) if direct_repository(repo) is None else None  # direct: bare
    if checked_out is not None and checked_out == branch:
        raise PublishError(
            f"{repo} is a clone with {branch!r} checked out; git refuses pushes to a checked-out branch",
            hint="publish to a bare repository (the clone's origin, or: git clone --bare)",
        )


def _tag_refs(refs: RemoteRefs, package: PackagePath) -> dict[str, str]:
    """The package's revision tags, ref -> commit."""
    return {ref: refs.refs[ref] for ref in refs.revisions(package).values()}


def _used_workspaces(
    scratch: Scratch, refs: RemoteRefs, packages: set[PackagePath]
) -> dict[PackagePath, dict[str, str]]:
    """Per package, the workspaces its published revisions used (workspace -> tag)."""
    tagged = [
        (package, revision, ref) for package in sorted(packages) for revision, ref in refs.revisions(package).items()
    ]
    messages = scratch.messages([f"{refs.refs[ref]}^{{commit}}" for _, _, ref in tagged])
    used: dict[PackagePath, dict[str, str]] = {}
    for (package, revision, _), message in zip(tagged, messages, strict=True):
        workspace = layout.workspace_of(message, package)
        if workspace is not None:
            used.setdefault(package, {}).setdefault(workspace, package.tag(revision))
    return used


def _plan(
    refs: RemoteRefs,
    package: PackagePath,
    workspace: str | None,
    used: Mapping[PackagePath, Mapping[str, str]],
    source: SourcePackage,
    body: str,
    index: int,
) -> _Planned:
    """Revision number and workspace of a package, checked against the repository and against
    the requests before it in the same batch (``used`` has their workspaces)."""
    taken = used.get(package, {})
    revision = max([refs.next_revision(package), *(_revision_of(package, tag) + 1 for tag in taken.values())])
    workspace = workspace or f"v{revision}"
    layout.validate_workspace(workspace)
    _check_workspace_is_free(refs, package, workspace)
    if workspace in taken:
        raise PublishError(
            f"workspace {workspace!r} was already used by {taken[workspace]}",
            hint="Porch needs a new workspace name per revision: pass another --workspace",
        )
    return _Planned(index, source, package, body, workspace, revision)


def _revision_of(package: PackagePath, tag: str) -> int:
    return package.revision_of_tag(tag) or 0


def _check_workspace_is_free(refs: RemoteRefs, package: PackagePath, workspace: str) -> None:
    open_branch = refs.open_workspaces(package).get(workspace)
    if open_branch:
        raise PublishError(
            f"workspace {workspace!r} of {package.full} is in use: branch {open_branch} exists",
            hint="choose another --workspace, or approve or delete that revision in Porch first",
        )


# --- commits and pushes ----------------------------------------------------------------------------
def _build_commits(scratch: Scratch, base: str | None, branch: str, planned: Sequence[_Planned]) -> None:
    """Each revision's draft commit and the deployment-branch commit that publishes it, each on
    top of the one before, as Porch would write them one after another."""
    if base is None:
        base = scratch.commit(scratch.empty_tree(), [], layout.create_branch_message(branch))
    files = [(item.source, f) for item in planned for f in item.source.files]
    if scratch.direct or any(source.contents is not None for source, _ in files):
        shas = iter(scratch.hash_blobs([source.read(f.path) for source, f in files]))
    else:
        shas = iter(scratch.hash_files([source.root / f.path for source, f in files]))
    builder = TreeBuilder(scratch)
    trees: list[str] = []
    base_tree = f"{base}^{{tree}}"
    for item in planned:
        blobs = [(f.mode, f.path, next(shas)) for f in item.source.files]
        base_tree = builder.with_package(base_tree, item.package.full, blobs)
        trees.append(base_tree)
    builder.write()
    commits = scratch.commit_writer()
    for item, tree in zip(planned, trees, strict=True):
        trailers = [f"O2krm-Source-Commit: {item.source.commit}"] if item.source.commit else []
        item.draft = commits.commit(
            tree, [base], layout.draft_message(item.package, item.workspace, item.body, trailers)
        )
        item.approve = commits.commit(
            tree,
            [base, item.draft],
            layout.approve_message(item.package, item.workspace, item.revision, item.body, trailers),
        )
        base = item.approve
    commits.write()


Step = tuple[Lifecycle, list[tuple[str, str]]]


def _pushes(planned: Sequence[_Planned], branch: str) -> list[Step]:
    drafts: list[tuple[str, str]] = []
    proposed: list[tuple[str, str]] = []
    published: list[tuple[str, str]] = [(planned[-1].approve, HEADS + branch)]
    for item in planned:
        draft_ref = HEADS + item.package.draft_branch(item.workspace)
        proposed_ref = HEADS + item.package.proposed_branch(item.workspace)
        drafts.append((item.draft, draft_ref))
        proposed += [(item.draft, proposed_ref), ("", draft_ref)]
        published += [(item.approve, TAGS + item.package.tag(item.revision)), ("", proposed_ref)]
    return [(Lifecycle.DRAFT, drafts), (Lifecycle.PROPOSED, proposed), (Lifecycle.PUBLISHED, published)]


def _push_steps(scratch: Scratch, steps: list[Step], log: Log, *, expected: dict[str, str | None]) -> None:
    """Push each lifecycle step; ``expected``: where refs are before the first (the deployment
    branch as read), kept up to date with each step."""
    expected = dict(expected)
    created: list[str] = []  # the branches this run left on the remote so far
    described = [(f"pushing the {lifecycle.value.lower()} revision", updates) for lifecycle, updates in steps]
    # Into a repository written directly, every step in one git process; else one push a step.
    done, refused = scratch.update_refs_in_turn(described, expected) if scratch.direct else (len(steps), None)
    for number, (lifecycle, updates) in enumerate(steps):
        error = refused if number == done else None
        if not scratch.direct:
            try:
                scratch.push(updates, what=described[number][0], expected=expected)
            except PublishError as err:
                error = err
        if error is not None:
            undone = _undo(scratch, created, expected)
            raise PublishError(
                error.message,
                details=undone,
                hint="nothing was published; if the deployment branch moved meanwhile, publish again",
            ) from None
        created = [dst for src, dst in updates if src and dst.startswith(HEADS) and _is_lifecycle_ref(dst)]
        expected.update((dst, src or None) for src, dst in updates)
        log(f"{lifecycle.value}: " + ", ".join(_describe(src, dst) for src, dst in updates))


def _is_lifecycle_ref(ref: str) -> bool:
    name = ref[len(HEADS) :]
    return name.startswith((layout.DRAFTS_PREFIX, layout.PROPOSED_PREFIX))


def _undo(scratch: Scratch, created: Sequence[str], expected: Mapping[str, str | None]) -> tuple[str, ...]:
    if not created:
        return ()
    names = [ref[len(HEADS) :] for ref in created]
    try:
        scratch.push([("", ref) for ref in created], what="removing " + ", ".join(names), expected=expected)
    except PublishError as err:
        return tuple(f"could not remove {name}: {err.message}" for name in names)
    return tuple(f"removed {name} again" for name in names)


def _describe(source: str, destination: str) -> str:
    name = destination.removeprefix(HEADS).removeprefix(TAGS)
    return f"deleted {name}" if not source else f"{name} -> {source[:12]}"
