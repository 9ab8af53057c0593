"""A rating whose scope holds agencies that adapt the rules: the composite snapshot.

Pure Python (no nameko, no SQLAlchemy).  An agency's rule pack and its code plug-ins (对接,
000 §二2; DESIGN §3) adapt how it rates ITS OWN officers and sections; RATING.md §4 ``rules`` apply
to a whole snapshot.  So a scope (the city, a county committee) where at least one agency has an
adaptation is rated in parts:

* one part per adapted agency: its officers and sections, rated with its pack (cut-offs, quota,
  amounts, criteria, thresholds, extra disqualifications, the schedule) and the plug-ins bound to
  it, on its subject data;
* the committee-level part: the officers and sections of every other agency, rated with the city's
  rules, and the agencies of M§五(一) (county committees and city units), ranked together.  An
  agency's pack does not adapt the committee's evaluation of the agency itself.

The mentor link (M§五(二)1(2)④) works inside a part; the chain (M§四1-3: head → leader → chief →
officer of one agency) never crosses agencies, and a pair that would cross two parts is refused
(:func:`check_mentors`), never silently dropped.  The results are merged back in the input order of
the whole snapshot (:func:`merge`).

The composite document (what the scoring service stores and ``scoring.snapshot`` returns)::

    {"composite": 1, "period", "rating_date",
     "order": {"officers": [id, ...], "sections": [id, ...]},
     "parts": [{"agency": null, "snapshot": SNAPSHOT},                     # committee level
               {"agency": "court", "pack": PACK-DOCUMENT | null,
                "plugins": ["plugin:court-reversals/0.1.0"],
                "subject_data": [{"id", "facts", "figures"}], "snapshot": SNAPSHOT}, ...],
     "cases": [{"id", "subject", "role", "violator", "ban", "occurred_on"}]}

A scope without any adaptation but with ban cases (M§三(三), :mod:`.bans`) is stored the same
way, with the committee part alone: the cases travel with the snapshot so that the explanation
entries they give are reproduced.

:func:`rate_composite` rates it (the same function for the published rating and for a re-rating
of the stored document), so the stored document plus the engine gives back the published result.
"""
from __future__ import annotations

from shared.errors import Conflict, RuleViolation, ValidationFailed
from services.scoring.domain import bans, packs

VERSION = 1


def is_composite(doc) -> bool:
    return isinstance(doc, dict) and "parts" in doc and doc.get("composite") == VERSION


def check_mentors(officers, part_of) -> None:
    """Refuse a mentoring pair whose two officers would be rated in different parts (different
    agencies' rules): M§五(二)1(2)④ must see both, and M§四1-3 keeps the chain inside an agency."""
    crossing = []
    for n, o in enumerate(officers):
        mentor = o.get("mentor")
        if mentor is not None and mentor in part_of and part_of[mentor] != part_of[o["id"]]:
            crossing.append({"field": f"officers[{n}].mentor",
                             "message": f"{o['id']} ({o['agency']}) is mentored by {mentor} of "
                                        f"another agency whose rules differ"})
    if crossing:
        raise RuleViolation(f"{len(crossing)} mentoring pair(s) cross agencies rated with different "
                            f"rules (the chain of M§四1-3 stays inside one agency); first: "
                            f"{crossing[0]['message']}", "mentor", crossing)


def split(snapshot: dict, adapted) -> list:
    """The parts of a snapshot: the committee-level part (agency ``None``: every subject of an
    agency without adaptation, and all agencies), then one part per adapted agency, in the order
    given.  Each part keeps the snapshot's period, rating date and rules."""
    adapted = list(dict.fromkeys(adapted))
    own = set(adapted)
    head = {k: v for k, v in snapshot.items() if k not in ("officers", "sections", "agencies")}
    part_of = {o["id"]: (o["agency"] if o["agency"] in own else None)
               for o in snapshot.get("officers") or ()}
    check_mentors(snapshot.get("officers") or (), part_of)
    parts = {a: {**head, "officers": [], "sections": [], "agencies": []} for a in [None] + adapted}
    for o in snapshot.get("officers") or ():
        parts[part_of[o["id"]]]["officers"].append(o)
    for s in snapshot.get("sections") or ():
        parts[s["agency"] if s["agency"] in own else None]["sections"].append(s)
    parts[None]["agencies"] = list(snapshot.get("agencies") or ())
    return [(a, parts[a]) for a in [None] + adapted]


