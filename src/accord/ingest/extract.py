"""Read a news text into proposed edits: offline, deterministic, rule-based.

The pipeline is spaCy's blank English tokenizer with a sentencizer and an EntityRuler whose
patterns come from the scenario itself (party names, ``aliases``, adjectival forms and the
names of delegation members). Dates are read by dateparser relative to the article's date.
Statements are mapped to options by a lexical matcher (word-stem overlap with each option's
label and description and the issue's name); no model is ever downloaded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from accord.model import Scenario

_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "any",
        "all",
        "no",
        "not",
        "other",
        "own",
        "such",
        "than",
        "then",
        "there",
        "these",
        "they",
    ]
)

# stance verbs: the lemma-ish prefix and what it says about the party and the option
_REJECT = re.compile(
    r"\b(reject\w*|refus\w*|oppos\w*|rul\w+ out|will not accept|won't accept|never accept\w*)\b",
    re.I,
)
_SEEK = re.compile(
    r"\b(insist\w*|demand\w*|seek\w*|seeks|call\w* for|want\w*|accept\w*|agree\w*|propos\w*|"
    r"back\w*|support\w*|condition\w*)\b",
    re.I,
)
_EVENT = re.compile(
    r"\b(talks|meeting|met|meet|summit|negotiations|round|visit\w*|session)\b", re.I
)
_DATE = re.compile(
    r"\b(?:on |last |next |this )?(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"|yesterday|today|tomorrow"
    r"|\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December)(?: \d{4})?"
    r"|(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December) \d{1,2}(?:, \d{4})?)\b"
)
_PLACE = re.compile(r"\b(?:in|at) ((?:[A-Z][a-z]+)(?: [A-Z][a-z]+)?)")
_ROLE_WORDS = (
    r"(?:special envoy|envoy|chief negotiator|negotiator|foreign minister|defence minister|"
    r"defense minister|minister|secretary of state|adviser|advisor|aide|spokesman|spokeswoman|"
    r"spokesperson|ambassador|general|secretary|head of delegation|chief of staff)"
)
_NAME = r"((?:[A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?: [A-Z]\.)?(?: [A-Z][a-z]+(?:-[A-Z][a-z]+)?){1,2})"
_PERSON_BEFORE = re.compile(rf"\b((?i:{_ROLE_WORDS})) {_NAME}")
_PERSON_AFTER = re.compile(rf"{_NAME}, (?:the |a |his |her )?(?:\w+ )?((?i:{_ROLE_WORDS}))\b")
_POINT = re.compile(r"^[ \t]*(\d{1,3})[.)][ \t]+(\S.*?)[ \t]*$", re.M)


@dataclass(frozen=True)
class Sentence:
    """A sentence of the article with its character offsets."""

    start: int
    end: int
    text: str


def _stem(word: str) -> str:
    w = word.lower()
    for suffix in ("ations", "ation", "ments", "ment", "ies", "ing", "ed", "es", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    return w[:6]


def stems(text: str) -> frozenset[str]:
    """The content-word stems of ``text`` (lowercase, stop words dropped, 6-letter prefixes)."""
    words = {_stem(w) for w in re.findall(r"[A-Za-z][A-Za-z\-]+", text) if w.lower() not in _STOP}
    return frozenset(words | set(re.findall(r"\d+(?:\.\d+)?", text)))


def adjectival(name: str) -> list[str]:
    """The forms the news uses for a country's people (Russia -> Russian, Ukraine -> Ukrainian)."""
    if " " in name:
        return []
    if name.endswith("a"):
        return [name + "n"]
    if name.endswith("e"):
        return [name[:-1] + "ian"]
    return []


def party_names(scenario: Scenario) -> dict[str, list[str]]:
    """Every name that points to each party: its id, name, aliases and adjectival forms."""
    names: dict[str, list[str]] = {}
    for party in scenario.parties:
        forms = [party.name, *party.aliases, *adjectival(party.name)]
        if len(party.id) >= 2 and party.id.isupper():
            forms.append(party.id)
        names[party.id] = list(dict.fromkeys(f for f in forms if f))
    return names


