"""Publishing rendered packages as Porch package revisions (``o2krm.porch``), one at a time.

Revisions of every package land on the same deployment branch, so publishes are serialized
here; a push rejected because someone else published meanwhile is tried again. The gateway has
just rendered the package with the Kptfile pipeline (validators included), so the render check
``publish_revision`` runs is that render's verdict rather than a second render.

After a restart, a publish that may have completed before the gateway died is recognised: a
revision newer than the last one the gateway recorded is adopted instead of publishing again.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from o2krm.porch.checks import CheckReport
from o2krm.porch.errors import PublishError
from o2krm.tools import pipeline

CHECK_ENGINE = "o2krm-gateway (rendered in-process with the Kptfile pipeline before publishing)"
_ATTEMPTS = 3


@dataclass(frozen=True)
class Published:
    revision: int
    tag: str
    commit: str
    queued: float = 0.0  # seconds spent waiting for other publishes to the same branch


class Publisher:
    def __init__(
        self,
        repo: str,
        *,
        directory: str = "",
        branch: str = "main",
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.repo = repo
        self.directory = directory
        self.branch = branch
        self._log = log or (lambda _: None)
        self._lock = threading.Lock()

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
        """Publish ``files`` as the next revision of ``package``.

        ``resume``: this may be a retry of a publish interrupted by a restart; a revision newer
        than ``last_known`` is then taken to be it.
        """
        from o2krm.porch.publish import list_revisions, publish_revision, read_revision

        waiting = time.perf_counter()
        with self._lock:
            queued = time.perf_counter() - waiting
            if resume:
                revisions = list_revisions(self.repo, package, directory=self.directory)
                newest = max(revisions, default=0)
                if newest > (last_known or 0):
                    found = read_revision(self.repo, package, newest, directory=self.directory)
                    self._log(f"{package}: adopting revision {revisions[newest]} published before a restart")
                    return Published(newest, revisions[newest], found.commit, queued)
            with tempfile.TemporaryDirectory(prefix="o2krm-gateway-") as tmp:
                source = Path(tmp) / package
                pipeline.write_package(files, source)
                workspace: str | None = None
                for attempt in range(1, _ATTEMPTS + 1):
                    try:
                        publication = publish_revision(
                            self.repo,
                            package,
                            source,
                            message,
                            workspace=workspace,
                            branch=self.branch,
                            directory=self.directory,
                            create_branch=True,
                            allow_dirty=True,
                            check=_rendered,
                        )
                    except PublishError as err:
                        if attempt == _ATTEMPTS:
                            raise
                        if "is in use" in err.message or "was already used" in err.message:
                            # A draft left by an interrupted publish holds the default workspace name.
                            revisions = list_revisions(self.repo, package, directory=self.directory)
                            workspace = f"v{max(revisions, default=0) + 1}-r{attempt}"
                        self._log(f"{package}: publish attempt {attempt} failed ({err.message}); trying again")
                        continue
                    assert publication.revision is not None and publication.tag is not None
                    return Published(publication.revision, publication.tag, publication.commit, queued)
        raise AssertionError("unreachable")


def _rendered(_: Path) -> CheckReport:
    return CheckReport(CHECK_ENGINE)
