"""The gateway's configuration: command-line flags over environment variables over defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from o2krm.gateway.provisioning import OCloudSettings

DATA_ENV = "O2KRM_GATEWAY_DATA"
TOKEN_ENV = "O2KRM_GATEWAY_TOKEN"
BLUEPRINTS_ENV = "O2KRM_BLUEPRINTS"
DEFAULT_BLUEPRINT = "edge-ran"
DEFAULT_MAX_BODY = 1024 * 1024
DB_FILE = "gateway.db"
REPO_DIR = "deployments.git"
LOCK_FILE = "gateway.lock"
PUBLISH_CACHE_DIR = "publish-cache"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    blueprints: Path
    default_blueprint: str = DEFAULT_BLUEPRINT
    repo: str | None = None  # default: <data_dir>/deployments.git, created on first start
    package_directory: str = ""
    branch: str = "main"
    ocloud: OCloudSettings = field(default_factory=OCloudSettings)
    renderer: str = "in-process"
    render_process: bool = False  # render in a process of its own (see render_worker.py)
    token: str | None = None  # None: no authentication (only allowed on a loopback address)
    max_body_bytes: int = DEFAULT_MAX_BODY
    poll_interval: float = 1.0
    max_attempts: int = 5
    public_url: str = "http://127.0.0.1:8080"

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILE

    @property
    def publish_cache_dir(self) -> Path:
        """Where publishing keeps a copy of the deployment repository, fetched incrementally."""
        return self.data_dir / PUBLISH_CACHE_DIR

    @property
    def repo_location(self) -> str:
        return self.repo or str(self.data_dir / REPO_DIR)


def default_data_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get(DATA_ENV):
        return Path(env[DATA_ENV]).expanduser()
    state_home = env.get("XDG_STATE_HOME")
    base = Path(state_home) if state_home and os.path.isabs(state_home) else Path.home() / ".local" / "state"
    return base / "o2krm" / "gateway"


def default_blueprints(env: Mapping[str, str] | None = None) -> Path:
    """$O2KRM_BLUEPRINTS, else the repository's packages/ when running from a clone, else ./packages."""
    env = os.environ if env is None else env
    if env.get(BLUEPRINTS_ENV):
        return Path(env[BLUEPRINTS_ENV]).expanduser()
    clone = Path(__file__).resolve().parents[3] / "packages"
    return clone if clone.is_dir() else Path("packages")
