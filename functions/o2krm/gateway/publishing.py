"""Publishing rendered packages as Porch package revisions (``o2krm.porch``), together.

Revisions of every package land on the same deployment branch, so only one publish can run at
a time. Rather than queueing one by one, the intents that arrive while a publish runs wait for
the next one and then go together: one read of the repository, one atomic push per lifecycle
step with every package's refs (``publish_revisions``), each intent still with its own
revision, commit and tag. A push rejected because someone else published meanwhile is tried
again. The gateway has just rendered the package with the Kptfile pipeline (validators
included), so the render check ``o2krm.porch`` runs is that render's verdict rather than a
second render.

After a restart, a publish that may have completed before the gateway died is recognised: a
revision newer than the last one the gateway recorded is adopted instead of publishing again.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from o2krm.gateway.combiner import Combiner
from o2krm.gateway.publish_worker import WorkerClient, publish_together
from o2krm.porch.errors import PublishError

_ATTEMPTS = 3
MAX_BATCH = 32  # packages per publish: bounds the time the last of them waits for the push


@dataclass(frozen=True)
class Published:
    revision: int
    tag: str
    commit: str
    queued: float = 0.0  # seconds spent waiting for other publishes to the same branch


@dataclass
class _Job:
    """One package waiting to be published, and what became of it."""

    package: str
    files: dict[str, str]  # the rendered package: path -> text
    message: str
    last_known: int | None
    resume: bool
    enqueued: float
    started: float = 0.0
    workspace: str | None = None
    result: Published | None = None
    error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self.result is not None or self.error is not None

    def succeed(self, revision: int, tag: str, commit: str) -> None:
        self.result = Published(revision, tag, commit, self.started - self.enqueued)


class Publisher:
    def __init__(
        self,
        repo: str,
        *,
        directory: str = "",
        branch: str = "main",
        log: Callable[[str], None] | None = None,
        cache_dir: Path | None = None,
        separate_process: bool = False,
    ) -> None:
        self.repo = repo
        self.directory = directory
        self.branch = branch
        self.cache_dir = cache_dir  # where o2krm.porch keeps its copy of the repository between publishes
        self._log = log or (lambda _: None)
        # Jobs that arrive while a batch publishes go together in the next one: one job per
        # package (a second revision of a package waits for the batch after), at most MAX_BATCH.
        self._publishing: Combiner[_Job, None] = Combiner(
            self._publish_batch, key=lambda job: job.package, limit=MAX_BATCH
        )
        # The git work of a batch in a process of its own, away from the gateway's interpreter lock.
        self._worker = WorkerClient() if separate_process else None

    def close(self) -> None:
        """Stop the publishing process, if there is one (it is started again when needed)."""
        if self._worker is not None:
            self._worker.close()

    def ensure_local_repository(self) -> None:
        """Create ``repo`` as a bare git repository when it is a local path that does not exist."""
        path = Path(self.repo)
        if "://" in self.repo or path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            ["git", "init", "-q", "--bare", "--initial-branch", self.branch, str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise PublishError(f"cannot create the deployment repository {path}: {proc.stderr.strip()}")
        # Pushes into this repository come from the gateway alone: no automatic gc after each one.
        for key, value in (("receive.autogc", "false"), ("gc.auto", "0"), ("maintenance.auto", "false")):
            subprocess.run(["git", "-C", str(path), "config", key, value], check=False, capture_output=True)
        self._log(f"created the deployment repository {path} (bare, branch {self.branch})")

    def publish(
        self, package: str, files: Mapping[str, str], message: str, *, last_known: int | None, resume: bool
    ) -> Published:
        """Publish ``files`` as the next revision of ``package``, together with whatever other
        packages are waiting by the time the publish ahead of it has finished.

        ``resume``: this may be a retry of a publish interrupted by a restart; a revision newer
        than ``last_known`` is then taken to be it.
        """
        job = _Job(package, dict(files), message, last_known, resume, time.perf_counter())
        try:
            self._publishing.submit(job)
        except BaseException:
            if not job.done:
                raise
        if job.error is not None:
            raise job.error
        assert job.result is not None
        return job.result

    def _publish_batch(self, batch: Sequence[_Job]) -> list[None]:
        started = time.perf_counter()
        for job in batch:
            job.started = started
        try:
            pending = [job for job in batch if not (job.resume and self._adopt(job))]
            for attempt in range(1, _ATTEMPTS + 1):
                pending = self._attempt(pending, attempt)
                if not pending:
                    break
        except BaseException as err:  # every waiting request hears of it, not only this thread's
            for job in batch:
                if not job.done:
                    job.error = err
            raise
        for job in batch:
            if not job.done:
                job.error = PublishError(f"{job.package}: not published")
        return [None] * len(batch)  # what became of each job is on the job

    def _attempt(self, jobs: Sequence[_Job], attempt: int) -> list[_Job]:
        """Publish ``jobs`` together once; returns those to try again."""
        from o2krm.porch.publish import list_revisions

        last = attempt == _ATTEMPTS
        requests = [
            {"pkg": job.package, "files": job.files, "message": job.message, "workspace": job.workspace} for job in jobs
        ]
        publish = self._worker.publish if self._worker is not None else publish_together
        try:
            outcomes = publish(
                self.repo, requests, branch=self.branch, directory=self.directory, cache_dir=self.cache_dir
            )
        except PublishError as err:
            if last:
                for job in jobs:
                    job.error = err
                return []
            self._log(f"publishing {_names(jobs)}: attempt {attempt} failed ({err.message}); trying again")
            return list(jobs)
        again: list[_Job] = []
        for job, outcome in zip(jobs, outcomes, strict=True):
            if not isinstance(outcome, PublishError):
                job.succeed(*outcome)
            elif last:
                job.error = outcome
            else:
                if "is in use" in outcome.message or "was already used" in outcome.message:
                    # A draft left by an interrupted publish holds the default workspace name.
                    revisions = list_revisions(self.repo, job.package, directory=self.directory)
                    job.workspace = f"v{max(revisions, default=0) + 1}-r{attempt}"
                self._log(f"{job.package}: publish attempt {attempt} failed ({outcome.message}); trying again")
                again.append(job)
        return again

    def _adopt(self, job: _Job) -> bool:
        """Take a revision newer than the job's last known one as its own (published before a
        restart); True when there is one."""
        from o2krm.porch.publish import list_revisions, read_revision

        revisions = list_revisions(self.repo, job.package, directory=self.directory)
        newest = max(revisions, default=0)
        if newest <= (job.last_known or 0):
            return False
        found = read_revision(self.repo, job.package, newest, directory=self.directory)
        self._log(f"{job.package}: adopting revision {revisions[newest]} published before a restart")
        job.succeed(newest, revisions[newest], found.commit)
        return True


def _names(jobs: Sequence[_Job]) -> str:
    return ", ".join(job.package for job in jobs)
