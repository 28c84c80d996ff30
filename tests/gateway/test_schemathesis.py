"""Property-based tests of the gateway's own OpenAPI document with schemathesis: for generated
requests (valid and invalid), no 5xx, only documented status codes and content types, and
answers that match the documented schemas."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from o2krm.gateway.app import create_app
from o2krm.gateway.provisioning import OCloud
from o2krm.gateway.service import IntentService
from tests.gateway.conftest import make_settings

TOKEN = "schemathesis-token"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# The schema is read from the app when this module is collected; the service behind it starts
# (and stops) around the module's tests.
_TMP = Path(tempfile.mkdtemp(prefix="o2krm-schemathesis-"))
atexit.register(shutil.rmtree, _TMP, True)  # also when the module is collected but its test deselected
_SETTINGS = make_settings(_TMP, token=TOKEN)
_SERVICE = IntentService(
    _SETTINGS, ocloud=OCloud(_SETTINGS.ocloud, env={**os.environ, "O2KRM_FAKE_STATE": str(_TMP / "fake.json")})
)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_SETTINGS, _SERVICE))


@pytest.fixture(scope="module", autouse=True)
def running_service() -> Iterator[None]:
    _SERVICE.start()
    try:
        yield
    finally:
        _SERVICE.stop()


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_contract(case: Any) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS)
