"""API routes for analyses (run on the caller's own view) and background jobs."""

# No `from __future__ import annotations` here: FastAPI resolves the route annotations
# (`Caller`, a local alias) when the routes are defined.

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from accord.analysis.bargaining import SOLUTIONS
from accord.analysis.conflict import ExampleRule
from accord.analysis.space import SpaceTooLarge
from accord.compile import Compiled
from accord.service.access import (
    Viewer,
    hidden_parties,
)
from accord.service.kit import Kit, json_body
from accord.service.schemas import (
    BadRequest,
    JobInfo,
    JobRequest,
)
from accord.service.store import Loaded, Missing, User
from accord.workbench import UnknownId, Workbench


def add_analysis_routes(router: APIRouter, kit: Kit) -> None:
    """Add the analysis routes (evaluate, space, forecasts, simulation, analysis record)."""
    store = kit.store
    service = kit.service
    Caller = Annotated[User, Depends(kit.caller)]

    # --- analyses -----------------------------------------------------------------------------

    Shocks = Annotated[list[str] | None, Query(max_length=8)]

    # ``as_of``: an ISO date (YYYY-MM-DD); FastAPI answers 422 naming the parameter otherwise.
    AsOf = Annotated[dt.date | None, Query(description="the negotiation as it stood that day")]

    def analysis(
        sid: str, user: User, shock: list[str] | None, as_of: dt.date | None = None
    ) -> tuple[Viewer, Loaded, Workbench]:
        viewer, loaded = kit.member(sid, user)
        bench = service.workbench(loaded, viewer, tuple(shock or ()), as_of)
        return viewer, loaded, bench

    def _parties(compiled: Compiled, viewer: Viewer, loaded: Loaded, parties: str | None) -> Any:
        if parties is None:
            return None
        chosen = [p.strip() for p in parties.split(",") if p.strip()]
        hidden = hidden_parties(loaded.document, viewer)
        kept_out = [p for p in chosen if p in hidden]
        if kept_out:
            raise BadRequest(
                f"{', '.join(kept_out)}: confidential preferences; your analyses leave"
                f" {'it' if len(kept_out) == 1 else 'them'} out"
            )
        unknown = [p for p in chosen if p not in compiled.party_ids]
        if unknown or not chosen:
            raise BadRequest(
                f"unknown part{'y' if len(unknown) == 1 else 'ies'} {', '.join(map(repr, unknown))}"
                f" (expected some of: {', '.join(compiled.party_ids)})"
            )
        return chosen

    def _draft(compiled: Compiled, draft: str) -> str:
        if draft not in compiled.drafts:
            raise BadRequest(
                f"no draft {draft!r} (expected one of: {', '.join(compiled.drafts) or 'none'})"
            )
        return draft

    def _note(viewer: Viewer, loaded: Loaded) -> dict[str, Any]:
        hidden = sorted(hidden_parties(loaded.document, viewer))
        return {
            "version": loaded.version,
            "left_out": hidden,
            "note": (
                f"left out as their preferences are confidential: {', '.join(hidden)}"
                if hidden
                else None
            ),
        }

    @router.get("/scenarios/{sid}/evaluate", tags=["analysis"])
    def evaluate_drafts(
        sid: str,
        user: Caller,
        draft: Annotated[str | None, Query(max_length=80)] = None,
        shock: Shocks = None,
        as_of: AsOf = None,
    ) -> dict[str, Any]:
        """Each draft scored for each party the caller may see; ``acceptable_to_all`` says
        whether every party (including any left out) accepts it."""
        viewer, loaded, bench = analysis(sid, user, shock, as_of)
        compiled = bench.compiled
        evaluations = bench.evaluate_all()
        full = service.workbench(loaded, Viewer(0, "", False, "owner"), tuple(shock or ()), as_of)
        everyone = {e.draft: e.acceptable_to_all for e in full.evaluate_all()}
        rows = []
        for e in evaluations:
            if draft is not None and e.draft != _draft(compiled, draft):
                continue
            row = e.to_dict()
            row["acceptable_to_all"] = everyone[e.draft]
            rows.append(row)
        return json_body({**_note(viewer, loaded), "evaluations": rows})

    @router.get("/scenarios/{sid}/diff", tags=["analysis"])
    def diff_drafts(
        sid: str,
        user: Caller,
        a: Annotated[str, Query(max_length=80)],
        b: Annotated[str, Query(max_length=80)],
        shock: Shocks = None,
        as_of: AsOf = None,
    ) -> dict[str, Any]:
        viewer, loaded, bench = analysis(sid, user, shock, as_of)
        result = bench.diff(_draft(bench.compiled, a), _draft(bench.compiled, b))
        return json_body({**_note(viewer, loaded), "diff": result.to_dict()})

    @router.get("/scenarios/{sid}/frontier", tags=["analysis"])
    def frontier(
        sid: str,
        user: Caller,
        parties: Annotated[str | None, Query(max_length=400)] = None,
        acceptable_only: bool = False,
        cap: Annotated[int, Query(ge=1, le=5000)] = 200,
        shock: Shocks = None,
        as_of: AsOf = None,
    ) -> dict[str, Any]:
        viewer, loaded, bench = analysis(sid, user, shock, as_of)
        compiled = bench.compiled
        chosen = _parties(compiled, viewer, loaded, parties)
        try:
            result = bench.frontier(chosen, acceptable_only=acceptable_only, cap=cap)
        except SpaceTooLarge as exc:
            raise BadRequest(str(exc)) from None
        return json_body({**_note(viewer, loaded), "frontier": result.to_dict(compiled)})

    @router.get("/scenarios/{sid}/bargain", tags=["analysis"])
    def bargain(
        sid: str,
        user: Caller,
        solution: Annotated[
            str | None, Query(pattern="^(nash|ks|egalitarian|utilitarian)$")
        ] = None,
        parties: Annotated[str | None, Query(max_length=400)] = None,
        shock: Shocks = None,
        as_of: AsOf = None,
    ) -> dict[str, Any]:
        viewer, loaded, bench = analysis(sid, user, shock, as_of)
        compiled = bench.compiled
        chosen = _parties(compiled, viewer, loaded, parties)
        names = [solution] if solution else list(SOLUTIONS)
        results = [bench.bargain(n, chosen).to_dict(compiled) for n in names]
        return json_body({**_note(viewer, loaded), "solutions": results})

    @router.get("/scenarios/{sid}/relax", tags=["analysis"])
    def relax(
        sid: str,
        user: Caller,
        max_size: Annotated[int, Query(ge=1, le=4)] = 3,
        shock: Shocks = None,
        as_of: AsOf = None,
        example: Annotated[str, Query(pattern="^(feasible|maximin)$")] = "feasible",
    ) -> dict[str, Any]:
        viewer, loaded, bench = analysis(sid, user, shock, as_of)
        compiled = bench.compiled
        rule: ExampleRule = "maximin" if example == "maximin" else "feasible"
        zone = bench.zopa(example=rule)
        relaxations = bench.relax(max_size=max_size, example=rule)
        return json_body(
            {
                **_note(viewer, loaded),
                "zopa": zone.to_dict(compiled),
                "relaxations": relaxations.to_dict(compiled),
            }
        )

    @router.get("/scenarios/{sid}/bridge", tags=["analysis"])
    def bridge_draft(
        sid: str,
        user: Caller,
        draft: Annotated[str, Query(max_length=80)],
        shock: Shocks = None,
        as_of: AsOf = None,
    ) -> dict[str, Any]:
        viewer, loaded, bench = analysis(sid, user, shock, as_of)
        compiled = bench.compiled
        result = bench.bridge(_draft(compiled, draft))
        return json_body({**_note(viewer, loaded), "bridge": result.to_dict(compiled)})

    @router.get("/scenarios/{sid}/forecast", tags=["analysis"])
    def forecast(
        sid: str,
        user: Caller,
        model: Annotated[list[str] | None, Query(max_length=4)] = None,
        runs: Annotated[int, Query(ge=1, le=2000)] = 200,
        seed: Annotated[int, Query(ge=0, le=2**31)] = 0,
        shock: Shocks = None,
        as_of: AsOf = None,
    ) -> dict[str, Any]:
        """Outcome distributions per issue (short runs; longer ones as a job)."""
        from dataclasses import asdict

        viewer, loaded, bench = analysis(sid, user, shock, as_of)
        try:
            result = bench.forecast(
                model or ["compromise", "weighted_median"], runs=runs, seed=seed
            )
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        return json_body(
            {
                **_note(viewer, loaded),
                "runs": result.runs,
                "shocks": list(result.shocks),
                "forecasts": [asdict(f) for f in result.forecasts],
                "no_forecast": [asdict(m) for m in result.missing],
            }
        )

    @router.get("/scenarios/{sid}/robustness", tags=["analysis"])
    def robustness(
        sid: str,
        user: Caller,
        runs: Annotated[int, Query(ge=1, le=2000)] = 200,
        seed: Annotated[int, Query(ge=0, le=2**31)] = 0,
        model: Annotated[str, Query(max_length=40)] = "compromise",
        shock: Shocks = None,
    ) -> dict[str, Any]:
        """How often each headline conclusion holds over the judgement ranges (shares of runs,
        pivotal inputs), and which red lines and BATNAs the zone of agreement depends on."""
        viewer, loaded, bench = analysis(sid, user, shock)
        try:
            dependence = bench.zone_dependence()
            result = bench.robustness(runs=runs, seed=seed, model=model, dependence=dependence)
        except UnknownId as exc:
            raise BadRequest(str(exc)) from None
        return json_body(
            {
                **_note(viewer, loaded),
                "robustness": result.to_dict(),
                "zone_dependence": dependence.to_dict(),
            }
        )

    @router.get("/scenarios/{sid}/simulate", tags=["analysis"])
    def simulate(
        sid: str,
        user: Caller,
        protocol: Annotated[str, Query(pattern="^(single-text|alternating)$")] = "single-text",
        start: Annotated[str | None, Query(alias="from", max_length=80)] = None,
        policy: Annotated[str, Query(pattern="^(maximin|nash)$")] = "maximin",
        strategy: Annotated[list[str] | None, Query(max_length=16)] = None,
        deadline: Annotated[int, Query(ge=1, le=500)] = 12,
        seed: Annotated[int, Query(ge=0, le=2**31)] = 0,
        parties: Annotated[str | None, Query(max_length=400)] = None,
        shock: Shocks = None,
        as_of: AsOf = None,
    ) -> dict[str, Any]:
        """A single-text replay or an alternating-offers run, among the parties the caller may
        see."""
        viewer, loaded, bench = analysis(sid, user, shock, as_of)
        compiled = bench.compiled
        chosen = _parties(compiled, viewer, loaded, parties) or list(compiled.party_ids)
        if protocol == "single-text":
            if start is not None:
                _draft(compiled, start)
            run = bench.replay(
                start,
                deadline=deadline,
                policy="nash" if policy == "nash" else "maximin",
                seed=seed,
                parties=chosen,
            )
            return json_body({**_note(viewer, loaded), "simulation": run.to_dict()})
        if len(chosen) < 2:
            raise BadRequest("alternating offers need at least two parties")
        try:
            outcome = bench.simulate(strategy or [], deadline=deadline, seed=seed, parties=chosen)
        except UnknownId as exc:
            raise BadRequest(str(exc)) from None
        except ValueError as exc:
            raise BadRequest(f"strategy {exc}") from None
        return json_body({**_note(viewer, loaded), "simulation": outcome.to_dict(compiled)})

    @router.get("/scenarios/{sid}/analysis", tags=["analysis"])
    def whole_analysis(
        sid: str, user: Caller, shock: Shocks = None, as_of: AsOf = None
    ) -> dict[str, Any]:
        """The whole analysis record of the caller's view (what ``accord analyze --json``
        prints): the bottom line, the drafts, the agreement space, the forecasts, the drafts and
        the zone under each declared shock, and a single-text replay."""
        viewer, loaded = kit.member(sid, user)
        record = service.analysis(loaded, viewer, tuple(shock or ()), as_of)
        return json_body({**_note(viewer, loaded), "analysis": record.to_dict()})

    # --- jobs ---------------------------------------------------------------------------------

    @router.post("/scenarios/{sid}/jobs", response_model=JobInfo, status_code=202, tags=["jobs"])
    def start_job(sid: str, body: JobRequest, user: Caller) -> JobInfo:
        """Start an ensemble forecast or a tournament in the background; poll ``/api/jobs/{id}``."""
        viewer, loaded = kit.member(sid, user)
        job_id = service.jobs.submit(loaded, viewer, user, body.kind, body.params)
        return JobInfo(**store.job(job_id))

    @router.get("/jobs/{job_id}", response_model=JobInfo, tags=["jobs"])
    def read_job(job_id: str, user: Caller) -> JobInfo:
        """A job's progress and, once done, its result (only for whoever started it)."""
        job = store.job(job_id)
        if job["user_id"] != user.id:
            raise Missing(f"no job {job_id!r}")
        return JobInfo(**job)
