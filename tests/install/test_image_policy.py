"""The Kyverno ClusterPolicy admits only signed o2krm images, and is valid against Kyverno's own CRD."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.install.support import CONFIG, INSTALL, PLACEHOLDER, SPECS, by_name, default_render, documents, run

KYVERNO_CRD = "kyverno.io_clusterpolicies.yaml"
RELEASE_KEY = """-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEnBzGRR1dCGm8Pq5Z0zWg6BFcnYqHzY4s5nN0jv4VQ2mJw0dJ3cR8zB9O5lVfJt0kPqQGg7lC0m3xH0xQ==
-----END PUBLIC KEY-----
"""


def _policy(text: str | None = None) -> dict[str, Any]:
    return by_name(documents(text or default_render()), "ClusterPolicy")["o2krm-verify-images"]


def _verify(policy: dict[str, Any]) -> dict[str, Any]:
    (rule,) = policy["spec"]["rules"]
    (verify,) = rule["verifyImages"]
    return verify


@cache
def _kyverno_schema() -> dict[str, Any]:
    if SPECS is None:
        pytest.skip("../shared/specs (with the Kyverno CRD) is not present beside the repository")
    crd = documents((SPECS / "crds" / KYVERNO_CRD).read_text())[0]
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    return version["schema"]["openAPIV3Schema"]


def _schema_errors(policy: dict[str, Any]) -> list[str]:
    from jsonschema import Draft7Validator

    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft7Validator(_kyverno_schema()).iter_errors(policy)
    ]


def _pruned(value: Any, schema: dict[str, Any], path: str = "") -> list[str]:
    """Fields the API server would drop silently because the schema does not know them."""
    if schema.get("x-kubernetes-preserve-unknown-fields") is True:
        return []
    if isinstance(value, dict) and "properties" in schema:
        pruned = []
        for key, child in value.items():
            if path == "" and key in ("apiVersion", "kind", "metadata"):
                continue
            if key not in schema["properties"]:
                pruned.append(f"{path}{key}")
            else:
                pruned += _pruned(child, schema["properties"][key], f"{path}{key}.")
        return pruned
    if isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        return [p for k, v in value.items() for p in _pruned(v, schema["additionalProperties"], f"{path}{k}.")]
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [p for i, v in enumerate(value) for p in _pruned(v, schema["items"], f"{path}{i}.")]
    return []


def test_the_policy_validates_against_the_kyverno_crd_schema() -> None:
    assert _schema_errors(_policy()) == []


def test_no_field_of_the_policy_would_be_pruned_by_the_api_server() -> None:
    assert _pruned(_policy(), _kyverno_schema()) == []


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("failureAction",), "Block", "'Block' is not one of ['Audit', 'Enforce']"),
        (("imageReferences",), "ghcr.io/o2krm/*", "is not of type 'array'"),
        (("type",), "Sigstore", "is not one of"),
    ],
)
def test_a_broken_policy_fails_the_schema(path: tuple[str, ...], value: Any, expected: str) -> None:
    policy = copy.deepcopy(_policy())
    target = _verify(policy)
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert any(expected in error for error in _schema_errors(policy))


def test_a_misspelt_field_would_be_pruned() -> None:
    policy = copy.deepcopy(_policy())
    _verify(policy)["mutateDigests"] = True
    assert _pruned(policy, _kyverno_schema()) == ["spec.rules.0.verifyImages.0.mutateDigests"]


def test_the_policy_enforces_signatures_on_every_o2krm_image_of_every_pod() -> None:
    policy = _policy()
    assert policy["spec"]["webhookConfiguration"]["failurePolicy"] == "Fail"
    (rule,) = policy["spec"]["rules"]
    assert rule["match"] == {"any": [{"resources": {"kinds": ["Pod"]}}]}
    verify = _verify(policy)
    assert verify["imageReferences"] == ["ghcr.io/o2krm/*"]
    assert "skipImageReferences" not in verify
    assert (verify["type"], verify["failureAction"]) == ("Cosign", "Enforce")
    assert verify["required"] and verify["mutateDigest"] and verify["verifyDigest"]
    (attestor,) = verify["attestors"]
    assert attestor["count"] == 1
    (entry,) = attestor["entries"]
    assert entry["keys"]["rekor"] == {"url": "https://rekor.sigstore.dev"}


def test_the_policy_carries_the_key_file_which_is_the_explained_placeholder() -> None:
    key_file = (CONFIG / "image-verification" / "cosign.pub").read_text()
    assert _verify(_policy())["attestors"][0]["entries"][0]["keys"]["publicKeys"] == key_file
    assert key_file.startswith("-----BEGIN PUBLIC KEY-----\n") and PLACEHOLDER in key_file
    assert PLACEHOLDER in (Path(__file__).resolve().parents[2] / "docs" / "install.md").read_text()


def test_the_install_script_puts_the_release_key_given_in_the_policy(tmp_path: Path) -> None:
    key = tmp_path / "cosign.pub"
    key.write_text(RELEASE_KEY)
    done = run(INSTALL, "--dry-run", "--cosign-key", str(key))
    assert done.returncode == 0, done.stderr
    policy = _policy(done.stdout)
    assert _verify(policy)["attestors"][0]["entries"][0]["keys"]["publicKeys"] == RELEASE_KEY
    assert PLACEHOLDER not in done.stdout
    assert _schema_errors(policy) == []