def build(snapshot: dict, adaptations, cases=()) -> dict:
    """The composite document of a snapshot; ``adaptations``: ``[{"agency", "pack": document or
    None, "plugins": [label], "subject_data": [...]}]`` for the adapted agencies; ``cases``: the
    ban cases of the period (:mod:`services.scoring.domain.bans`)."""
    by_agency = {a["agency"]: a for a in adaptations}
    parts = []
    for agency, part in split(snapshot, list(by_agency)):
        if agency is None:
            parts.append({"agency": None, "snapshot": part})
        else:
            a = by_agency[agency]
            parts.append({"agency": agency, "pack": a.get("pack"),
                          "plugins": list(a.get("plugins") or ()),
                          "subject_data": list(a.get("subject_data") or ()), "snapshot": part})
    return {"composite": VERSION, "period": snapshot["period"],
            "rating_date": snapshot["rating_date"],
            "order": {"officers": [o["id"] for o in snapshot.get("officers") or ()],
                      "sections": [s["id"] for s in snapshot.get("sections") or ()]},
            "cases": list(cases), "parts": parts}


def flatten(doc: dict) -> dict:
    """The plain snapshot of a composite document: every subject in input order, the committee
    part's rules (the city's) — what the scope would be without any adaptation."""
    if not is_composite(doc):
        return doc
    officers, sections, agencies = {}, {}, []
    for part in doc["parts"]:
        snap = part["snapshot"]
        officers.update((o["id"], o) for o in snap.get("officers") or ())
        sections.update((s["id"], s) for s in snap.get("sections") or ())
        agencies += snap.get("agencies") or ()
    base = next(p["snapshot"] for p in doc["parts"] if p["agency"] is None)
    out = {k: v for k, v in base.items() if k not in ("officers", "sections", "agencies")}
    out.update(officers=[officers[i] for i in doc["order"]["officers"]],
               sections=[sections[i] for i in doc["order"]["sections"]], agencies=agencies)
    return out


def subject_order(doc: dict) -> list:
    """Ids of every subject in the result's order: officers, sections, agencies."""
    if is_composite(doc):
        agencies = [a["id"] for p in doc["parts"] for a in p["snapshot"].get("agencies") or ()]
        return doc["order"]["officers"] + doc["order"]["sections"] + agencies
    return [x["id"] for k in ("officers", "sections", "agencies") for x in doc.get(k) or ()]


def merge(doc: dict, results) -> dict:
    """The parts' results as one RATING.md §5 result, in the document's input order; settlement
    lines grouped by subject in that order (the engine's own order within a subject)."""
    by_id = {k: {} for k in ("officers", "sections", "agencies")}
    lines: dict = {}
    for res in results:
        for k in by_id:
            by_id[k].update((r["id"], r) for r in res[k])
        for line in res["settlement"]:
            lines.setdefault(line["subject"], []).append(line)
    agencies = [a["id"] for p in doc["parts"] for a in p["snapshot"].get("agencies") or ()]
    out = {"officers": [by_id["officers"][i] for i in doc["order"]["officers"]],
           "sections": [by_id["sections"][i] for i in doc["order"]["sections"]],
           "agencies": [by_id["agencies"][i] for i in agencies]}
    out["settlement"] = [line for i in subject_order(doc) for line in lines.get(i, ())]
    return out


def adaptation_of(part: dict, period: str, host) -> packs.Adaptation:
    """The adaptation a stored part names: its pack document, the plug-ins bound to its agency in
    ``host`` (which must be the ones the part names, same versions), its subject data."""
    agency = part.get("agency")
    if agency is None:
        return packs.Adaptation(None, period)
    pack = packs.parse_pack(part["pack"], agency) if part.get("pack") is not None else None
    data = packs.parse_subject_data(part.get("subject_data") or (), "subject_data")
    adaptation = packs.Adaptation(agency, period, pack=pack, host=host, data=data)
    have = [p["label"] for p in adaptation.used["plugins"]]
    if have != list(part.get("plugins") or ()):
        raise Conflict(f"the rating of {agency} used the plug-ins {part.get('plugins') or []}; "
                       f"this host binds {have} to it", "plugins")
    return adaptation


def rate_composite(doc: dict, host=None, *, trusted: bool = False) -> tuple[dict, list]:
    """Rate a composite document: each part under its adaptation (:func:`packs.rate_adapted`),
    merged in input order.  Returns the result and the adaptations of the adapted agencies (what
    they used, with any plug-in incidents).  ``trusted``: the parts were built by the scoring
    service from its own tables (see :func:`services.scoring.domain.payload.rate_trusted`)."""
    if not is_composite(doc):
        raise ValidationFailed("not a composite snapshot", "composite")
    period = doc["period"]
    cases = bans.BanCases(doc.get("cases"))
    results, used = [], []
    for part in doc["parts"]:
        adaptation = adaptation_of(part, period, host)
        results.append(packs.rate_adapted(part["snapshot"], adaptation, trusted=trusted,
                                          extra=[cases] if cases else []))
        if adaptation.agency is not None:
            used.append(adaptation)
    return merge(doc, results), used
