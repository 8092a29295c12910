"""The scenario records: frozen, typed, sourced.

A scenario file is a mapping with these top-level keys (see ``accord schema`` for the full JSON
Schema and ``docs/howto-scenario.md`` for a walk-through):

``id``, ``title``, ``as_of``, ``description``, ``invented``, ``provenance``, ``sources``, ``facts``,
``parties``, ``issues``, ``preferences``, ``drafts``, ``events``, ``shocks``, ``constraints``
(cross-issue :class:`Link` records: ``excludes`` / ``requires``), ``uncertainty`` (default widths
of the judgement numbers, :class:`Uncertainty`).

Every number that states something about the world (a salience, an option value, a BATNA, a
capability, a shock's size) is a :class:`Quantity`: a value with a ``source`` id (or several) or an
``assumption`` note saying why it was chosen, and optionally a ``range`` or ``dist`` for ensembles.
A bare number is accepted as a quantity with no provenance; a scenario that declares
``provenance: required`` refuses bare numbers.

Cross-references (option ids, party ids, source ids, ``based_on``) are checked by
:mod:`accord.model.checks`, which reports every problem at once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from accord.model.errors import UnknownId

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", min_length=1, max_length=80),
]
"""An identifier: letters, digits, ``_``, ``.`` and ``-``, starting with a letter or digit."""

Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


class Record(BaseModel):
    """Base of every record: frozen, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


def _as_list(value: Any) -> Any:
    """Let ``source: x`` stand for ``source: [x]``."""
    if isinstance(value, str):
        return [value]
    return value


class Reliability(StrEnum):
    """How far a source is trusted: official, reported or low."""

    OFFICIAL = "official"
    REPORTED = "reported"
    LOW = "low"


class Source(Record):
    """Where a fact comes from: an ``http(s)`` ``url``, the ``outlet`` that published it and the
    ``date`` it was published, or a stated reason for each gap (``no_url: WHY``,
    ``undated: WHY``). ``accord validate`` warns on every gap left unexplained
    (:func:`accord.model.checks.hygiene_problems`)."""

    id: Id
    title: Text | None = None
    url: Text | None = None
    no_url: Text | None = None
    outlet: Text | None = None
    date: dt.date | None = None
    undated: Text | None = None
    reliability: Reliability = Reliability.REPORTED
    note: Text | None = None

    @model_validator(mode="after")
    def _gap_or_value(self) -> Source:
        if self.url is not None and self.no_url is not None:
            raise ValueError(
                "has both a url and no_url (expected a url, or no_url: WHY when there is none)"
            )
        if self.date is not None and self.undated is not None:
            raise ValueError(
                "has both a date and undated (expected a date, or undated: WHY when there is none)"
            )
        return self


