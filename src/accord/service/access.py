"""Who may see and do what: roles per scenario, and the views of a scenario each role gets.

Roles: ``owner`` (everything, including members), ``mediator`` (sees everything; edits the texts,
events, sources and facts), ``delegate`` bound to one party (sees public data and its own party's
confidential preferences; edits only its own party's preferences) and ``observer`` (public data).
A site administrator acts as owner of every scenario.

A party is *private* when any of its preferences is confidential. For a viewer who may not see
everything, every other private party is *hidden*: its confidential preferences and its BATNA are
left out of what the viewer reads, and every analysis the viewer asks for runs on the viewer's
own view, in which hidden parties state no preferences at all (so no number the viewer gets
depends on their confidential data). The one exception is stated where it is used: whether a
draft is acceptable to every party, which the issue allows a delegate to see.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Literal

Role = Literal["owner", "mediator", "delegate", "observer"]
ROLES: tuple[Role, ...] = ("owner", "mediator", "delegate", "observer")
FULL: frozenset[str] = frozenset({"owner", "mediator"})


@dataclass(frozen=True)
class Viewer:
    """A signed-in user as seen by one scenario (``role`` None: not a member)."""

    user_id: int
    name: str
    is_admin: bool
    role: Role | None
    party: str | None = None

    @property
    def member(self) -> bool:
        """Whether the viewer is a member of the scenario."""
        return self.role is not None

    @property
    def full(self) -> bool:
        """Sees everything in the scenario."""
        return self.role in FULL


class Forbidden(PermissionError):
    """The viewer may not do this (the message says what the role allows)."""


def private_parties(doc: dict[str, Any]) -> set[str]:
    """The parties with at least one confidential preference."""
    return {
        party
        for party, table in doc.get("preferences", {}).items()
        if any(isinstance(p, dict) and p.get("confidential") for p in table.values())
    }


def hidden_parties(doc: dict[str, Any], viewer: Viewer) -> set[str]:
    """The parties whose confidential data the viewer may not see."""
    if viewer.full:
        return set()
    return private_parties(doc) - ({viewer.party} if viewer.party else set())


def may_read_preference(doc: dict[str, Any], viewer: Viewer, party: str, issue: str) -> bool:
    """Whether the viewer may read a party's preference on an issue."""
    pref = doc.get("preferences", {}).get(party, {}).get(issue)
    if pref is None or viewer.full or viewer.party == party:
        return True
    return not pref.get("confidential", False)


def public_document(doc: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    """The scenario as ``viewer`` may read it: other parties' confidential preferences and the
    BATNAs of hidden parties left out."""
    if viewer.full:
        return copy.deepcopy(doc)
    hidden = hidden_parties(doc, viewer)
    out = copy.deepcopy(doc)
    out["preferences"] = {
        party: {
            issue: pref
            for issue, pref in table.items()
            if party == viewer.party or not pref.get("confidential", False)
        }
        for party, table in out.get("preferences", {}).items()
    }
    out["preferences"] = {p: t for p, t in out["preferences"].items() if t}
    for party in out.get("parties", []):
        if party.get("id") in hidden:
            party.pop("batna", None)
    return out


def _touches(target: str, hidden: set[str]) -> bool:
    parts = target.split(".")
    return (parts[0] == "parties" and len(parts) > 1 and parts[1] in hidden) or (
        parts[0] == "preferences" and len(parts) > 1 and parts[1] in hidden
    )


def analysis_document(doc: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    """What analyses for ``viewer`` run on: its public document with every hidden party's
    preferences removed (so hidden parties take no part in any computation) and the shock edits
    on hidden parties dropped (with the shocks that had no other edit: asking for one of those
    changes nothing here; see ``Service.compiled``)."""
    if viewer.full:
        return copy.deepcopy(doc)
    hidden = hidden_parties(doc, viewer)
    out = public_document(doc, viewer)
    out["preferences"] = {p: t for p, t in out["preferences"].items() if p not in hidden}
    for shock in out.get("shocks", []):
        shock["edits"] = [e for e in shock.get("edits", []) if not _touches(e["target"], hidden)]
    # a shock left with no edit changes nothing the viewer's analyses see
    out["shocks"] = [s for s in out.get("shocks", []) if s["edits"]]
    return out


# --- permissions -----------------------------------------------------------------------------

EDITORS: dict[str, frozenset[str]] = {
    "meta": frozenset({"owner"}),
    "parties": frozenset({"owner"}),
    "issues": frozenset({"owner"}),
    "shocks": frozenset({"owner"}),
    "sources": frozenset({"owner", "mediator"}),
    "facts": frozenset({"owner", "mediator"}),
    "drafts": frozenset({"owner", "mediator"}),
    "events": frozenset({"owner", "mediator"}),
}


def check_member(viewer: Viewer) -> None:
    """Refuse (Forbidden) a viewer who is not a member."""
    if not viewer.member:
        raise Forbidden("you are not a member of this scenario")


def check_edit(viewer: Viewer, target: tuple[str, ...]) -> None:
    """May ``viewer`` change the resource at ``target``?"""
    check_member(viewer)
    kind = target[0]
    if kind == "preferences":
        if viewer.role == "owner" or (viewer.role == "delegate" and viewer.party == target[1]):
            return
        if viewer.role == "delegate":
            raise Forbidden(
                f"a delegate of {viewer.party} may edit only {viewer.party}'s preferences"
            )
        raise Forbidden(
            f"a {viewer.role} may not edit preferences (the owner and the party's delegate may)"
        )
    allowed = EDITORS.get(kind, frozenset({"owner"}))
    if viewer.role not in allowed:
        who = " and ".join(sorted(allowed))
        raise Forbidden(f"a {viewer.role} may not edit {kind} (the {who} may)")


def check_full(viewer: Viewer, what: str) -> None:
    """Refuse a member who may not see every party's data (mediators and owners may)."""
    check_member(viewer)
    if not viewer.full:
        raise Forbidden(f"only the owner and the mediator may read {what}")


def check_owner(viewer: Viewer, what: str) -> None:
    """Refuse a member who is not an owner."""
    check_member(viewer)
    if viewer.role != "owner":
        raise Forbidden(f"only the owner may {what}")
