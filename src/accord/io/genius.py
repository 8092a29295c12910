"""GENIUS XML in and out: ANAC/GENIUS domains and linear additive profiles.

A GENIUS folder holds one domain file (root ``<negotiation_template>``) and one profile per party
(root ``<utility_space>``). :func:`read_genius` turns it into a :class:`Scenario`:

* a discrete issue becomes an issue whose options are the items in file order, at ordinal
  positions 0..n-1; an integer issue gets one option per integer (at most
  ``max_integer_values``); real issues are refused (no grid is declared for them);
* GENIUS has no status quo and no date: the first item stands in for the status quo and
  ``as_of`` is the placeholder 2000-01-01; both are said in the descriptions;
* each profile becomes a party (id from the file name). GENIUS's linear additive utility
  ``u(x) = sum_i w_i * e_i(x_i) / max e_i`` maps onto accord's ``sum_i w_i * v_i(x_i)``: weights
  become saliences (divided by their sum, which accord's compile does anyway), item evaluations
  divided by the issue's largest become the values table, and an integer issue's linear evaluator
  ``slope * (x - lowerbound) + offset`` gives the values directly (it must stay within [0, 1]).
  NegMAS 0.16 evaluates ``slope * x + offset`` instead; the y2015 files (whose evaluators span
  exactly [0, 1] only with the lower bound subtracted) show GENIUS's reading;
* the reservation value becomes the BATNA (0 when absent); a discount factor is recorded in the
  party's description only (accord has no time discounting).

Nonlinear profiles (hyper-rectangles, non-linear evaluators) are refused. Files are parsed with
``defusedxml``: a DTD, entity or external reference is refused, never expanded. Every problem is a
:class:`ScenarioError` naming the file (and the line where the parser knows it).

:func:`write_genius` writes a scenario back as a domain and one linear additive profile per party.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET  # building output only; all parsing goes through defusedxml
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from pydantic import ValidationError

from accord.compile import compile_scenario
from accord.model.errors import Problem, ScenarioError
from accord.model.load import write_atomic
from accord.model.records import Scenario

MAX_BYTES = 20_000_000
MAX_INTEGER_VALUES = 1_000
UNKNOWN_DATE = "2000-01-01"
ORDINAL = "GENIUS discrete items, ordinal positions in file order"
INTEGER = "GENIUS integer issue: one option per integer value, at that value"


@dataclass(frozen=True)
class GeniusIssue:
    """A domain issue: its ``index`` attribute, name, kind and values (as the file writes them)."""

    index: int
    name: str
    kind: str  # "discrete" or "integer"
    values: tuple[str, ...]


@dataclass(frozen=True)
class GeniusDomain:
    """A GENIUS domain read from its XML: its issues and their values."""

    path: Path
    issues: tuple[GeniusIssue, ...]


@dataclass(frozen=True)
class GeniusProfile:
    """A linear additive profile laid out on the domain's issues: raw ``weights``, ``values`` in
    [0, 1] per issue and value, and the reservation value and discount factor if given."""

    path: Path
    weights: tuple[float, ...]
    values: tuple[tuple[float, ...], ...]
    reservation: float | None
    discount: float | None


@dataclass(frozen=True)
class GeniusFiles:
    """What :func:`write_genius` wrote, and what GENIUS could not hold (``notes``)."""

    domain: Path
    profiles: tuple[Path, ...]
    notes: tuple[str, ...]


# --- parsing ---------------------------------------------------------------------------------


def _line_of(raw: bytes, needle: bytes) -> int | None:
    at = raw.find(needle)
    return None if at < 0 else raw.count(b"\n", 0, at) + 1


def parse_xml(path: Path) -> ET.Element:
    """Parse one file safely. Refuses DTDs, entities and external references (never expanded)."""
    name = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ScenarioError(name, [Problem((), f"file is over {MAX_BYTES:,} bytes")])
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ScenarioError(
            name, [Problem((), f"cannot read: {reason} (expected a GENIUS XML file)")]
        ) from None
    refused = "DTDs, entities and external references are refused and never expanded"
    try:
        root: ET.Element = SafeET.fromstring(raw, forbid_dtd=True)
    except DTDForbidden:
        problem = Problem(
            (), f"declares a DTD (<!DOCTYPE>): {refused} (expected GENIUS XML without a DOCTYPE)"
        )
        raise ScenarioError(
            name, [Problem((), problem.message, _line_of(raw, b"<!DOCTYPE"))]
        ) from None
    except (EntitiesForbidden, ExternalReferenceForbidden):
        message = f"declares an entity: {refused} (expected GENIUS XML without entities)"
        raise ScenarioError(name, [Problem((), message, _line_of(raw, b"<!ENTITY"))]) from None
    except ET.ParseError as exc:
        line, column = exc.position
        reason = re.sub(r": line \d+, column \d+$", "", str(exc))
        message = f"malformed XML: {reason} at column {column + 1} (expected well-formed XML)"
        raise ScenarioError(name, [Problem((), message, line)]) from None
    except ValueError as exc:
        raise ScenarioError(
            name, [Problem((), f"cannot decode: {exc} (expected UTF-8 XML)")]
        ) from None
    return root


def _number(text: str | None, path: tuple[str | int, ...], problems: list[Problem]) -> float:
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        problems.append(Problem(path, f"got {text!r} (expected a finite number)"))
        return 0.0
    return value


def _whole(text: str | None, path: tuple[str | int, ...], problems: list[Problem]) -> int:
    value = _number(text, path, problems)
    if value != int(value):
        problems.append(Problem(path, f"got {text!r} (expected a whole number)"))
    return int(value)


def _objective(root: ET.Element) -> ET.Element:
    found = root.find("objective")
    if found is None:
        found = root.find("utility_space/objective")
    return root if found is None else found


def domain_from_xml(root: ET.Element, path: Path, *, max_integer_values: int) -> GeniusDomain:
    """The issues of a parsed domain file."""
    problems: list[Problem] = []
    if root.tag != "negotiation_template":
        problems.append(
            Problem((root.tag,), "is not a GENIUS domain (expected root <negotiation_template>)")
        )
        raise ScenarioError(str(path), problems)
    issues: list[GeniusIssue] = []
    for element in _objective(root).findall("issue"):
        name = element.get("name") or ""
        where: tuple[str | int, ...] = ("issue", name or "?")
        index = _whole(element.get("index"), (*where, "index"), problems)
        kind = element.get("type") or element.get("etype") or "discrete"
        if kind == "discrete":
            values = tuple(item.get("value", "") for item in element.findall("item"))
            if len(values) < 2:
                problems.append(Problem(where, f"has {len(values)} item(s) (expected at least 2)"))
        elif kind == "integer":
            bounds = element.find("range")
            source = element if bounds is None else bounds
            low = _whole(source.get("lowerbound"), (*where, "lowerbound"), problems)
            high = _whole(source.get("upperbound"), (*where, "upperbound"), problems)
            count = high - low + 1
            if not 2 <= count <= max_integer_values:
                problems.append(
                    Problem(
                        where,
                        f"integer issue [{low}, {high}] has {count:,} values"
                        f" (expected 2 to {max_integer_values:,}; accord enumerates each value)",
                    )
                )
            values = tuple(str(v) for v in range(low, high + 1)) if count > 1 else ()
        else:
            problems.append(
                Problem(
                    where,
                    f"{kind} issues are not supported (expected discrete or integer;"
                    " accord does not discretise real issues)",
                )
            )
            continue
        if not name or any(i.name == name for i in issues):
            problems.append(Problem(where, "missing or duplicate issue name (expected unique)"))
        issues.append(GeniusIssue(index, name, kind, values))
    if not issues and not problems:
        problems.append(Problem(("issue",), "no issues (expected at least one <issue>)"))
    if problems:
        raise ScenarioError(str(path), problems)
    return GeniusDomain(path, tuple(issues))


def read_domain(path: str | Path, *, max_integer_values: int = MAX_INTEGER_VALUES) -> GeniusDomain:
    """Read a GENIUS domain file."""
    return domain_from_xml(parse_xml(Path(path)), Path(path), max_integer_values=max_integer_values)


def _issue_values(
    element: ET.Element, issue: GeniusIssue, problems: list[Problem]
) -> tuple[float, ...]:
    """Values in [0, 1] of one issue: evaluations over their maximum (discrete), or the linear
    evaluator itself (integer)."""
    where: tuple[str | int, ...] = ("issue", issue.name)
    if issue.kind == "integer":
        evaluator = element.find("evaluator")
        ftype = None if evaluator is None else evaluator.get("ftype")
        if evaluator is None or ftype != "linear":
            problems.append(
                Problem(where, f"nonlinear or missing evaluator {ftype!r} (expected ftype linear)")
            )
            return (0.0,) * len(issue.values)
        offset = _number(evaluator.get("offset", evaluator.get("parameter0", "0")), where, problems)
        slope = _number(evaluator.get("slope", evaluator.get("parameter1", "1")), where, problems)
        low = int(issue.values[0])  # GENIUS evaluates slope * (x - lowerbound) + offset
        values = tuple(slope * (int(v) - low) + offset for v in issue.values)
        if min(values) < -1e-12 or max(values) > 1 + 1e-12:
            problems.append(
                Problem(
                    (*where, "evaluator"),
                    f"{slope:g} * (x - lowerbound) + {offset:g} spans"
                    f" [{min(values):g}, {max(values):g}] over [{low}, {issue.values[-1]}]"
                    " (expected values within [0, 1])",
                )
            )
        return tuple(min(max(v, 0.0), 1.0) for v in values)
    given: dict[str, float] = {}
    for item in element.findall("item"):
        value = item.get("value", "")
        evaluation = _number(item.get("evaluation"), (*where, "item", value), problems)
        if value not in issue.values:
            problems.append(Problem((*where, "item", value), "is not an item of the domain issue"))
        elif evaluation < 0:
            problems.append(
                Problem((*where, "item", value), f"evaluation {evaluation:g} (expected >= 0)")
            )
        given[value] = evaluation
    missing = [v for v in issue.values if v not in given]
    if missing:
        problems.append(Problem(where, f"no evaluation for items {', '.join(map(repr, missing))}"))
    top = max(given.values(), default=0.0)
    return tuple(given.get(v, 0.0) / top if top > 0 else 0.0 for v in issue.values)


def profile_from_xml(root: ET.Element, path: Path, domain: GeniusDomain) -> GeniusProfile:
    """A parsed profile laid out on ``domain``'s issues; refuses anything not linear additive."""
    problems: list[Problem] = []
    if root.tag != "utility_space":
        problems.append(Problem((root.tag,), "is not a GENIUS profile (expected <utility_space>)"))
        raise ScenarioError(str(path), problems)
    for tag in ("utility_function", "ufun", "utility"):
        if root.find(f".//{tag}") is not None:
            problems.append(
                Problem(
                    (tag,),
                    "nonlinear profile: hyper-rectangle utilities are not supported"
                    " (expected a linear additive profile: <weight> and <issue> elements)",
                )
            )
            raise ScenarioError(str(path), problems)
    objective = _objective(root)
    by_name = {issue.name: k for k, issue in enumerate(domain.issues)}
    values: list[tuple[float, ...] | None] = [None] * len(domain.issues)
    by_index: dict[int, int] = {issue.index: k for k, issue in enumerate(domain.issues)}
    for element in objective.findall("issue"):
        name = element.get("name", "")
        if name not in by_name:
            problems.append(Problem(("issue", name), "is not an issue of the domain"))
            continue
        k = by_name[name]
        values[k] = _issue_values(element, domain.issues[k], problems)
        by_index[_whole(element.get("index"), ("issue", name, "index"), problems)] = k
    weights: list[float | None] = [None] * len(domain.issues)
    for element in objective.findall("weight"):
        index = _whole(element.get("index"), ("weight", "index"), problems)
        where: tuple[str | int, ...] = ("weight", index)
        weight = _number(element.get("value"), where, problems)
        if index not in by_index:
            problems.append(Problem(where, "names no issue (expected an issue's index)"))
        elif weight < 0:
            problems.append(Problem(where, f"weight {weight:g} (expected >= 0)"))
        else:
            weights[by_index[index]] = weight
    for k, issue in enumerate(domain.issues):
        if values[k] is None:
            problems.append(Problem(("issue", issue.name), "missing from the profile"))
        if weights[k] is None:
            problems.append(Problem(("weight", issue.index), f"no weight for issue {issue.name!r}"))
    total = sum(w or 0.0 for w in weights)
    if not problems and total <= 0:
        problems.append(Problem(("weight",), "weights sum to 0 (expected a positive sum)"))
    extras: dict[str, float] = {}
    for tag in ("reservation", "discount_factor"):
        found = root.find(tag)
        if found is not None:
            extras[tag] = _number(found.get("value"), (tag,), problems)
    if extras.get("reservation", 0.0) > 1:
        problems.append(
            Problem(("reservation",), f"{extras['reservation']:g} (expected at most 1)")
        )
    if problems:
        raise ScenarioError(str(path), problems)
    return GeniusProfile(
        path=path,
        weights=tuple(w or 0.0 for w in weights),
        values=tuple(v or () for v in values),
        reservation=extras.get("reservation"),
        discount=extras.get("discount_factor"),
    )