class Dated(Record):
    """Mix-in fields: the dates a claim held (YAML keys ``from``/``to``; open-ended when absent,
    i.e. the scenario's whole span). :func:`accord.model.timing.as_of` keeps a claim on a day
    only when ``from <= day <= to``."""

    start: dt.date | None = Field(default=None, alias="from")
    end: dt.date | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _dates(self) -> Any:
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"from {self.start} is after to {self.end} (expected from <= to)")
        return self

    def holds_on(self, day: dt.date) -> bool:
        """True when the claim's ``from``/``to`` window includes ``day``."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class Distribution(Record):
    """A distribution for ensembles. ``normal`` uses ``mean``/``sd``; ``uniform`` ``low``/``high``;
    ``triangular`` ``low``/``mode``/``high``; ``beta`` ``a``/``b`` on [0, 1]."""

    kind: Literal["uniform", "normal", "triangular", "beta"]
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: Annotated[float, Field(gt=0)] | None = None
    a: Annotated[float, Field(gt=0)] | None = None
    b: Annotated[float, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _parameters(self) -> Distribution:
        needed = {
            "uniform": ("low", "high"),
            "normal": ("mean", "sd"),
            "triangular": ("low", "mode", "high"),
            "beta": ("a", "b"),
        }[self.kind]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(
                f"a {self.kind} distribution needs {', '.join(needed)};"
                f" missing {', '.join(missing)}"
            )
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high} (expected low <= high)")
        bounded = self.low is not None and self.high is not None
        if self.mode is not None and bounded and not self.low <= self.mode <= self.high:  # type: ignore[operator]
            raise ValueError(f"mode {self.mode} is outside [{self.low}, {self.high}]")
        return self


class Quantity(Dated):
    """A number with its provenance: ``{value: 0.8, source: kyiv-indep-1121}`` or
    ``{value: 0.5, assumption: "midpoint: no reported figure"}``. A bare number is accepted and
    written back bare. ``from``/``to`` date the figure (e.g. a BATNA reported for a period)."""

    value: float
    source: Annotated[list[Id], Field(min_length=1)] | None = None
    assumption: Text | None = None
    range: tuple[float, float] | None = None
    dist: Distribution | None = None
    note: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_bare(cls, data: Any) -> Any:
        if isinstance(data, bool):
            return data  # let pydantic reject it: a yes/no is not a number here
        if isinstance(data, int | float):
            return {"value": data}
        if isinstance(data, dict) and "source" in data:
            data = {**data, "source": _as_list(data["source"])}
        return data

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError(f"{value} is not a finite number (expected a finite number)")
        return value

    @model_validator(mode="after")
    def _range(self) -> Quantity:
        if self.range is not None:
            low, high = self.range
            if not low <= self.value <= high:
                raise ValueError(
                    f"value {self.value:g} lies outside its range [{low:g}, {high:g}]"
                    " (expected low <= value <= high)"
                )
        return self

    @property
    def bare(self) -> bool:
        """True when the number carries neither a source nor an assumption."""
        return self.source is None and self.assumption is None

    @model_serializer(mode="wrap")
    def _serialize(self, handler: Any) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if v is not None}
            if set(data) == {"value"}:
                return data["value"]
            if isinstance(data.get("source"), list) and len(data["source"]) == 1:
                data["source"] = data["source"][0]
        return data


def quantity_between(low: float, high: float) -> Callable[[Quantity], Quantity]:
    """A validator factory: the quantity's value (and range) must lie in [low, high]."""

    def check(q: Quantity) -> Quantity:
        values = [q.value, *(q.range or ())]
        for v in values:
            if not low <= v <= high:
                raise ValueError(f"{v:g} is out of range (expected a value in [{low:g}, {high:g}])")
        return q

    return check