def build_pipeline(scenario: Scenario) -> Any:
    """spaCy's blank English pipeline with a sentencizer and an EntityRuler of the scenario's
    own parties (label PARTY) and delegation members (label PERSON), the party id as ent_id."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler: Any = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH"})
    patterns: list[dict[str, Any]] = []
    for pid, forms in party_names(scenario).items():
        for form in forms:
            patterns.append({"label": "PARTY", "pattern": form, "id": pid})
            possessive = form + "'s"
            patterns.append({"label": "PARTY", "pattern": possessive, "id": pid})
    for party in scenario.parties:
        for member in party.delegation:
            patterns.append({"label": "PERSON", "pattern": member.name, "id": party.id})
            last = member.name.split()[-1]
            if len(last) > 3:
                patterns.append({"label": "PERSON", "pattern": last, "id": party.id})
    ruler.add_patterns(patterns)
    return nlp


def sentences(nlp: Any, text: str) -> list[tuple[Sentence, Any]]:
    """The article's sentences (split also at blank lines and headings) with their spans."""
    doc = nlp(text)
    found: list[tuple[Sentence, Any]] = []
    for sent in doc.sents:
        start, end = sent.start_char, sent.end_char
        # a heading or a list line runs into the next paragraph: split at newlines
        for part in re.finditer(r"[^\n]+", text[start:end]):
            s, e = start + part.start(), start + part.end()
            chunk = text[s:e].strip()
            if not chunk:
                continue
            s += len(text[s:e]) - len(text[s:e].lstrip())
            e = s + len(chunk)
            found.append((Sentence(s, e, text[s:e]), doc.char_span(s, e, alignment_mode="expand")))
    return found


def parse_date(phrase: str, base: dt.date) -> dt.date | None:
    """A date phrase read relative to the article's date (dateparser, past preferred)."""
    import dateparser  # type: ignore[import-untyped]

    settings: Any = {
        "RELATIVE_BASE": dt.datetime(base.year, base.month, base.day, 12),
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "first",
    }
    got = dateparser.parse(phrase, languages=["en"], settings=settings)
    return got.date() if got is not None else None


def _quote(sent: Sentence) -> dict[str, Any]:
    return {"quote": sent.text, "start": sent.start, "end": sent.end}


def _parties_in(span: Any) -> list[str]:
    seen: list[str] = []
    for ent in span.ents if span is not None else ():
        if ent.ent_id_ and ent.ent_id_ not in seen:
            seen.append(ent.ent_id_)
    return seen


def match_option(scenario: Scenario, text: str) -> tuple[str, str, float] | None:
    """The (issue, option, score) whose words best overlap ``text``; the score is the share of
    the option's words (with its issue's) found in the text. None when nothing overlaps."""
    words = stems(text)
    best: tuple[float, str, str] | None = None
    for issue in scenario.issues:
        issue_words = stems(issue.name)
        for option in issue.options:
            option_words = stems(option.label + " " + (option.description or "")) | issue_words
            if not option_words:
                continue
            shared = words & option_words
            # a number both name (120 m, 50%) says more than any word
            hit = len(shared) + 2 * sum(w[0].isdigit() for w in shared)
            score = hit / len(option_words) ** 0.5 / max(1.0, len(words) ** 0.25)
            if hit and (best is None or score > best[0]):
                best = (score, issue.id, option.id)
    if best is None:
        return None
    return best[1], best[2], round(best[0], 3)


