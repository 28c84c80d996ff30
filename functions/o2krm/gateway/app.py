"""The HTTP API (FastAPI): TMF921 Intent Management v5 resources we support, the seed's
``POST /intent-gateway/v1/intents``, and ``/health``.

Every error is a TMF ``Error`` body: 400 (malformed request), 401 (missing or wrong bearer
token), 404, 409 (the intent exists, or is being changed), 413 (body too large), 415 (not
JSON), 422 (a well-formed intent the gateway cannot render: each problem names its field).
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from o2krm import __version__
from o2krm.gateway import models
from o2krm.gateway.errors import ApiError, Problem, bad_request, too_large, unauthorized, unsupported_media_type
from o2krm.gateway.resources import API_ROOT, SEED_ROOT, hub_resource, intent_resource, seed_resource, select_fields
from o2krm.gateway.service import IntentService, Outcome
from o2krm.gateway.settings import Settings

LOG = logging.getLogger("o2krm.gateway")
JSON_TYPES = ("application/json",)
MAX_OFFSET = 2**31 - 1
_BEARER = HTTPBearer(auto_error=False, description="the gateway's token (--token-file or $O2KRM_GATEWAY_TOKEN)")


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": models.Error, "description": _DESCRIPTIONS[code]} for code in codes}


_DESCRIPTIONS = {
    400: "Bad Request: the request is malformed (not JSON, bad query parameter)",
    401: "Unauthorized: missing or wrong bearer token",
    404: "Not Found",
    409: "Conflict: the intent exists already, or is being changed or deleted",
    413: "Payload Too Large",
    415: "Unsupported Media Type: send application/json (PATCH: application/merge-patch+json)",
    422: "Unprocessable: a well-formed intent that cannot be rendered; each detail names its field",
    500: "Internal Server Error",
}
_COMMON = (400, 401, 500)


def create_app(settings: Settings, service: IntentService | None = None) -> FastAPI:
    service = service or IntentService(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        service.start()
        try:
            yield
        finally:
            service.stop()

    app = FastAPI(
        title="o2krm intent gateway",
        version=__version__,
        description=(
            "TMF921 Intent Management v5 (the resources o2krm supports) and the seed's intent gateway. "
            "A POST renders the intent's blueprint with its Kptfile pipeline, publishes the package revision "
            "and creates the O2 IMS ProvisioningRequests before it answers."
        ),
        lifespan=lifespan,
    )
    app.state.service = service
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    app.add_middleware(BodyLimits, max_bytes=settings.max_body_bytes)
    _install_error_handlers(app)

    def authorized(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)]) -> None:
        token = settings.token
        if token is None:
            return
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise unauthorized("a bearer token is required: send Authorization: Bearer <token>")
        if not hmac.compare_digest(credentials.credentials.encode(), token.encode()):
            raise unauthorized("the bearer token is not valid")

    secured = [Depends(authorized)]
    base = settings.public_url

    def timed(response: Response, outcome: Outcome) -> None:
        response.headers["Server-Timing"] = outcome.timings.header()

    # --- TMF921 intents ---------------------------------------------------------------------------
    @app.post(
        f"{API_ROOT}/intent",
        status_code=201,
        response_model=None,
        dependencies=secured,
        tags=["intent"],
        summary="Create an intent: render, publish, provision",
        responses={201: {"model": models.Intent, "description": "Created"}, **_errors(*_COMMON, 409, 413, 415, 422)},
    )
    def create_intent(
        body: models.IntentCreate,
        response: Response,
        fields: str | None = Query(None, description="comma-separated attributes to answer"),
        blueprint: str | None = Query(None, description="blueprint to render (default: intentSpecification.id)"),
    ) -> dict[str, Any]:
        outcome = service.create_tmf921(body.model_dump(mode="json", by_alias=True, exclude_unset=True), blueprint)
        timed(response, outcome)
        resource = intent_resource(outcome.record, base)
        response.headers["Location"] = resource["href"]
        return select_fields(resource, fields)

    @app.get(
        f"{API_ROOT}/intent",
        response_model=None,
        dependencies=secured,
        tags=["intent"],
        summary="List intents",
        responses={200: {"model": list[models.Intent], "description": "Success"}, **_errors(*_COMMON)},
    )
    def list_intents(
        response: Response,
        fields: str | None = Query(None),
        offset: int = Query(0, ge=0, le=MAX_OFFSET),
        limit: int | None = Query(None, ge=1, le=1000),
    ) -> list[dict[str, Any]]:
        records, total = service.list(offset, limit)
        response.headers["X-Total-Count"] = str(total)
        response.headers["X-Result-Count"] = str(len(records))
        return [select_fields(intent_resource(record, base), fields) for record in records]

    @app.get(
        f"{API_ROOT}/intent/{{id}}",
        response_model=None,
        dependencies=secured,
        tags=["intent"],
        summary="Read an intent",
        responses={200: {"model": models.Intent, "description": "Success"}, **_errors(*_COMMON, 404)},
    )
    def get_intent(id: str = Path(...), fields: str | None = Query(None)) -> dict[str, Any]:
        return select_fields(intent_resource(service.get(id), base), fields)

    @app.patch(
        f"{API_ROOT}/intent/{{id}}",
        response_model=None,
        dependencies=secured,
        tags=["intent"],
        summary="Change an intent (JSON merge patch): render again, publish the next revision",
        responses={
            200: {"model": models.Intent, "description": "Success"},
            **_errors(*_COMMON, 404, 409, 413, 415, 422),
        },
    )
    def patch_intent(
        body: models.IntentPatch, response: Response, id: str = Path(...), fields: str | None = Query(None)
    ) -> dict[str, Any]:
        outcome = service.patch(id, body.model_dump(mode="json", by_alias=True, exclude_unset=True))
        timed(response, outcome)
        return select_fields(intent_resource(outcome.record, base), fields)

    @app.delete(
        f"{API_ROOT}/intent/{{id}}",
        status_code=204,
        response_model=None,
        dependencies=secured,
        tags=["intent"],
        summary="Delete an intent: publish an empty last revision, delete its ProvisioningRequests",
        responses={
            202: {"model": models.Intent, "description": "Accepted: the deletion continues in the background"},
            **_errors(*_COMMON, 404, 409),
        },
    )
    def delete_intent(id: str = Path(...)) -> Response:
        outcome = service.delete(id)
        if outcome.done:
            return Response(status_code=204)
        return JSONResponse(intent_resource(outcome.record, base), status_code=202)

    # --- reports ----------------------------------------------------------------------------------
    @app.get(
        f"{API_ROOT}/intent/{{intentId}}/intentReport",
        response_model=None,
        dependencies=secured,
        tags=["intentReport"],
        summary="List an intent's reports (one per lifecycle change, oldest first)",
        responses={200: {"model": list[models.IntentReport], "description": "Success"}, **_errors(*_COMMON, 404)},
    )
    def list_reports(
        response: Response,
        intentId: str = Path(...),
        fields: str | None = Query(None),
        offset: int = Query(0, ge=0, le=MAX_OFFSET),
        limit: int | None = Query(None, ge=1, le=1000),
    ) -> list[dict[str, Any]]:
        record, reports = service.reports(intentId)
        response.headers["X-Total-Count"] = str(len(reports))
        chosen = reports[offset : None if limit is None else offset + limit]
        response.headers["X-Result-Count"] = str(len(chosen))
        return [select_fields(service.report_body(report, record), fields) for report in chosen]

    @app.get(
        f"{API_ROOT}/intent/{{intentId}}/intentReport/{{id}}",
        response_model=None,
        dependencies=secured,
        tags=["intentReport"],
        summary="Read one report",
        responses={200: {"model": models.IntentReport, "description": "Success"}, **_errors(*_COMMON, 404)},
    )
    def get_report(intentId: str = Path(...), id: str = Path(...), fields: str | None = Query(None)) -> dict[str, Any]:
        record, report = service.report(intentId, id)
        return select_fields(service.report_body(report, record), fields)

    # --- hub ------------------------------------------------------------------------------------
    @app.post(
        f"{API_ROOT}/hub",
        status_code=201,
        response_model=None,
        dependencies=secured,
        tags=["events subscription"],
        summary="Register a listener: events are POSTed to its callback",
        responses={201: {"model": models.Hub, "description": "Created"}, **_errors(*_COMMON, 413, 415, 422)},
    )
    def create_hub(body: models.HubCreate, response: Response) -> dict[str, Any]:
        hub = service.create_hub(body.callback, body.query)
        resource = hub_resource(hub, base)
        response.headers["Location"] = resource["href"]
        return resource

    @app.get(
        f"{API_ROOT}/hub/{{id}}",
        response_model=None,
        dependencies=secured,
        tags=["events subscription"],
        summary="Read a listener registration",
        responses={200: {"model": models.Hub, "description": "Success"}, **_errors(*_COMMON, 404)},
    )
    def get_hub(id: str = Path(...)) -> dict[str, Any]:
        return hub_resource(service.get_hub(id), base)

    @app.delete(
        f"{API_ROOT}/hub/{{id}}",
        status_code=204,
        response_model=None,
        dependencies=secured,
        tags=["events subscription"],
        summary="Remove a listener",
        responses=_errors(*_COMMON, 404),
    )
    def delete_hub(id: str = Path(...)) -> Response:
        service.delete_hub(id)
        return Response(status_code=204)

    # --- the seed's gateway ---------------------------------------------------------------------
    @app.post(
        f"{SEED_ROOT}/intents",
        status_code=201,
        response_model=None,
        dependencies=secured,
        tags=["seed"],
        summary="Create an intent from the seed's TMF921 intent resource (KRM form)",
        responses={
            201: {"model": models.SeedIntentAnswer, "description": "Created"},
            **_errors(*_COMMON, 409, 413, 415, 422),
        },
    )
    def create_seed_intent(
        body: models.SeedIntent,
        response: Response,
        blueprint: str | None = Query(None, description="blueprint to render (default: the gateway's)"),
    ) -> dict[str, Any]:
        outcome = service.create_seed(body.model_dump(mode="json", by_alias=True, exclude_unset=True), blueprint)
        timed(response, outcome)
        answer = seed_resource(outcome.record, base)
        response.headers["Location"] = f"{base}{SEED_ROOT}/intents/{outcome.record.id}"
        return answer

    @app.get(
        f"{SEED_ROOT}/intents/{{name}}",
        response_model=None,
        dependencies=secured,
        tags=["seed"],
        summary="Read an intent in the seed's form, with its status",
        responses={200: {"model": models.SeedIntentAnswer, "description": "Success"}, **_errors(*_COMMON, 404)},
    )
    def get_seed_intent(name: str = Path(...)) -> dict[str, Any]:
        return seed_resource(service.get(name), base)

    @app.get("/health", tags=["operations"], summary="Liveness and intent counts (no authentication)")
    def health() -> dict[str, Any]:
        store = service.store
        return {"status": "ok", "intents": store.count_by_state() if store else {}}

    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document without its default 422 ``HTTPValidationError`` answers: this API answers
    malformed parameters with 400 and invalid bodies with 422, both as TMF ``Error``."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                answer = operation.get("responses", {}).get("422", {})
                if "HTTPValidationError" in json.dumps(answer):
                    del operation["responses"]["422"]
        schemas = document.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        app.openapi_schema = document
    return app.openapi_schema


# --- errors ------------------------------------------------------------------------------------------
def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, err: ApiError) -> JSONResponse:
        return _error_response(err)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, err: RequestValidationError) -> JSONResponse:
        return _error_response(_from_validation(err))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, err: StarletteHTTPException) -> JSONResponse:
        message = err.detail if isinstance(err.detail, str) else "request failed"
        return _error_response(ApiError(err.status_code, message, headers=dict(err.headers or {})))

    @app.exception_handler(Exception)
    async def internal(_: Request, err: Exception) -> JSONResponse:
        LOG.exception("internal error")
        return _error_response(ApiError(500, f"internal error: {type(err).__name__}: {err}"))


def _error_response(err: ApiError) -> JSONResponse:
    return JSONResponse(err.body(), status_code=err.status, headers=err.headers or None)


def _from_validation(err: RequestValidationError) -> ApiError:
    problems: list[Problem] = []
    malformed = False
    for issue in err.errors():
        location = [str(part) for part in issue.get("loc", ())]
        where, path = (location[0], location[1:]) if location else ("body", [])
        if where != "body" or issue.get("type") == "json_invalid" or (not path and issue.get("type") == "missing"):
            malformed = True
        field = ".".join(path) if where == "body" else f"{where} parameter {'.'.join(path)}"
        problems.append(Problem(f"{field}: {issue.get('msg')}" if field else str(issue.get("msg")), field))
    if malformed:
        return bad_request(problems[0].message if problems else "malformed request", *problems)
    return ApiError(422, f"the request body is not a valid intent: {problems[0].message}", tuple(problems))


# --- body limits -------------------------------------------------------------------------------------
class BodyLimits:
    """Refuse bodies over ``max_bytes`` (413) and request bodies that are not JSON (415), before any
    of the body reaches the application."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await _send_error(send, too_large(self.max_bytes))
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _send_error(send, too_large(self.max_bytes))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        problem = _content_type_problem(headers.get("content-type"), scope["method"]) if body else None
        if problem is not None:
            await _send_error(send, problem)
            return
        await self.app(scope, _replay(body, receive), send)


def _content_type_problem(content_type: str | None, method: str) -> ApiError | None:
    hint = "application/merge-patch+json" if method == "PATCH" else "application/json"
    if content_type is None:
        return unsupported_media_type(f"the request has a body but no Content-Type; send {hint}")
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json-patch+json" or media == "application/json-patch-query+json":
        return unsupported_media_type(
            f"{media} (JSON Patch) is not supported; send a JSON merge patch as application/merge-patch+json"
        )
    if media in JSON_TYPES or (media.startswith("application/") and media.endswith("+json")):
        return None
    return unsupported_media_type(f"Content-Type {media!r} is not supported; send {hint}")


def _replay(body: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _send_error(send: Send, err: ApiError) -> None:
    payload = json.dumps(err.body()).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in err.headers.items()]
    await send({"type": "http.response.start", "status": err.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