# --- to a scenario ---------------------------------------------------------------------------


def make_id(text: str, taken: Iterable[str] = ()) -> str:
    """An accord id from free text (``19'' LCD`` -> ``19_LCD``), unique among ``taken``."""
    base = re.sub(r"[^A-Za-z0-9_.\-]+", "_", text).strip("_.-")[:70] or "x"
    if not base[0].isalnum():
        base = "x" + base
    used = set(taken)
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def to_scenario(
    domain: GeniusDomain, profiles: Sequence[GeniusProfile], scenario_id: str
) -> Scenario:
    """Build the scenario from a domain and its profiles (see the module docstring)."""
    issues: list[dict[str, Any]] = []
    option_ids: list[list[str]] = []
    for issue in domain.issues:
        ids: list[str] = []
        for value in issue.values:
            ids.append(make_id(value if issue.kind == "discrete" else f"v{value}", ids))
        option_ids.append(ids)
        integer = issue.kind == "integer"
        positions = [float(v) if integer else float(k) for k, v in enumerate(issue.values)]
        issues.append(
            {
                "id": make_id(issue.name, [i["id"] for i in issues]),
                "name": issue.name,
                "description": "GENIUS has no status quo: the first item stands in for it.",
                "scale": {
                    "min": positions[0],
                    "max": positions[-1],
                    "assumption": INTEGER if integer else ORDINAL,
                },
                "options": [
                    {"id": o, "label": v or f"item {k + 1}", "position": x}
                    for k, (o, v, x) in enumerate(zip(ids, issue.values, positions, strict=True))
                ],
                "status_quo": ids[0],
            }
        )
    parties: list[dict[str, Any]] = []
    preferences: dict[str, Any] = {}
    for profile in profiles:
        pid = make_id(profile.path.stem, [p["id"] for p in parties])
        total = sum(profile.weights)
        discount = profile.discount
        notes = [f"GENIUS profile {profile.path.name}."]
        if discount is not None and discount not in (0.0, 1.0):
            notes.append(
                f"Discount factor {discount:g}: accord has no time discounting;"
                " it is recorded here and not applied."
            )
        if not math.isclose(total, 1.0, abs_tol=1e-9):
            notes.append(f"Its weights sum to {total:.12g}; accord divides them by that sum.")
        reservation = profile.reservation
        if reservation is None:
            batna = {"value": 0.0, "assumption": "GENIUS profile gives no reservation value: 0"}
        elif reservation < 0:
            batna = {
                "value": 0.0,
                "assumption": f"GENIUS reservation value {reservation:g} is below 0; 0 accepts"
                " the same packages (every utility is >= 0)",
            }
        else:
            batna = {"value": reservation, "assumption": "GENIUS reservation value"}
        parties.append(
            {
                "id": pid,
                "name": profile.path.stem,
                "roles": ["party"],
                "description": " ".join(notes),
                "batna": batna,
            }
        )
        preferences[pid] = {
            issue["id"]: {
                "salience": {"value": weight / total, "assumption": "GENIUS weight"},
                "values": dict(zip(ids, values, strict=True)),
                "note": "GENIUS linear evaluator slope * (x - lowerbound) + offset"
                if source.kind == "integer"
                else "GENIUS item evaluations divided by the issue's largest evaluation",
            }
            for issue, source, ids, weight, values in zip(
                issues, domain.issues, option_ids, profile.weights, profile.values, strict=True
            )
        }
    data: dict[str, Any] = {
        "id": scenario_id,
        "title": scenario_id,
        "as_of": UNKNOWN_DATE,
        "description": f"Imported from the GENIUS domain {domain.path.name} with"
        f" {len(profiles)} profile(s). GENIUS files carry no date: as_of {UNKNOWN_DATE} is a"
        " placeholder. GENIUS has no status quo: each issue's first item stands in for it.",
        "parties": parties,
        "issues": issues,
        "preferences": preferences,
    }
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:  # a bug here, not in the files: still no traceback for users
        problems = [Problem(tuple(e["loc"]), str(e["msg"])) for e in exc.errors()]
        raise ScenarioError(str(domain.path), problems) from None