class Sourced(Record):
    """Mix-in fields: a record's own sources."""

    source: Annotated[list[Id], Field(min_length=1)] | None = None
    assumption: Text | None = None

    @field_validator("source", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return _as_list(value)


# --- facts -----------------------------------------------------------------------------------


class Claim(Sourced, Dated):
    """One report of a fact. Conflicting reports are separate claims, never averaged."""

    value: bool | float | Text
    unit: Text | None = None
    note: Text | None = None


class Condition(Record):
    """A draft meets this condition when it puts ``issue`` on one of ``options``."""

    issue: Id
    options: Annotated[list[Id], Field(min_length=1)]


class Fact(Record):
    """A state of the world at the scenario's ``as_of`` date, kept as the claims that report it.

    A yes/no fact (``martial_law``) can block ratification steps; ``ended_by`` lists the draft
    provisions that would end it."""

    id: Id
    label: Text
    claims: Annotated[list[Claim], Field(min_length=1)]
    ended_by: list[Condition] = []


# --- parties ---------------------------------------------------------------------------------


class Role(StrEnum):
    """A party's role in the talks."""

    PARTY = "party"
    MEDIATOR = "mediator"
    STAKEHOLDER = "stakeholder"
    GUARANTOR = "guarantor"


class Member(Sourced, Dated):
    """A delegation member, with the dates the role was held (open-ended when absent)."""

    name: Text
    role: Text


class RatificationKind(StrEnum):
    """How a party ratifies an agreement."""

    REFERENDUM = "referendum"
    PARLIAMENT = "parliament"
    CONSTITUTIONAL_AMENDMENT = "constitutional_amendment"
    CONSENT = "consent"
    COURT = "court"
    EXECUTIVE = "executive"


class RatificationRule(Sourced):
    """A domestic step a draft must pass before the party can ratify it.

    The step is triggered when the draft meets any ``triggered_by`` condition. It is blocked while
    a fact in ``blocked_while`` holds (unless the draft itself ends that fact), and needs every
    ``requires`` condition met by the draft. With neither a block nor an unmet requirement the
    step is ``open``: nothing in the scenario decides it; ``passes`` states a reported outcome."""

    id: Id
    name: Text
    kind: RatificationKind
    triggered_by: Annotated[list[Condition], Field(min_length=1)]
    blocked_while: list[Id] = []
    requires: list[Condition] = []
    passes: bool | None = None
    note: Text | None = None


_Capability = Annotated[Quantity, Field(description="Relative power, >= 0.")]
_Unit = Annotated[Quantity, Field(description="A value on the party's 0..1 utility scale.")]


class Party(Sourced):
    """A party: its name, aliases, roles, delegation, capability, BATNA and ratification rules.
    ``source`` (or ``assumption``) is where its ``description`` comes from."""

    id: Id
    name: Text
    aliases: list[Text] = []  # other names the news uses (matched by `accord ingest`)
    roles: Annotated[list[Role], Field(min_length=1)]
    description: Text | None = None
    capability: _Capability | None = None
    batna: _Unit | None = None
    delegation: list[Member] = []
    ratification: list[RatificationRule] = []

    # a name of its own: reusing Sourced's ``_one_or_many`` would replace its ``source`` validator
    @field_validator("roles", mode="before")
    @classmethod
    def _roles_one_or_many(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("capability")
    @classmethod
    def _capability(cls, q: Quantity | None) -> Quantity | None:
        return None if q is None else quantity_between(0.0, math.inf)(q)

    @field_validator("batna")
    @classmethod
    def _batna(cls, q: Quantity | None) -> Quantity | None:
        return None if q is None else quantity_between(0.0, 1.0)(q)


# --- issues ----------------------------------------------------------------------------------


class Scale(Sourced):
    """The numeric axis an issue's options sit on. ``source``/``assumption`` say how the option
    positions were placed (e.g. the literal troop numbers, or an ordinal spacing)."""

    min: float
    max: float
    unit: Text | None = None
    low_label: Text | None = None
    high_label: Text | None = None

    @model_validator(mode="after")
    def _order(self) -> Scale:
        if not (math.isfinite(self.min) and math.isfinite(self.max)) or self.min >= self.max:
            raise ValueError(
                f"scale min {self.min:g} is not below max {self.max:g} (expected min < max)"
            )
        return self


class Option(Sourced):
    """An option of an issue, at ``position`` on the issue's scale (checked to lie within it)."""

    id: Id
    label: Text
    position: float
    description: Text | None = None


class Issue(Record):
    """An issue: its scale, ordered options and status quo."""

    id: Id
    name: Text
    description: Text | None = None
    scale: Scale
    options: Annotated[list[Option], Field(min_length=1)]
    status_quo: Id


# --- preferences -----------------------------------------------------------------------------


class Shape(StrEnum):
    """How option values follow from the distance to the ideal, when no table is given:
    ``1 - (d / d_max) ** k`` with k = 1 (linear) or 2 (quadratic); ``step`` is 1 at the ideal
    option and 0 elsewhere."""

    LINEAR = "linear"
    QUADRATIC = "quadratic"
    STEP = "step"


class RedLine(Sourced, Dated):
    """An option the party refuses outright (non-compensatory)."""

    option: Id
    note: Text | None = None


class Preference(Dated):
    """One party's stance on one issue, held from ``from`` to ``to`` (open-ended when absent)."""

    ideal: Id | Quantity | None = None
    salience: Quantity
    values: dict[Id, Quantity] | None = None
    shape: Shape = Shape.LINEAR
    red_lines: list[RedLine] = []
    confidential: bool = False
    position_source: Annotated[list[Id], Field(min_length=1)] | None = None
    note: Text | None = None

    @field_validator("position_source", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("salience")
    @classmethod
    def _salience(cls, q: Quantity) -> Quantity:
        return quantity_between(0.0, 1.0)(q)

    @field_validator("values")
    @classmethod
    def _values(cls, table: dict[str, Quantity] | None) -> dict[str, Quantity] | None:
        if table is not None:
            for q in table.values():
                quantity_between(0.0, 1.0)(q)
        return table

    @model_validator(mode="after")
    def _ideal_or_values(self) -> Preference:
        if self.ideal is None and self.values is None:
            raise ValueError("needs an ideal or a values table (expected at least one of them)")
        return self


# --- drafts ----------------------------------------------------------------------------------


class PointStatus(StrEnum):
    """Whether a draft point is agreed, proposed or bracketed."""

    AGREED = "agreed"
    PROPOSED = "proposed"
    BRACKETED = "bracketed"


class Reading(Sourced):
    """Another outlet's reading of a point, kept beside the main one (never averaged)."""

    text: Text | None = None
    sets: dict[Id, Id] = {}
    note: Text | None = None


class Point(Sourced):
    """A numbered point of a draft. ``sets`` maps issue ids to the option the point fixes.
    ``revises`` names the points of earlier drafts this point continues (``us-28#6``)."""

    number: Annotated[int, Field(ge=0, le=100_000)]
    title: Text | None = None
    text: Text
    sets: dict[Id, Id] = {}
    status: PointStatus = PointStatus.PROPOSED
    revises: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][\w.\-]*#\d+$")]] = []
    readings: list[Reading] = []
    note: Text | None = None

    # a name of its own: reusing Sourced's ``_one_or_many`` would replace its ``source`` validator
    @field_validator("revises", mode="before")
    @classmethod
    def _revises_one_or_many(cls, value: Any) -> Any:
        return _as_list(value)


class Draft(Sourced, Dated):
    """A draft text; ``date`` is when it was reported, ``from``/``to`` the days it was on the
    table (open-ended when absent)."""

    id: Id
    title: Text
    date: dt.date | None = None
    author: Id | None = None
    based_on: Id | None = None
    description: Text | None = None
    points: list[Point] = []


# --- events and shocks -----------------------------------------------------------------------


class EventKind(StrEnum):
    """The kind of a timeline event."""

    TALKS = "talks"
    STATEMENT = "statement"
    DRAFT_DELIVERED = "draft_delivered"
    ULTIMATUM = "ultimatum"
    DECISION = "decision"
    PERSONNEL = "personnel"
    LEAK = "leak"


class Event(Sourced):
    """An event of the talks: date, place, participants, kind and summary."""

    id: Id
    date: dt.date
    end_date: dt.date | None = None
    kind: EventKind
    title: Text
    venue: Text | None = None
    participants: list[Id] = []
    drafts: list[Id] = []
    summary: Text | None = None


class EditOp(StrEnum):
    """How a shock changes a number: set, multiply or add."""

    SET = "set"
    MULTIPLY = "multiply"
    ADD = "add"


class Edit(Record):
    """One change a shock makes. ``target`` is one of ``parties.P.capability``,
    ``parties.P.batna``, ``preferences.P.I.salience``, ``preferences.P.I.ideal``."""

    target: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]+$")]
    op: EditOp = EditOp.SET
    value: Quantity | None = None
    option: Id | None = None

    @model_validator(mode="after")
    def _payload(self) -> Edit:
        if (self.value is None) == (self.option is None):
            raise ValueError("needs exactly one of value or option (expected one, not both)")
        if self.option is not None and self.op != EditOp.SET:
            raise ValueError(f"op {self.op.value!r} cannot apply to an option (expected op: set)")
        return self


class Shock(Sourced):
    """A named what-if change to the scenario's numbers."""

    id: Id
    name: Text
    rationale: Text
    edits: Annotated[list[Edit], Field(min_length=1)]


# --- uncertainty -----------------------------------------------------------------------------


_Width = Annotated[float, Field(ge=0.0, le=1.0)]


class Widths(Record):
    """Default half-widths of the judgement numbers of one provenance class: a number ``v``
    without its own ``range``/``dist`` is sampled uniformly in ``[v - w, v + w]`` (clipped to its
    valid range). ``capability`` is relative: ``[v (1 - w), v (1 + w)]``."""

    salience: _Width = 0.0
    batna: _Width = 0.0
    value: _Width = 0.0
    capability: _Width = 0.0


class Uncertainty(Record):
    """The scenario's default uncertainty, stated once: ``sourced`` widths for numbers with a
    source, ``assumed`` widths for numbers with an assumption note or none (assumptions are
    at least as uncertain as sourced numbers), and the ``assumption`` that explains the choice
    (the widths are judgements too)."""

    assumption: Text
    sourced: Widths = Widths()
    assumed: Widths = Widths()

    @model_validator(mode="after")
    def _assumed_wider(self) -> Uncertainty:
        for name in Widths.model_fields:
            narrow, wide = getattr(self.sourced, name), getattr(self.assumed, name)
            if narrow > wide:
                raise ValueError(
                    f"sourced.{name} {narrow:g} is wider than assumed.{name} {wide:g}"
                    " (expected a sourced number to be at most as uncertain as an assumption)"
                )
        return self


# --- cross-issue constraints -----------------------------------------------------------------


class LinkKind(StrEnum):
    """``excludes``: a package may not meet both ``when`` and ``then``; ``requires``: a package
    that meets ``when`` must meet ``then``."""

    EXCLUDES = "excludes"
    REQUIRES = "requires"


class Link(Sourced):
    """A cross-issue constraint: options that cannot stand together (``excludes``) or an option
    that needs another (``requires``). Like any claim it carries a ``source`` or an
    ``assumption``; every engine only produces packages that satisfy it."""

    id: Id
    kind: LinkKind
    when: Condition
    then: Condition
    note: Text | None = None

    @model_validator(mode="after")
    def _two_issues(self) -> Link:
        if self.when.issue == self.then.issue:
            raise ValueError(
                f"when and then name the same issue {self.when.issue!r}"
                " (expected two different issues: a constraint within one issue is a red line)"
            )
        return self


# --- the scenario ----------------------------------------------------------------------------


class Scenario(Record):
    """A whole negotiation, as reported at ``as_of``."""

    schema_version: Literal[1] = 1
    id: Id
    title: Text
    as_of: dt.date
    description: Text | None = None
    invented: bool = False
    provenance: Literal["required", "optional"] = "optional"
    sources: list[Source] = []
    facts: list[Fact] = []
    parties: Annotated[list[Party], Field(min_length=1)]
    issues: Annotated[list[Issue], Field(min_length=1)]
    preferences: dict[Id, dict[Id, Preference]] = {}
    drafts: list[Draft] = []
    events: list[Event] = []
    shocks: list[Shock] = []
    constraints: list[Link] = []
    uncertainty: Uncertainty | None = None

    @model_validator(mode="after")
    def _cross_references(self, info: ValidationInfo) -> Scenario:
        if isinstance(info.context, dict) and info.context.get("skip_cross_references"):
            return self
        from accord.model.checks import cross_reference_problems

        problems = cross_reference_problems(self.model_dump(mode="python", by_alias=True))
        if problems:
            raise ValueError(
                "cross-reference problems: "
                + "; ".join(f"{p.path_text}: {p.message}" for p in problems)
            )
        return self

    # lookups: an unknown id is an UnknownId naming the valid ones (never a StopIteration)
    def party(self, party_id: str) -> Party:
        """The party ``party_id``."""
        return _find("party", party_id, self.parties)

    def issue(self, issue_id: str) -> Issue:
        """The issue ``issue_id``."""
        return _find("issue", issue_id, self.issues)

    def draft(self, draft_id: str) -> Draft:
        """The draft ``draft_id``."""
        return _find("draft", draft_id, self.drafts)

    def source(self, source_id: str) -> Source:
        """The source ``source_id``."""
        return _find("source", source_id, self.sources)


_Found = TypeVar("_Found", Party, Issue, Draft, Source)


def _find(kind: str, wanted: str, items: Sequence[_Found]) -> _Found:
    for item in items:
        if item.id == wanted:
            return item
    raise UnknownId(kind, wanted, [item.id for item in items])
