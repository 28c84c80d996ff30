"""o2krm-publish: publish a rendered kpt package as the next Porch package revision in a git repository.

The revision goes through Porch's git layout: branch drafts/<pkg>/<workspace>, then
proposed/<pkg>/<workspace>, then a commit on the deployment branch tagged <pkg>/v<N>. The
package is refused when rendering it again fails, reports an error or changes it.

Exit codes: 0 published (or would be, with --dry-run); 1 refused or failed, nothing published;
2 bad command line.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from o2krm import __version__

if TYPE_CHECKING:
    from o2krm.porch.publish import Publication

PROG = "o2krm-publish"


def _parser() -> argparse.ArgumentParser:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=doc.split("\n\n")[0] + "\n\n" + doc.split("\n\n")[1],
        epilog="examples:\n"
        "  o2krm-publish packages/edge-ran --repo ../deployments.git -m 'edge RAN for us-west-1'\n"
        "  o2krm-publish packages/edge-ran --repo https://git.example.com/ran/deployments.git \\\n"
        "      --emit-porch-resources -n porch-demo > porch.yaml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("package_dir", metavar="PACKAGE_DIR", type=Path, help="the rendered package to publish")
    parser.add_argument("--repo", required=True, help="the git repository: a local path or a URL")
    parser.add_argument("--package", help="package name (its directory in the repository); default: the Kptfile's name")
    parser.add_argument(
        "--directory", default="", help="directory of the packages in the repository (Porch's spec.git.directory)"
    )
    parser.add_argument("--branch", default="main", help="deployment branch (default: main)")
    parser.add_argument("--workspace", help="Porch workspace name of the revision (default: v<N>)")
    parser.add_argument("-m", "--message", default="", help="what changed, written into the commit messages")
    parser.add_argument(
        "--lifecycle",
        choices=("Draft", "Proposed", "Published"),
        default="Published",
        help="stop as a Draft or Proposed revision for review in Porch (default: Published)",
    )
    parser.add_argument("--create-branch", action="store_true", help="create the deployment branch if it is missing")
    parser.add_argument(
        "--allow-dirty", action="store_true", help="publish even if the package has uncommitted changes"
    )
    parser.add_argument("--dry-run", action="store_true", help="check everything and build the commits, push nothing")
    porch = parser.add_argument_group("Porch resources (--emit-porch-resources)")
    porch.add_argument(
        "--emit-porch-resources",
        action="store_true",
        help="print the Repository and PackageRevision YAML for a cluster running Porch on stdout",
    )
    porch.add_argument("--repository-name", help="Repository name (default: from the repository URL)")
    porch.add_argument("-n", "--namespace", default="default", help="namespace of the Porch resources")
    porch.add_argument("--porch-repo-url", help="the URL Porch should clone (default: --repo)")
    porch.add_argument("--secret-ref", help="Secret with the git credentials Porch should use")
    porch.add_argument(
        "--deployment",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="mark the Repository as a deployment repository (default: yes)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="say what is pushed")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from o2krm.porch.errors import PublishError

    try:
        return _run(args)
    except PublishError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 1
    except Exception as err:  # a bug, not bad input: one line unless debugging
        if os.environ.get("O2KRM_DEBUG", "") not in ("", "0"):
            traceback.print_exc()
        print(f"{PROG}: internal error: {type(err).__name__}: {err} (set O2KRM_DEBUG=1 for details)", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    from o2krm.porch.errors import PublishError
    from o2krm.porch.layout import Lifecycle, dns_label_problem
    from o2krm.porch.publish import publish_revision
    from o2krm.porch.resources import repository_name_for

    def log(line: str) -> None:
        if args.verbose:
            print(f"{PROG}: {line}", file=sys.stderr)

    # Resolve the Repository name up front, so a bad one refuses before anything is pushed.
    repository = ""
    if args.emit_porch_resources:
        repository = args.repository_name or repository_name_for(args.porch_repo_url or args.repo)
        problem = dns_label_problem(repository)
        if problem:
            raise PublishError(f"Repository name {repository!r} {problem}", hint="pass --repository-name")
    publication = publish_revision(
        args.repo,
        args.package,
        args.package_dir,
        args.message,
        workspace=args.workspace,
        branch=args.branch,
        directory=args.directory,
        lifecycle=Lifecycle(args.lifecycle),
        create_branch=args.create_branch,
        allow_dirty=args.allow_dirty,
        dry_run=args.dry_run,
        log=log,
    )
    verb = "would publish" if publication.dry_run else "published"
    where = publication.tag or ", ".join(ref.split("/", 2)[-1] for ref in publication.refs)
    print(
        f"{PROG}: {verb} {publication.package.full} workspace {publication.workspace} "
        f"as {publication.lifecycle.value} ({where}) in {args.repo}",
        file=sys.stderr,
    )
    if args.emit_porch_resources:
        sys.stdout.write(_porch_yaml(args, repository, publication))
    else:
        print(where)
    return 0


def _porch_yaml(args: argparse.Namespace, repository: str, publication: Publication) -> str:
    from o2krm.porch.resources import package_revision_resource, repository_resource
    from o2krm.sdk import yamlio

    url = args.porch_repo_url or args.repo
    if args.porch_repo_url is None and "://" not in url and "@" not in url:
        print(f"{PROG}: note: {url} is a local path; pass --porch-repo-url with a URL Porch can clone", file=sys.stderr)
    docs = [
        repository_resource(
            repository,
            url,
            branch=publication.branch,
            directory=publication.package.directory,
            deployment=args.deployment,
            namespace=args.namespace,
            secret_ref=args.secret_ref,
        ),
        package_revision_resource(
            repository,
            publication.package,
            publication.workspace,
            publication.lifecycle,
            publication.revision,
            namespace=args.namespace,
        ),
    ]
    return "---\n".join(yamlio.dump(doc) for doc in docs)


if __name__ == "__main__":
    raise SystemExit(main())
