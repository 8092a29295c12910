"""The application: API, pages, static files, health check, structured logs, error bodies."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from accord.service import db
from accord.service.access import Forbidden
from accord.service.api import build_router
from accord.service.jobs import JobError, Jobs
from accord.service.kit import Service
from accord.service.resources import Conflict, NotFound
from accord.service.schemas import BadRequest, PreconditionRequired, Unauthenticated
from accord.service.settings import Settings
from accord.service.store import Invalid, Missing, PreconditionFailed, Store

log = logging.getLogger("accord.service")


class JsonLines(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any ``extra`` fields."""

    FIELDS = ("method", "path", "status", "ms", "user", "event")

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in self.FIELDS:
            if hasattr(record, key):
                out[key] = getattr(record, key)
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines())
    root = logging.getLogger("accord")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False


def _error(
    status: int, message: str, problems: list[tuple[str, str]] | None = None
) -> JSONResponse:
    body = {
        "error": message,
        "problems": [{"path": p, "message": m} for p, m in (problems or [])],
    }
    return JSONResponse(body, status_code=status)


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    """The application for ``settings`` (the database must be at the current revision)."""
    settings = settings or Settings.from_env()
    if store is None:
        store = Store(db.make_engine(settings.db))
    service = Service(settings=settings, store=store)
    service.jobs = Jobs(store, service, settings.job_workers)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        lost = store.interrupt_jobs()
        log.info("started", extra={"event": "start", "user": None})
        if lost:
            log.warning(f"{lost} job(s) were interrupted by the last stop")
        yield
        service.jobs.shutdown()
        log.info("stopped", extra={"event": "stop"})

    app = FastAPI(
        title="accord",
        summary="A shared workspace for analysing a negotiation",
        version="0.1.0",
        lifespan=lifespan,
        # FastAPI's Swagger and ReDoc pages load their scripts from a CDN: off (every asset is
        # served here); the description itself stays at /openapi.json
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = service
    app.include_router(build_router(service))

    from accord.service.pages import mount_pages

    mount_pages(app, service)

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, Any]:
        """Liveness and database reachability."""
        try:
            store.scenario_ids()
        except Exception as exc:  # the database is unreachable: say so, with 503
            return JSONResponse({"status": "error", "error": str(exc)}, status_code=503)  # type: ignore[return-value]
        return {"status": "ok"}

    @app.middleware("http")
    async def access_log(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - start) * 1000, 1),
            },
        )
        return response

    handlers: dict[type[Exception], tuple[int, str | None]] = {
        Unauthenticated: (401, None),
        Forbidden: (403, None),
        Missing: (404, None),
        NotFound: (404, None),
        Conflict: (409, None),
        PreconditionFailed: (412, None),
        PreconditionRequired: (428, None),
        BadRequest: (400, None),
        JobError: (400, None),
    }
    for kind, (status, _) in handlers.items():

        def handle(_request: Request, exc: Exception, status: int = status) -> Response:
            response = _error(status, str(exc))
            if isinstance(exc, PreconditionFailed) and exc.current is not None:
                response.headers["ETag"] = exc.current
            if status == 401:
                response.headers["WWW-Authenticate"] = 'Bearer realm="accord"'
            return response

        app.add_exception_handler(kind, handle)

    def invalid(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Invalid)
        return _error(422, "the change would make the scenario invalid", exc.problems)

    def malformed(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = []
        for e in exc.errors():
            loc = ".".join(str(part) for part in e.get("loc", ()))
            problems.append((loc, str(e.get("msg", "invalid"))))
        return _error(422, "the request is malformed", problems)

    app.add_exception_handler(Invalid, invalid)
    app.add_exception_handler(RequestValidationError, malformed)
    return app