def read_genius(
    folder_or_domain: str | Path,
    *,
    profiles: Sequence[str | Path] | None = None,
    max_integer_values: int = MAX_INTEGER_VALUES,
) -> Scenario:
    """Read a GENIUS folder (or a domain file, its profiles found beside it or given) as a
    scenario. Raises :class:`ScenarioError` for anything unreadable or not linear additive."""
    given = Path(folder_or_domain)
    folder = given if given.is_dir() else given.parent
    roots: dict[Path, ET.Element] = {}
    if not given.exists():
        raise ScenarioError(str(given), [Problem((), "no such file or folder")])
    candidates = [given] if given.is_file() else sorted(folder.glob("*.xml"))
    if profiles is None and given.is_file():
        candidates += sorted(folder.glob("*.xml"))
    candidates += [Path(p) for p in profiles or ()]
    for path in dict.fromkeys(candidates):
        if not path.name.endswith("pareto.xml"):
            roots[path] = parse_xml(path)
    domains = [p for p, r in roots.items() if r.tag == "negotiation_template"]
    if given.is_file():
        domains = [given]
    if len(domains) != 1:
        found = ", ".join(p.name for p in domains) or "none"
        raise ScenarioError(
            str(given),
            [Problem((), f"found {found} (expected exactly one GENIUS domain file)")],
        )
    domain = domain_from_xml(roots[domains[0]], domains[0], max_integer_values=max_integer_values)
    if profiles is not None:
        chosen = [Path(p) for p in profiles]
    else:
        chosen = [p for p, r in roots.items() if r.tag == "utility_space"]
    if not chosen:
        raise ScenarioError(str(given), [Problem((), "no profiles (expected <utility_space>)")])
    read = [profile_from_xml(roots[p], p, domain) for p in chosen]
    return to_scenario(domain, read, make_id(folder.resolve().name))


