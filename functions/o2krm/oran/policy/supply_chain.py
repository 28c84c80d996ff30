"""Supply chain: every container image is pinned by digest or verified by an enforcing Kyverno policy.

An image counts as covered when a Kyverno ClusterPolicy (or a Policy in the workload's namespace)
in the package has a verifyImages rule whose imageReferences match it, none of its
skipImageReferences do, and whose failure action is Enforce: an Audit-mode policy reports an
unsigned image but still admits it. Matching follows Kyverno: ``*`` and ``?`` wildcards against
the image as written and in its normalised form (docker.io/library/nginx:latest). The rule's
``match`` block is not evaluated: a policy in the package is taken to apply to the package.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Final

from o2krm.oran.policy.package import Item, Package, Violation, as_list, as_map, path
from o2krm.oran.policy.pod_security import POD_TEMPLATE_PATHS, pod_template

KYVERNO_GROUP: Final = "kyverno.io"
KYVERNO_POLICY_KINDS: Final = {(KYVERNO_GROUP, "ClusterPolicy"): None, (KYVERNO_GROUP, "Policy"): None}
_DIGEST = re.compile(r"@sha(256:[0-9a-f]{64}|384:[0-9a-f]{96}|512:[0-9a-f]{128})$")


@dataclass(frozen=True)
class ImageVerification:
    policy: str  # "ClusterPolicy/name"
    namespace: str | None  # None: cluster-wide
    references: tuple[str, ...]
    skipped: tuple[str, ...]
    enforced: bool

    def matches(self, image: str, namespace: str) -> bool:
        if self.namespace is not None and self.namespace != namespace:
            return False
        forms = {image, normalise(image)}
        return any(fnmatchcase(f, p) for f in forms for p in self.references) and not any(
            fnmatchcase(f, p) for f in forms for p in self.skipped
        )


def check(package: Package) -> Iterator[Violation]:
    verifications: list[ImageVerification] | None = None
    for item in package.of_kinds(POD_TEMPLATE_PATHS):
        pod = pod_template(item)
        if pod is None:
            continue
        for c in pod.containers:
            image = c.body.get("image")
            if not isinstance(image, str) or is_pinned(image):
                continue
            if verifications is None:
                verifications = list(_verifications(package))
            yield from _unpinned(item, c.name, path(c.field, "image"), image, verifications)


def _unpinned(
    item: Item, container: str, field: str, image: str, verifications: list[ImageVerification]
) -> Iterator[Violation]:
    matching = [v for v in verifications if v.matches(image, item.namespace)]
    if any(v.enforced for v in matching):
        return
    audit_only = f"; {matching[0].policy} verifies it only in Audit mode" if matching else ""
    tag = image_tag(image)
    if tag in (None, "latest"):
        yield Violation(
            item.index,
            "supply-chain.latest-tag",
            f"container {container!r}: image {image!r} has {'no tag' if tag is None else 'the :latest tag'} "
            f"and no digest, so what runs can change at any time{audit_only}; pin it by digest",
            field,
            current=image,
            container=container,
        )
    else:
        yield Violation(
            item.index,
            "supply-chain.image-not-pinned",
            f"container {container!r}: image {image!r} is not pinned by digest and no enforcing Kyverno "
            f"verifyImages rule in the package covers it{audit_only}; use {image}@sha256:<digest> or add one",
            field,
            current=image,
            container=container,
        )


def is_pinned(image: str) -> bool:
    return _DIGEST.search(image) is not None


def image_tag(image: str) -> str | None:
    """The tag of an image reference (the registry port is not a tag), or None."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def normalise(image: str) -> str:
    """docker.io/library/nginx:latest for nginx, as Kyverno and the container runtimes read it."""
    name, at, digest = image.partition("@")
    first, slash, _rest = name.partition("/")
    if not slash or ("." not in first and ":" not in first and first != "localhost"):
        name = f"docker.io/{name if slash else 'library/' + name}"
    if not at and image_tag(name) is None:
        name += ":latest"
    return name + at + digest


def _verifications(package: Package) -> Iterator[ImageVerification]:
    for item in package.of_kinds(KYVERNO_POLICY_KINDS):
        default_action = str(item.spec.get("validationFailureAction") or "Audit")
        for rule in as_list(item.spec.get("rules")):
            for verify in as_list(as_map(rule).get("verifyImages")):
                verify = as_map(verify)
                action = str(verify.get("failureAction") or default_action)
                yield ImageVerification(
                    policy=f"{item.kind}/{item.name}",
                    namespace=item.namespace if item.kind == "Policy" else None,
                    references=_strings(verify.get("imageReferences")) + _strings([verify.get("image")]),
                    skipped=_strings(verify.get("skipImageReferences")),
                    enforced=action.lower() == "enforce",
                )


def _strings(values: Any) -> tuple[str, ...]:
    return tuple(v for v in as_list(values) if isinstance(v, str) and v)
