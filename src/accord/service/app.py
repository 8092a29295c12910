"""The application: API, pages, static files, health check, structured logs, error bodies."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from html import escape
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from accord.service import auth, csp, db
from accord.service.access import Forbidden
from accord.service.api import build_router
from accord.service.jobs import JobError, Jobs
from accord.service.kit import Service, TooManySignIns
from accord.service.resources import Conflict, NotFound
from accord.service.schemas import BadRequest, PreconditionRequired, Unauthenticated
from accord.service.settings import Settings
from accord.service.store import Invalid, Missing, PreconditionFailed, Store

log = logging.getLogger("accord.service")


class JsonLines(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any ``extra`` fields."""

    FIELDS = ("method", "path", "status", "ms", "user", "event")

    def format(self, record: logging.LogRecord) -> str:
        """One log record as a JSON line."""
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
    """Log JSON lines at the given level."""
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


# What every response may do in a browser: scripts from this site only (no inline script, no
# eval), nothing framed, loaded as a plugin or posted elsewhere (accord.service.csp). A
# self-contained document (the brief) sets its own policy, allowing its inline scripts by hash.
CSP = csp.PAGES
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _wants_html(request: Request) -> bool:
    """A browser asking for a page (not an API call): HTML error pages for it."""
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get(
        "accept", ""
    )


def _html_error(status: int, message: str) -> HTMLResponse:
    body = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{status} - accord</title><link rel='stylesheet' href='/static/app.css'>"
        f"</head><body><main><h1>{status}</h1><p>{escape(message)}</p>"
        "<p><a href='/'>Back to the scenarios</a></p></main></body></html>"
    )
    return HTMLResponse(body, status_code=status)


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
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """The CSRF origin check (:func:`auth.same_origin`) and the security headers."""
        if not auth.same_origin(request.method, request.headers, request.cookies):
            message = "cross-site request refused: Origin/Referer does not match the host"
            response: Response = (
                _html_error(403, message) if _wants_html(request) else _error(403, message)
            )
        else:
            response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

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
        TooManySignIns: (429, None),
    }
    for kind, (status, _) in handlers.items():

        def handle(request: Request, exc: Exception, status: int = status) -> Response:
            response: Response = (
                _html_error(status, str(exc)) if _wants_html(request) else _error(status, str(exc))
            )
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

    def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        detail = str(exc.detail)
        if _wants_html(request):
            return _html_error(exc.status_code, detail)
        return _error(exc.status_code, detail)

    app.add_exception_handler(StarletteHTTPException, not_found)
    app.add_exception_handler(Invalid, invalid)
    app.add_exception_handler(RequestValidationError, malformed)
    return app
