"""Web pages served by the same process: sign-in, scenario list, overview (position matrix), the
draft editor, drafts compared and diffed, the agreement space, forecasts with a shock selector,
the timeline and the audit log.

Pages are rendered from the same views as the API (a page never holds more than its viewer may
read) and call the API from the browser with the session's CSRF token. Every asset is served
here: the stylesheet, the page script and Plotly's own bundle from the installed package.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from accord.service import auth, resources
from accord.service.access import Forbidden, Viewer, check_member, hidden_parties, public_document
from accord.service.kit import TooManySignIns, check_password, start_session
from accord.service.store import Missing, User

HERE = Path(__file__).parent
STATIC = {
    "app.css": (HERE / "static" / "app.css", "text/css; charset=utf-8"),
    "app.js": (HERE / "static" / "app.js", "text/javascript; charset=utf-8"),
}


class SignInFirst(Exception):
    """No valid session: the page sends the browser to the sign-in page."""


@functools.cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def mount_pages(app: FastAPI, service: Any) -> None:
    """Mount the web pages and their static files on the app."""
    store = service.store
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def page(name: str, request: Request, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(request=request, **context)
        return HTMLResponse(html, status_code=status)

    def session(request: Request) -> tuple[User, str]:
        cookie = request.cookies.get(auth.COOKIE)
        found = store.session(auth.digest(cookie)) if cookie else None
        if found is None:
            raise SignInFirst
        user, csrf = found
        return user, str(csrf)

    def opened(request: Request, sid: str) -> tuple[User, str, Viewer, Any]:
        user, csrf = session(request)
        viewer = store.membership(sid, user)
        check_member(viewer)
        return user, csrf, viewer, store.load(sid)

    def common(user: User, csrf: str, viewer: Viewer | None = None, loaded: Any = None) -> Any:
        out: dict[str, Any] = {"user": user, "csrf": csrf, "viewer": viewer}
        if loaded is not None and viewer is not None:
            doc = public_document(loaded.document, viewer)
            out.update(
                sid=loaded.id,
                doc=doc,
                version=loaded.version,
                hidden=sorted(hidden_parties(loaded.document, viewer)),
                # only web addresses become links (never a javascript: or data: URL)
                source_urls={
                    s["id"]: s["url"]
                    for s in doc.get("sources", [])
                    if str(s.get("url") or "").startswith(("https://", "http://"))
                },
            )
        return out

    @app.exception_handler(SignInFirst)
    def _sign_in(request: Request, exc: Exception) -> Response:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name == "plotly.min.js":
            return Response(
                _plotly_js(),
                media_type="text/javascript; charset=utf-8",
                headers={"Cache-Control": "public, max-age=86400"},
            )
        if name not in STATIC:
            raise HTTPException(404, f"no file {name!r} here")
        path, kind = STATIC[name]
        return Response(path.read_bytes(), media_type=kind)

    @app.get("/login", include_in_schema=False)
    def login_form(request: Request, next: str = "/") -> HTMLResponse:
        return page("login.html", request, next=_local(next), error=None)

    @app.post("/login", include_in_schema=False)
    def login(
        request: Request,
        name: str = Form(...),
        password: str = Form(...),
        next: str = Form("/"),
    ) -> Response:
        try:
            user = check_password(service, request, name, password)
        except TooManySignIns as exc:
            return page("login.html", request, 429, next=_local(next), error=str(exc))
        if user is None:
            return page(
                "login.html", request, 401, next=_local(next), error="wrong user name or password"
            )
        response = RedirectResponse(_local(next), status_code=303)
        start_session(service, response, user, request)
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, csrf_token: str = Form("")) -> Response:
        _, csrf = session(request)
        if not auth.same(csrf_token, csrf):
            raise Forbidden("missing or wrong CSRF token")
        cookie = request.cookies.get(auth.COOKIE, "")
        store.end_session(auth.digest(cookie))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(auth.COOKIE, path="/")
        return response

    @app.get("/", include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        user, csrf = session(request)
        rows = []
        for sid, role in store.scenarios_of(user):
            loaded = store.load(sid)
            viewer = store.membership(sid, user)
            rows.append(
                {
                    "id": sid,
                    "title": loaded.document.get("title", sid),
                    "role": role,
                    "party": viewer.party,
                    "version": loaded.version,
                }
            )
        return page("scenarios.html", request, rows=rows, **common(user, csrf))

    def scenario_page(name: str, tab: str) -> Any:
        def render(request: Request, sid: str) -> HTMLResponse:
            try:
                user, csrf, viewer, loaded = opened(request, sid)
            except (Missing, Forbidden) as exc:
                user, csrf = session(request)
                status = 404 if isinstance(exc, Missing) else 403
                return page("error.html", request, status, message=str(exc), **common(user, csrf))
            if tab == "audit" and not viewer.full:
                return page(
                    "error.html",
                    request,
                    403,
                    message="only the owner and the mediator may read the audit log",
                    **common(user, csrf, viewer, loaded),
                )
            extra: dict[str, Any] = {}
            if tab == "overview":
                extra["matrix"] = _matrix(public_document(loaded.document, viewer))
            if tab == "space":
                extra["pair"] = _visible_parties(public_document(loaded.document, viewer))[:2]
            if tab == "forecast":
                extra["scales"] = _scales(loaded.document)
            if tab == "audit":
                extra["entries"] = list(reversed(store.audit(sid, limit=1000)))
            return page(name, request, tab=tab, **extra, **common(user, csrf, viewer, loaded))

        return render

    for path, template, tab in (
        ("/s/{sid}", "overview.html", "overview"),
        ("/s/{sid}/compare", "compare.html", "compare"),
        ("/s/{sid}/space", "space.html", "space"),
        ("/s/{sid}/forecast", "forecast.html", "forecast"),
        ("/s/{sid}/timeline", "timeline.html", "timeline"),
        ("/s/{sid}/audit", "audit.html", "audit"),
    ):
        app.add_api_route(
            path, scenario_page(template, tab), methods=["GET"], include_in_schema=False
        )

    @app.get("/s/{sid}/drafts/{did}", include_in_schema=False)
    def draft_editor(request: Request, sid: str, did: str) -> HTMLResponse:
        try:
            user, csrf, viewer, loaded = opened(request, sid)
            draft = resources.get(loaded.document, ("drafts", did))
        except (Missing, Forbidden, resources.NotFound) as exc:
            user, csrf = session(request)
            status = 403 if isinstance(exc, Forbidden) else 404
            return page("error.html", request, status, message=str(exc), **common(user, csrf))
        editable = viewer.role in ("owner", "mediator")
        issues = {i["id"]: i for i in loaded.document["issues"]}
        points = [
            {**p, "etag": resources.etag(p), "sets": p.get("sets", {})}
            for p in draft.get("points", [])
        ]
        options = {
            i["id"]: {
                "name": i["name"],
                "options": [[o["id"], o.get("label", o["id"])] for o in i["options"]],
            }
            for i in loaded.document["issues"]
        }
        return page(
            "draft.html",
            request,
            tab="compare",
            draft=draft,
            points=points,
            issues=issues,
            issue_options=options,
            next_number=max((int(p["number"]) for p in points), default=0) + 1,
            editable=editable,
            **common(user, csrf, viewer, loaded),
        )


def _local(target: str) -> str:
    """Only same-site paths after sign-in (no open redirect)."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _visible_parties(doc: dict[str, Any]) -> list[str]:
    """The parties with preferences in the viewer's document, in the scenario's order."""
    return [p["id"] for p in doc["parties"] if p["id"] in doc.get("preferences", {})]


