"""API routes over the data: scenarios and their records, preferences, points, members and the
audit log."""

# No `from __future__ import annotations` here: FastAPI resolves the route annotations
# (`Caller`, a local alias) when the routes are defined.

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Response

from accord.service import resources
from accord.service.access import (
    Forbidden,
    Viewer,
    check_edit,
    check_full,
    check_owner,
    may_read_preference,
    public_document,
)
from accord.service.kit import Kit, store_precondition
from accord.service.schemas import (
    AuditEntry,
    Collection,
    Member,
    MemberRequest,
    ScenarioInfo,
)
from accord.service.store import Invalid, Loaded, User


def add_data_routes(router: APIRouter, kit: Kit) -> None:
    """Add the data routes (scenarios, resources, members, audit, jobs)."""
    store = kit.store
    Caller = Annotated[User, Depends(kit.caller)]

    # --- scenarios ----------------------------------------------------------------------------

    @router.get("/scenarios", response_model=list[ScenarioInfo], tags=["scenarios"])
    def list_scenarios(user: Caller) -> list[ScenarioInfo]:
        out = []
        for sid, role in store.scenarios_of(user):
            loaded = store.load(sid)
            viewer = store.membership(sid, user)
            out.append(
                ScenarioInfo(
                    id=sid,
                    title=str(loaded.document.get("title", sid)),
                    version=loaded.version,
                    role=role,
                    party=viewer.party,
                )
            )
        return out

    @router.post("/scenarios", status_code=201, tags=["scenarios"])
    def create(
        user: Caller, response: Response, document: Annotated[dict[str, Any], Body()]
    ) -> dict[str, Any]:
        """Store a new scenario (site administrators); the caller becomes its owner."""
        if not user.is_admin:
            raise Forbidden("only a site administrator may create scenarios")
        loaded = store.create_scenario(document, user)
        return dict(kit.tagged(response, loaded.document))

    @router.get("/scenarios/{sid}", tags=["scenarios"])
    def read_scenario(sid: str, user: Caller, response: Response) -> dict[str, Any]:
        """The whole scenario as the caller may see it."""
        viewer, loaded = kit.member(sid, user)
        return dict(kit.tagged(response, public_document(loaded.document, viewer)))

    @router.get("/scenarios/{sid}/meta", tags=["scenarios"])
    def read_meta(sid: str, user: Caller, response: Response) -> dict[str, Any]:
        _, loaded = kit.member(sid, user)
        return dict(kit.tagged(response, resources.get(loaded.document, ("meta",))))

    @router.put("/scenarios/{sid}/meta", tags=["scenarios"])
    def write_meta(
        sid: str,
        user: Caller,
        response: Response,
        body: Annotated[dict[str, Any], Body()],
        if_match: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        return kit.replace(sid, user, response, ("meta",), body, if_match)

    def collection_routes(kind: str) -> None:
        """List, create, read, replace and delete for one collection of records."""
        noun = "party" if kind == "parties" else kind[:-1]

        @router.get(f"/scenarios/{{sid}}/{kind}", tags=[kind], summary=f"List the {kind}")
        def read_collection(sid: str, user: Caller, response: Response) -> list[dict[str, Any]]:
            viewer, loaded = kit.member(sid, user)
            items = [
                kit.visible(loaded.document, viewer, kind, item)
                for item in loaded.document.get(kind, [])
            ]
            return list(kit.tagged(response, items))

        @router.post(
            f"/scenarios/{{sid}}/{kind}", status_code=201, tags=[kind], summary=f"Add a {noun}"
        )
        def create_item(
            sid: str,
            user: Caller,
            response: Response,
            body: Annotated[dict[str, Any], Body()],
        ) -> dict[str, Any]:
            rid = body.get("id")
            if not isinstance(rid, str) or not rid:
                raise Invalid([("id", f"missing (expected the new {noun}'s id)")])
            target = (kind, rid)
            return kit.add(sid, user, response, target, body)

        @router.get(f"/scenarios/{{sid}}/{kind}/{{rid}}", tags=[kind], summary=f"Read a {noun}")
        def read_item(sid: str, rid: str, user: Caller, response: Response) -> dict[str, Any]:
            viewer, loaded = kit.member(sid, user)
            item = resources.get(loaded.document, (kind, rid))
            return dict(kit.tagged(response, kit.visible(loaded.document, viewer, kind, item)))

        @router.put(
            f"/scenarios/{{sid}}/{kind}/{{rid}}",
            tags=[kind],
            summary=f"Replace a {noun} (If-Match required)",
        )
        def write_item(
            sid: str,
            rid: str,
            user: Caller,
            response: Response,
            body: Annotated[dict[str, Any], Body()],
            if_match: Annotated[str | None, Header()] = None,
        ) -> dict[str, Any]:
            return kit.replace(sid, user, response, (kind, rid), body, if_match)

        @router.delete(
            f"/scenarios/{{sid}}/{kind}/{{rid}}",
            status_code=204,
            tags=[kind],
            summary=f"Delete a {noun} (If-Match required)",
        )
        def delete_item(
            sid: str,
            rid: str,
            user: Caller,
            response: Response,
            if_match: Annotated[str | None, Header()] = None,
        ) -> Response:
            return kit.remove(sid, user, response, (kind, rid), if_match)

    for collection in Collection:
        collection_routes(collection.value)

    # --- preferences --------------------------------------------------------------------------

    @router.get("/scenarios/{sid}/preferences", tags=["preferences"])
    def read_preferences(sid: str, user: Caller, response: Response) -> dict[str, Any]:
        """Every preference the caller may see, by party and issue."""
        viewer, loaded = kit.member(sid, user)
        return dict(kit.tagged(response, public_document(loaded.document, viewer)["preferences"]))

    def _readable_preference(loaded: Loaded, viewer: Viewer, party: str, issue: str) -> Any:
        if not may_read_preference(loaded.document, viewer, party, issue):
            raise resources.NotFound(f"no preference of {party} on {issue}")
        return resources.get(loaded.document, ("preferences", party, issue))

    @router.get("/scenarios/{sid}/preferences/{party}/{issue}", tags=["preferences"])
    def read_preference(
        sid: str, party: str, issue: str, user: Caller, response: Response
    ) -> dict[str, Any]:
        viewer, loaded = kit.member(sid, user)
        return dict(kit.tagged(response, _readable_preference(loaded, viewer, party, issue)))

    @router.put("/scenarios/{sid}/preferences/{party}/{issue}", tags=["preferences"])
    def write_preference(
        sid: str,
        party: str,
        issue: str,
        user: Caller,
        response: Response,
        body: Annotated[dict[str, Any], Body()],
        if_match: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        """Create or replace a preference. Replacing needs ``If-Match``; creating needs
        ``If-Match: *``... or none: a preference that does not exist yet is created."""
        target = ("preferences", party, issue)
        viewer = store.membership(sid, user)
        check_edit(viewer, target)
        loaded = store.load(sid)
        exists = loaded.document.get("preferences", {}).get(party, {}).get(issue) is not None
        tag = kit.precondition(if_match) if exists else None

        def guard(doc: dict[str, Any]) -> None:
            now_exists = doc.get("preferences", {}).get(party, {}).get(issue) is not None
            if now_exists and tag is None:
                raise store_precondition(doc, target)

        return dict(
            kit.write(
                sid,
                user,
                response,
                target,
                "update" if exists else "create",
                lambda doc: resources.put(doc, target, body),
                tag,
                guard,
            )
        )

    @router.delete(
        "/scenarios/{sid}/preferences/{party}/{issue}", status_code=204, tags=["preferences"]
    )
    def delete_preference(
        sid: str,
        party: str,
        issue: str,
        user: Caller,
        response: Response,
        if_match: Annotated[str | None, Header()] = None,
    ) -> Response:
        return kit.remove(sid, user, response, ("preferences", party, issue), if_match)

    # --- points -------------------------------------------------------------------------------

    @router.get("/scenarios/{sid}/drafts/{did}/points", tags=["drafts"])
    def read_points(sid: str, did: str, user: Caller, response: Response) -> list[dict[str, Any]]:
        _, loaded = kit.member(sid, user)
        return list(
            kit.tagged(response, resources.get(loaded.document, ("drafts", did)).get("points", []))
        )

    @router.post("/scenarios/{sid}/drafts/{did}/points", status_code=201, tags=["drafts"])
    def create_point(
        sid: str,
        did: str,
        user: Caller,
        response: Response,
        body: Annotated[dict[str, Any], Body()],
    ) -> dict[str, Any]:
        """Add a point; its ``number`` is in the body."""
        number = body.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise Invalid(
                [("number", "missing (expected the new point's number, an integer >= 0)")]
            )
        target = ("drafts", did, "points", str(number))
        return kit.add(sid, user, response, target, body)

    @router.get("/scenarios/{sid}/drafts/{did}/points/{number}", tags=["drafts"])
    def read_point(
        sid: str, did: str, number: int, user: Caller, response: Response
    ) -> dict[str, Any]:
        _, loaded = kit.member(sid, user)
        return dict(
            kit.tagged(
                response, resources.get(loaded.document, ("drafts", did, "points", str(number)))
            )
        )

    @router.put("/scenarios/{sid}/drafts/{did}/points/{number}", tags=["drafts"])
    def write_point(
        sid: str,
        did: str,
        number: int,
        user: Caller,
        response: Response,
        body: Annotated[dict[str, Any], Body()],
        if_match: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        """Replace a point (its text, the options it sets, ...; ``If-Match`` required)."""
        return kit.replace(
            sid, user, response, ("drafts", did, "points", str(number)), body, if_match
        )

    @router.delete(
        "/scenarios/{sid}/drafts/{did}/points/{number}", status_code=204, tags=["drafts"]
    )
    def delete_point(
        sid: str,
        did: str,
        number: int,
        user: Caller,
        response: Response,
        if_match: Annotated[str | None, Header()] = None,
    ) -> Response:
        return kit.remove(sid, user, response, ("drafts", did, "points", str(number)), if_match)

    # --- members and audit --------------------------------------------------------------------

    @router.get("/scenarios/{sid}/members", response_model=list[Member], tags=["members"])
    def members(sid: str, user: Caller) -> list[Member]:
        viewer = store.membership(sid, user)
        check_full(viewer, "the member list")
        return [Member(**m) for m in store.members(sid)]

    @router.put("/scenarios/{sid}/members/{name}", status_code=204, tags=["members"])
    def set_member(sid: str, name: str, body: MemberRequest, user: Caller) -> Response:
        viewer = store.membership(sid, user)
        check_owner(viewer, "change members")
        try:
            store.set_member(sid, user, name, body.role, body.party)  # type: ignore[arg-type]
        except ValueError as exc:
            raise Invalid([("", str(exc))]) from None
        return Response(status_code=204)

    @router.delete("/scenarios/{sid}/members/{name}", status_code=204, tags=["members"])
    def remove_member(sid: str, name: str, user: Caller) -> Response:
        viewer = store.membership(sid, user)
        check_owner(viewer, "change members")
        store.set_member(sid, user, name, None, None)
        return Response(status_code=204)

    @router.get("/scenarios/{sid}/audit", response_model=list[AuditEntry], tags=["members"])
    def audit(
        sid: str,
        user: Caller,
        after: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> list[AuditEntry]:
        """Every change, oldest first (owner and mediator; nothing deletes it)."""
        viewer = store.membership(sid, user)
        check_full(viewer, "the audit log")
        return [AuditEntry(**e) for e in store.audit(sid, after_id=after, limit=limit)]
