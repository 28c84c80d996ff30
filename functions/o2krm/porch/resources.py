"""The Porch resources for a published revision: the Repository to register the git repository
with Porch (config.porch.kpt.dev/v1alpha1), and the PackageRevision Porch will serve for it
(porch.kpt.dev/v1alpha1) once it has synced.

Porch discovers revisions from git by itself; the PackageRevision is printed so a user can
check what Porch reports (``kubectl get packagerevision <name>``), not to be applied.
"""

from __future__ import annotations

import re
from typing import Any

from o2krm.porch.errors import PublishError
from o2krm.porch.layout import Lifecycle, PackagePath, dns_label_problem

REPOSITORY_API = "config.porch.kpt.dev/v1alpha1"
PACKAGE_REVISION_API = "porch.kpt.dev/v1alpha1"
_DNS_SUBDOMAIN_MAX = 253


def repository_name_for(repo: str) -> str:
    """A Kubernetes name for a repository from its URL or path: its last segment, without ``.git``."""
    last = re.split(r"[/:]", repo.rstrip("/"))[-1]
    last = last.removesuffix(".git").lower()
    name = re.sub(r"[^a-z0-9-]+", "-", last).strip("-")[:63].strip("-")
    if dns_label_problem(name):
        raise PublishError(f"cannot derive a Repository name from {repo!r}", hint="pass --repository-name")
    return name


def package_revision_name(repository: str, package: PackagePath, workspace: str) -> str:
    """Porch's object name for a package revision: ``<repository>.<package, dotted>.<workspace>``."""
    name = f"{repository}.{package.dotted}.{workspace}"
    if len(name) > _DNS_SUBDOMAIN_MAX:
        raise PublishError(
            f"PackageRevision name {name!r} is longer than {_DNS_SUBDOMAIN_MAX} characters",
            hint="use a shorter repository, package or workspace name",
        )
    return name


def repository_resource(
    name: str,
    repo_url: str,
    *,
    branch: str,
    directory: str = "",
    deployment: bool = True,
    namespace: str = "default",
    secret_ref: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    problem = dns_label_problem(name)
    if problem:
        raise PublishError(f"Repository name {name!r} {problem}", hint="pass --repository-name")
    git: dict[str, Any] = {"repo": repo_url, "branch": branch}
    if directory:
        git["directory"] = directory
    if secret_ref:
        git["secretRef"] = {"name": secret_ref}
    spec: dict[str, Any] = {
        "description": description or f"o2krm packages in {repo_url}",
        "type": "git",
        "deployment": deployment,
        "git": git,
    }
    return {
        "apiVersion": REPOSITORY_API,
        "kind": "Repository",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def package_revision_resource(
    repository: str,
    package: PackagePath,
    workspace: str,
    lifecycle: Lifecycle,
    revision: int | None,
    *,
    namespace: str = "default",
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "packageName": package.name,
        "repository": repository,
        "workspaceName": workspace,
    }
    if revision is not None:
        spec["revision"] = revision
    spec["lifecycle"] = lifecycle.value
    spec["tasks"] = [{"type": "push"}]
    return {
        "apiVersion": PACKAGE_REVISION_API,
        "kind": "PackageRevision",
        "metadata": {"name": package_revision_name(repository, package, workspace), "namespace": namespace},
        "spec": spec,
    }