def _scales(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each issue's own scale (ends, unit, name), so that each forecast is drawn on it."""
    out: dict[str, dict[str, Any]] = {}
    for issue in doc["issues"]:
        scale = issue.get("scale") or {}
        positions = [float(o["position"]) for o in issue["options"] if "position" in o]
        low = scale.get("min", min(positions, default=0.0))
        high = scale.get("max", max(positions, default=1.0))
        out[issue["id"]] = {
            "name": issue.get("name", issue["id"]),
            "min": float(low),
            "max": float(high),
            "unit": scale.get("unit", ""),
        }
    return out


def _matrix(doc: dict[str, Any]) -> dict[str, Any]:
    """Issues x parties: the ideal option's label, the salience, red lines (as the viewer sees)."""
    parties = _visible_parties(doc)
    rows = []
    for issue in doc["issues"]:
        labels = {o["id"]: o.get("label", o["id"]) for o in issue["options"]}
        cells: list[dict[str, Any] | None] = []
        for party in parties:
            pref = doc["preferences"].get(party, {}).get(issue["id"])
            if pref is None:
                cells.append(None)
                continue
            salience = pref.get("salience")
            value = salience.get("value") if isinstance(salience, dict) else salience
            ideal = pref.get("ideal")
            ideal_text = labels.get(ideal, str(ideal)) if isinstance(ideal, str) else "-"
            reds = [labels.get(r.get("option"), r.get("option")) for r in pref.get("red_lines", [])]
            cells.append(
                {
                    "ideal": ideal_text,
                    "salience": value,
                    "red_lines": reds,
                    "confidential": bool(pref.get("confidential")),
                }
            )
        rows.append({"issue": issue, "cells": cells})
    return {"parties": parties, "rows": rows}