# --- writing ---------------------------------------------------------------------------------


def _integer_axis(labels: Sequence[str]) -> list[int] | None:
    """The integers the labels spell when they run consecutively (an integer issue), else None."""
    try:
        numbers = [int(label) for label in labels]
    except ValueError:
        return None
    consecutive = numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    return (
        numbers
        if consecutive and all(str(n) == s for n, s in zip(numbers, labels, strict=True))
        else None
    )


def _affine(xs: Sequence[int], ys: Sequence[float]) -> tuple[float, float] | None:
    slope = (ys[-1] - ys[0]) / (xs[-1] - xs[0])
    offset = ys[0] - slope * xs[0]
    exact = all(abs(slope * x + offset - y) <= 1e-12 for x, y in zip(xs, ys, strict=True))
    return (slope, offset) if exact else None


def _text(root: ET.Element) -> str:
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"


def write_genius(scenario: Scenario, folder: str | Path) -> GeniusFiles:
    """Write ``scenario`` as a GENIUS domain and one linear additive profile per party that
    states preferences, each file atomically. ``notes`` lists what GENIUS cannot hold."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    compiled = compile_scenario(scenario)
    notes: list[str] = []
    template = ET.Element("negotiation_template")
    objective = ET.SubElement(
        ET.SubElement(template, "utility_space"), "objective", index="0", name=scenario.id
    )
    labels, names, axes = [], [], []
    for i, issue in enumerate(scenario.issues):
        own = [o.label for o in issue.options]
        labels.append(own if len(set(own)) == len(own) else [o.id for o in issue.options])
        unique = sum(j.name == issue.name for j in scenario.issues) == 1
        names.append(issue.name if unique else issue.id)
        n = int(compiled.n_options[i])
        fits = [
            _affine(range(n), compiled.values[p, i, :n].tolist())
            for p in range(len(compiled.party_ids))
        ]
        axis = _integer_axis(labels[i])
        axes.append(axis if axis is not None and all(f is not None for f in fits) else None)
        element = ET.SubElement(objective, "issue", index=str(i + 1), name=names[i])
        if axes[i] is not None:
            element.set("type", "integer")
            element.set("lowerbound", labels[i][0])
            element.set("upperbound", labels[i][-1])
        else:
            element.set("type", "discrete")
            for k, label in enumerate(labels[i]):
                ET.SubElement(element, "item", index=str(k + 1), value=label)
        if issue.status_quo != issue.options[0].id:
            notes.append(f"issue {issue.id}: GENIUS has no status quo ({issue.status_quo} is lost)")
    domain_path = out / f"{make_id(scenario.id)}-domain.xml"
    profile_paths = [out / f"{pid}.xml" for pid in compiled.party_ids]
    if domain_path in profile_paths:
        raise ValueError(f"party id {domain_path.stem!r} clashes with the domain file name")
    write_atomic(domain_path, _text(template))
    for p, pid in enumerate(compiled.party_ids):
        space = ET.Element("utility_space")
        objective = ET.SubElement(space, "objective", index="0", name=scenario.id)
        for i in range(compiled.n_issues):
            n = int(compiled.n_options[i])
            values = compiled.values[p, i, :n].tolist()
            element = ET.SubElement(objective, "issue", index=str(i + 1), name=names[i])
            axis = axes[i]
            if axis is not None:
                fit = _affine(range(len(axis)), values)  # in x - lowerbound, as GENIUS
                assert fit is not None  # checked per party above
                element.set("type", "integer")
                ET.SubElement(
                    element, "evaluator", ftype="linear", slope=repr(fit[0]), offset=repr(fit[1])
                )
                continue
            element.set("type", "discrete")
            if 0 < max(values) < 1:
                notes.append(
                    f"party {pid}, issue {compiled.issue_ids[i]}: best value {max(values):g} < 1;"
                    " GENIUS rescales evaluations so the best item is worth 1"
                )
            for k, (label, value) in enumerate(zip(labels[i], values, strict=True)):
                ET.SubElement(
                    element, "item", index=str(k + 1), value=label, evaluation=repr(value)
                )
        for i in range(compiled.n_issues):
            ET.SubElement(
                objective, "weight", index=str(i + 1), value=repr(float(compiled.weights[p, i]))
            )
        ET.SubElement(space, "reservation", value=repr(float(compiled.batna[p])))
        if not compiled.allowed[p][compiled.valid].all():
            notes.append(f"party {pid}: red lines have no GENIUS form and are not written")
        write_atomic(profile_paths[p], _text(space))
    return GeniusFiles(domain_path, tuple(profile_paths), tuple(notes))
