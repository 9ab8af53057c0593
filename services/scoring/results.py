"""The stored results of the ratings, read back: a unit's results of a period (the latest rating
that rated it) and one subject's explanation."""
from __future__ import annotations

import json

from shared.errors import NotFound
from services.scoring import repository


def unit_results(uow, data) -> dict:
    """The results of a period for a unit (agency or section): the latest rating that rated it."""
    s = uow.session
    unit = data["unit"]
    for r in repository.ratings_of_period(s, data["period"]):
        rows = []
        for entries, results in repository.result_chunks_of_unit(s, r.rating_id, unit):
            entries = json.loads(entries)
            hits = [i for i, e in enumerate(entries) if unit in (e[2], e[3], e[0])]
            if hits:
                items = json.loads(results)
                rows.extend((entries[i][0], entries[i][1], items[i]) for i in hits)
        if rows:
            rows.sort(key=lambda x: x[0])
            out = {"officers": [], "sections": [], "agencies": []}
            for _subj, kind, item in rows:
                item.pop("explanation", None)
                item.pop("_settlement", None)
                out[kind + "s" if kind != "agency" else "agencies"].append(item)
            return {"unit": unit, "period": data["period"], "rating_id": r.rating_id, **out}
    raise NotFound(f"no rating of {data['period']} covers {unit}", "unit")


def explanation(uow, data) -> dict:
    s = uow.session
    subject = data["subject"]
    rows = []                                   # (rating_id, kind, results, index)
    for rating_id, entries, results in repository.result_chunks_of_subject(s, subject,
                                                                           data.get("rating_id")):
        for i, e in enumerate(json.loads(entries)):
            if e[0] == subject:
                rows.append((rating_id, e[1], results, i))
    if data.get("period"):
        ids = {r.rating_id for r in repository.ratings_of_period(s, data["period"])}
        rows = [r for r in rows if r[0] in ids]
    if not rows:
        raise NotFound(f"no rating result of {subject}", "subject")
    ratings = repository.ratings_by_id(s, [x[0] for x in rows])
    rating_id, kind, results, i = max(
        rows, key=lambda x: (ratings[x[0]].created_at, ratings[x[0]].version))
    item = json.loads(results)[i]
    item["settlement"] = item.pop("_settlement", [])
    return {"rating_id": rating_id, "period": ratings[rating_id].period, "kind": kind, **item}

