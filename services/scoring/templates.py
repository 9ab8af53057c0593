"""Criteria: the city's template extended by an agency's rule pack (M§五(二)2), and the packs."""
from __future__ import annotations

from shared.errors import Conflict
from services.scoring import repository
from services.scoring.models import CriteriaPack
from services.scoring.domain import criteria


def template(uow, data) -> dict:
    return repository.template_for(uow, data["kind"], data.get("agency"), data.get("month")).to_dict()


def register_criteria_pack(uow, data) -> dict:
    pack = {"agency": data["agency"], "version": data["version"],
            "items": [{**i, "max": str(i["max"])} for i in data["items"]],
            "maxima": {k: str(v) for k, v in data["maxima"].items()}}
    result = criteria.extend_template(criteria.city_template(data["kind"]), pack)  # guardrail first
    cur = uow.session.get(CriteriaPack, (data["agency"], data["kind"], data["version"]))
    if cur is not None:
        if cur.pack != pack or cur.effective_from != data["effective_from"]:
            raise Conflict("this version of the pack exists with other content", "version")
    else:
        uow.session.add(CriteriaPack(agency=data["agency"], kind=data["kind"],
                                     version=data["version"], effective_from=data["effective_from"],
                                     pack=pack))
    return result.to_dict()
