"""Real mode: ProvisioningRequests go to a Kubernetes API server (the small one o2imsctl's tests
use, which validates against the ProvisioningRequest CRD), found through a kubeconfig."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from o2krm.gateway.provisioning import OCloudSettings
from tests.cli.kube_api_server import KubeApiServer
from tests.gateway.conftest import API, SEED, seed_intent, status_of, wait_for


@pytest.fixture
def api_server() -> Iterator[KubeApiServer]:
    server = KubeApiServer(token="t0ken").start()
    yield server
    server.stop()


def _kubeconfig(tmp_path: Path, server: str) -> Path:
    path = tmp_path / "kubeconfig.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "edge", "cluster": {"server": server}}],
                "users": [{"name": "edge", "user": {"token": "t0ken"}}],
                "contexts": [{"name": "edge", "context": {"cluster": "edge", "user": "edge"}}],
                "current-context": "edge",
            }
        )
    )
    return path


def test_real_mode_creates_watches_and_deletes_requests(
    gateway: Any, api_server: KubeApiServer, tmp_path: Path
) -> None:
    kubeconfig = _kubeconfig(tmp_path, api_server.url)
    client = gateway(ocloud=OCloudSettings(mode="real", kubeconfig=str(kubeconfig)))
    response = client.post(SEED, json=seed_intent("on-cluster"))
    assert response.status_code == 201, response.text
    (name,) = [row["name"] for row in response.json()["status"]["provisioningRequests"]]
    assert list(api_server.prs) == [name]  # the API server accepted it against the CRD schema
    assert status_of(client, "on-cluster") == "Provisioning"

    api_server.set_state(name, "fulfilled", "provisioned by the test controller")
    wait_for(lambda: status_of(client, "on-cluster") == "Provisioned")
    last = client.get(f"{API}/intent/on-cluster/intentReport").json()[-1]["expression"]["expressionValue"]
    assert last["o2krm:provisioningRequest"][0]["o2krm:message"] == "provisioned by the test controller"

    api_server.set_state(name, "failed", "node lost")
    wait_for(lambda: status_of(client, "on-cluster") == "Failed")

    assert client.delete(f"{API}/intent/on-cluster").status_code == 204
    assert api_server.prs == {} or all(p["metadata"].get("deletionTimestamp") for p in api_server.prs.values())


def test_unreachable_cluster_keeps_the_intent_for_a_retry(gateway: Any, tmp_path: Path) -> None:
    kubeconfig = _kubeconfig(tmp_path, "http://127.0.0.1:9")
    client = gateway(ocloud=OCloudSettings(mode="real", kubeconfig=str(kubeconfig), request_timeout=2))
    response = client.post(SEED, json=seed_intent("waiting"))
    assert response.status_code == 201
    status = response.json()["status"]
    assert status["lifecycleStatus"] == "Published"
    assert "provisioning failed" in status["reason"] and "127.0.0.1:9" in status["reason"]