def slug(text: str) -> str:
    """A short id-safe form of ``text``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "x"


def extract(
    scenario: Scenario,
    text: str,
    *,
    date: dt.date,
    url: str | None = None,
    outlet: str | None = None,
    title: str | None = None,
) -> list[dict[str, Any]]:
    """Proposed edits for ``text``: plain dicts, each quoting its sentence with offsets."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    source_id = f"news-{date.isoformat()}-{digest}"
    nlp = build_pipeline(scenario)
    sents = sentences(nlp, text)
    heading = title or (sents[0][0].text if sents else "news article")
    edits: list[dict[str, Any]] = []
    first = sents[0][0] if sents else Sentence(0, 0, "")
    source: dict[str, Any] = {"id": source_id, "title": heading, "date": date.isoformat()}
    if url:
        source["url"] = url
    if outlet:
        source["outlet"] = outlet
    edits.append({"kind": "source", "value": source, **_quote(first)})
    known_people = {m.name for p in scenario.parties for m in p.delegation}
    names = party_names(scenario)
    for sent, span in sents:
        parties = _parties_in(span)
        # events: a meeting word with a date or a place
        if _EVENT.search(sent.text):
            when = _DATE.search(sent.text)
            where = _PLACE.search(sent.text)
            place = where.group(1) if where else None
            if place is not None and any(place.split()[0] in forms for forms in names.values()):
                place = None
            if when is not None or place is not None:
                day = parse_date(when.group(0), date) if when is not None else None
                edits.append(
                    {
                        "kind": "event",
                        "value": {
                            "id": f"ev-{(day or date).isoformat()}-{slug(place or 'talks')}",
                            "date": (day or date).isoformat(),
                            "kind": "talks",
                            "title": sent.text[:120],
                            **({"venue": place} if place else {}),
                            "participants": parties,
                            "source": source_id,
                        },
                        "date_guessed": day is None,
                        **_quote(sent),
                    }
                )
        # people: "envoy Steve Witkoff" or "Rustem Umerov, the chief negotiator"
        people: list[tuple[str, str]] = []
        for m in _PERSON_BEFORE.finditer(sent.text):
            people.append((m.group(2), m.group(1).lower()))
        for m in _PERSON_AFTER.finditer(sent.text):
            people.append((m.group(1), m.group(2).lower()))
        for name, role in dict(people).items():
            if name in known_people or any(name in forms for forms in names.values()):
                continue
            if not parties:
                continue
            edits.append(
                {
                    "kind": "member",
                    "party": parties[0],
                    "value": {
                        "name": name,
                        "role": role,
                        "from": date.isoformat(),
                        "source": source_id,
                    },
                    **_quote(sent),
                }
            )
        # position statements: a party, a stance verb, an option
        reject, seek = _REJECT.search(sent.text), _SEEK.search(sent.text)
        if parties and (reject or seek):
            stance = "rejects" if reject else "seeks"
            verb = reject or seek
            assert verb is not None
            found = match_option(scenario, sent.text[verb.end() :] or sent.text)
            if found is not None:
                issue, option, score = found
                speaker = _speaker(span, verb.start() + sent.start, parties)
                edits.append(
                    {
                        "kind": "position",
                        "party": speaker,
                        "stance": stance,
                        "issue": issue,
                        "option": option,
                        "option_guess": True,
                        "score": score,
                        "matcher": "lexical",
                        "source": source_id,
                        "from": date.isoformat(),
                        **_quote(sent),
                    }
                )
    dated = {
        e["value"].get("venue") for e in edits if e["kind"] == "event" and not e["date_guessed"]
    }
    edits = [
        e
        for e in edits
        if not (e["kind"] == "event" and e["date_guessed"] and e["value"].get("venue") in dated)
    ]
    edits.extend(_draft(scenario, text, source_id, date))
    for number, edit in enumerate(edits, 1):
        edit["id"] = f"e{number}"
        edit["status"] = "proposed"
    return edits


def _speaker(span: Any, verb_at: int, parties: list[str]) -> str:
    """The party named last before the stance verb (the subject), else the first named."""
    before = [e.ent_id_ for e in span.ents if e.end_char <= verb_at and e.ent_id_]
    return before[-1] if before else parties[0]


def _draft(scenario: Scenario, text: str, source_id: str, date: dt.date) -> list[dict[str, Any]]:
    """A numbered list of at least three points, as a new version of the closest draft."""
    matches = list(_POINT.finditer(text))
    if len(matches) < 3:
        return []
    points: list[dict[str, Any]] = [
        {"number": int(m.group(1)), "text": m.group(2)} for m in matches
    ]
    words = stems(" ".join(str(p["text"]) for p in points))
    best_id, best = None, 0.0
    for draft in scenario.drafts:
        theirs = stems(" ".join(p.text for p in draft.points) + " " + draft.title)
        if theirs:
            score = len(words & theirs) / len(words | theirs)
            if score > best:
                best_id, best = draft.id, score
    start, end = matches[0].start(2), matches[-1].end(2)
    value: dict[str, Any] = {
        "id": f"news-draft-{date.isoformat()}",
        "title": f"Points reported on {date.isoformat()}",
        "date": date.isoformat(),
        "points": [{**p, "source": source_id} for p in points],
        "source": source_id,
    }
    if best_id is not None:
        value["based_on"] = best_id
    return [
        {
            "kind": "draft",
            "value": value,
            "similarity": round(best, 3),
            "quote": text[start:end],
            "start": start,
            "end": end,
        }
    ]
