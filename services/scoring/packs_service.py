"""Rule packs and plug-ins in the scoring service: the ``PacksMixin`` RPCs and the functions that
``scoring.run_rating`` calls.

Wiring (one line in ``services/scoring/service.py``)::

    class ScoringService(PacksMixin, ServiceBase): ...

``scoring.run_rating`` rates every agency of its scope with its adaptation
(:func:`adaptation_documents`, :mod:`services.scoring.domain.composite`) and records each use.

Rating with the agency's adaptation (a snapshot of ONE agency's officers and sections)::

    adaptation = packs_service.adaptation_for(uow, agency, period)
    result = packs.rate_adapted(snapshot, adaptation)       # rules + extensions + rate + finish
    packs_service.record_use(uow, rating_id, adaptation)    # the rating names its pack version

or, piece by piece: ``snapshot["rules"] = rules_for(uow, agency, period)`` and
``rate(..., extensions=extensions_for(uow, agency, period))``.
"""
from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from sqlalchemy import select

from shared.canonical import canonical_json
from shared.contracts.packs import (AgencyQuery, EffectiveQuery, PreviewPack, RateAdapted,
                                    RegisterPack, SubjectDataSchema)
from shared.entrypoints import rpc
from shared.errors import NotFound, ValidationFailed
from shared.plugins import DEFAULT_TIMEOUT, allow_list_from_config, build_host
from shared.schemas import load
from services.scoring import pack_models
from services.scoring.domain import packs

_HOSTS: dict = {}


# ------------------------------------------------------------------------------------------------
# plain functions (uow = shared.db.UnitOfWork)


def jsonable(value):
    """Decimals to int/float, recursively (RPC answers are JSON)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def _dump(doc) -> str:
    return canonical_json(jsonable(doc))


def _config(uow):
    container = getattr(getattr(uow, "provider", None), "container", None)
    return getattr(container, "config", None)


def plugin_host(uow=None, config=None):
    """The plug-ins allowed by the configuration ``PLUGINS`` (env ``LIANBAO_PLUGINS``), loaded once
    per allow-list and timeout."""
    config = config if config is not None else _config(uow)
    allow = allow_list_from_config(config)
    timeout = float((config or {}).get("PLUGIN_TIMEOUT") or DEFAULT_TIMEOUT)
    key = (tuple(sorted((k, v.key()) for k, v in allow.items())), timeout)
    host = _HOSTS.get(key)
    if host is None:
        host = _HOSTS[key] = build_host(allow, timeout=timeout)
    return host


def plugin_warnings(config) -> tuple[list, list]:
    """What the health of the scoring service says about its plug-ins: ``(refused, warnings)``:
    every entry point refused by its pin (another distribution or version: never imported), and a
    line for each, or for a malformed allow-list."""
    try:
        host = plugin_host(config=config or {})
    except ValueError as exc:
        return [], [f"plug-ins: {exc}"]
    return list(host.refused), [f"plug-in {r['plugin']} {r['reason']} (lianbao plugins)"
                                for r in host.refused]


def pack_history(uow, agency: str) -> list:
    """Every registered version of the agency's pack, oldest first (as :class:`packs.Pack`)."""
    rows = uow.session.scalars(select(pack_models.RulePack)
                               .where(pack_models.RulePack.agency == agency)
                               .order_by(pack_models.RulePack.version)).all()
    return [packs.parse_pack(json.loads(r.document), agency) for r in rows]


def effective_pack(uow, agency: str, period: str):
    return packs.effective_pack(pack_history(uow, agency), period)


def subject_data(uow, agency: str, period: str) -> dict:
    rows = uow.session.scalars(select(pack_models.PackSubjectData).where(
        pack_models.PackSubjectData.agency == agency,
        pack_models.PackSubjectData.period == period)).all()
    return packs.parse_subject_data([json.loads(r.data) for r in rows])


def adaptation_for(uow, agency: str, period: str, *, config=None) -> packs.Adaptation:
    """The agency's pack in force for the period, its allowed plug-ins and its subject data."""
    return packs.Adaptation(agency, period, pack=effective_pack(uow, agency, period),
                            host=plugin_host(uow, config), data=subject_data(uow, agency, period))


def rules_for(uow, agency: str, period: str) -> dict:
    """The snapshot ``rules`` (RATING.md §4) of the agency's effective pack ({} = city defaults).
    Values are int/Decimal; the snapshot must hold that agency's subjects only."""
    return packs.snapshot_rules(effective_pack(uow, agency, period))


def extensions_for(uow, agency: str, period: str) -> list:
    """Rating extensions of the agency for the period: its pack's (extra criteria, thresholds,
    disqualifications) then each allowed plug-in's."""
    return adaptation_for(uow, agency, period).extensions


def adaptation_documents(uow, agencies, period: str, *, config=None) -> list:
    """What ``scoring.run_rating`` stores for each agency (of ``agencies``) that has an adaptation
    for the period: ``{"agency", "pack": the effective version's document as registered, or None,
    "plugins": [label of each plug-in bound to it], "subject_data": [its subjects' data]}``, in the
    order of ``agencies``.  Agencies with neither a pack in force nor a plug-in are left out."""
    host = plugin_host(uow, config)
    wanted = set(agencies)
    rows: dict = {}
    for r in uow.session.scalars(select(pack_models.RulePack)
                                 .order_by(pack_models.RulePack.version)):
        if r.agency in wanted:
            rows.setdefault(r.agency, []).append(r)
    out = []
    for agency in agencies:
        plugins = host.for_agency(agency)
        history = [(packs.parse_pack(json.loads(r.document), agency), r)
                   for r in rows.get(agency, ())]
        pack = packs.effective_pack([p for p, _ in history], period)
        if pack is None and not plugins:
            continue
        doc = next(json.loads(r.document) for p, r in history if p is pack) if pack else None
        data = uow.session.scalars(select(pack_models.PackSubjectData.data).where(
            pack_models.PackSubjectData.agency == agency,
            pack_models.PackSubjectData.period == period)
            .order_by(pack_models.PackSubjectData.subject)).all()
        out.append({"agency": agency, "pack": doc, "plugins": [p.label for p in plugins],
                    "subject_data": [json.loads(d) for d in data]})
    return out


def record_use(uow, rating_id: str, adaptation: packs.Adaptation) -> dict:
    """Record which pack version and plug-ins a rating used (idempotent per rating and agency)."""
    used = adaptation.used
    row = uow.session.get(pack_models.PackUse, (rating_id, adaptation.agency))
    if row is None:
        uow.session.add(pack_models.PackUse(
            rating_id=rating_id, agency=adaptation.agency, period=adaptation.period,
            pack_version=used["pack"]["version"] if used["pack"] else None,
            plugins=used["plugins"], incidents=used["incidents"]))
        uow.session.flush()
    return used


def register_pack(uow, agency: str, doc: dict, registered_by: str | None = None) -> dict:
    pack = packs.parse_pack(doc, agency)
    history = pack_history(uow, agency)
    created = packs.check_new_version(history, pack)
    stored = dict(doc)
    stored["agency"] = agency
    if created:
        text = _dump(stored)
        uow.session.add(pack_models.RulePack(
            agency=agency, version=pack.version, effective_from=pack.effective_from,
            title=pack.doc.get("title"), document=text,
            digest=hashlib.sha256(text.encode()).hexdigest(), registered_by=registered_by))
        uow.session.flush()
    return {"agency": agency, "version": pack.version, "effective_from": pack.effective_from,
            "created": created, "label": pack.label,
            "notes": [{"field": f"pack.{f}", "message": m} for f, m in packs.notes(pack.doc)]}


def history_view(uow, agency: str) -> dict:
    rows = uow.session.scalars(select(pack_models.RulePack)
                               .where(pack_models.RulePack.agency == agency)
                               .order_by(pack_models.RulePack.version)).all()
    uses = uow.session.scalars(select(pack_models.PackUse)
                               .where(pack_models.PackUse.agency == agency)).all()
    used_by: dict = {}
    for u in uses:
        used_by.setdefault(u.pack_version, []).append({"rating_id": u.rating_id,
                                                        "period": u.period})
    return {"agency": agency, "versions": [
        {"version": r.version, "effective_from": r.effective_from, "title": r.title,
         "digest": r.digest, "registered_by": r.registered_by,
         "registered_at": r.registered_at.isoformat(), "document": json.loads(r.document),
         "used_by": sorted(used_by.get(r.version, []), key=lambda x: x["rating_id"])}
        for r in rows]}


def effective_view(uow, agency: str, period: str) -> dict:
    adaptation = adaptation_for(uow, agency, period)
    pack = adaptation.pack
    return jsonable({"agency": agency, "period": period,
                     "pack": None if pack is None else {"version": pack.version,
                                                        "effective_from": pack.effective_from,
                                                        "label": pack.label},
                     "rules": adaptation.rules,
                     "plugins": adaptation.used["plugins"]})


def record_subject_data(uow, payload: dict) -> dict:
    """Store extra facts and figures of an agency's subjects for a period (replacing earlier ones
    of the same subjects); facts must be defined by the effective pack or an allowed plug-in."""
    agency, period = payload["agency"], payload["period"]
    data = packs.parse_subject_data(payload["subjects"])
    adaptation = adaptation_for(uow, agency, period)
    packs.check_vocabulary(data, adaptation.vocabulary())
    raw = {s["id"]: s for s in payload["subjects"]}
    for sid in data:
        row = uow.session.get(pack_models.PackSubjectData, (agency, period, sid))
        text = _dump(raw[sid])
        if row is None:
            uow.session.add(pack_models.PackSubjectData(agency=agency, period=period, subject=sid,
                                                        data=text))
        else:
            row.data = text
    uow.session.flush()
    return {"agency": agency, "period": period, "recorded": len(data)}


def stored_snapshot(uow, agency: str, period: str) -> dict:
    """The snapshot the scoring service stored for this agency and period (its latest rating)."""
    from services.scoring import models

    rating = getattr(models, "Rating", None)
    if rating is not None:
        row = uow.session.scalars(select(rating).where(rating.period == period,
                                                       rating.scope == agency)
                                  .order_by(rating.version.desc()).limit(1)).first()
        if row is not None:
            from services.scoring.domain.composite import flatten

            return flatten(json.loads(row.snapshot))
    raise NotFound(f"no stored rating snapshot of {agency} for {period}; give the snapshot",
                   "snapshot")


def preview_pack(uow, payload: dict) -> dict:
    agency, period = payload["agency"], payload["period"]
    pack = packs.parse_pack(payload["pack"], agency)
    snapshot = payload["snapshot"] if payload["snapshot"] is not None else \
        stored_snapshot(uow, agency, period)
    current = effective_pack(uow, agency, period)
    host = plugin_host(uow)
    if payload["subject_data"] is not None:
        sd = load(SubjectDataSchema(), {"agency": agency, "period": period,
                                        **payload["subject_data"]}, prefix="subject_data")
        data = packs.parse_subject_data(sd["subjects"], "subject_data.subjects")
    else:
        data = subject_data(uow, agency, period)
    base = packs.Adaptation(agency, period, pack=current, host=host, data=data)
    candidate = packs.Adaptation(agency, period, pack=pack, host=host, data=data)
    packs.check_vocabulary(data, candidate.vocabulary() | base.vocabulary())
    return jsonable(packs.preview(snapshot, base, candidate))


def rate_with_adaptation(uow, payload: dict) -> dict:
    """Rate a snapshot of one agency under its adaptation for the period (what run_rating does)."""
    agency, period = payload["agency"], payload["period"]
    if payload["snapshot"].get("period") != period:
        raise ValidationFailed(f"the snapshot is of {payload['snapshot'].get('period')!r}, not "
                               f"{period}", "snapshot.period")
    adaptation = adaptation_for(uow, agency, period)
    result = packs.rate_adapted(payload["snapshot"], adaptation)
    # nothing is stored: which pack a rating used is recorded by the rating (run_rating), never by a read
    return {"result": result, "adaptation": adaptation.used}


# ------------------------------------------------------------------------------------------------
# the RPC entry points


class PacksMixin:
    """RPCs of rule packs; mixed into the scoring service (uses ``self.db``, the unit of work)."""

    @rpc
    def register_pack(self, payload):
        """Register a version of an agency's rule pack (guardrails checked; every violation listed
        by field in ``details``).  Re-registering the same version and document changes nothing."""
        data = load(RegisterPack(), payload)
        return register_pack(self.db, data["agency"], data["pack"], data["registered_by"])

    @rpc
    def validate_pack(self, payload):
        """Check a pack without registering it: ``{"ok": true, "notes"}`` or the violations."""
        data = load(RegisterPack(), payload)
        pack = packs.parse_pack(data["pack"], data["agency"])
        return {"ok": True, "label": pack.label,
                "notes": [{"field": f"pack.{f}", "message": m} for f, m in packs.notes(pack.doc)]}

    @rpc
    def pack_history(self, payload):
        """Every version of the agency's pack with its document and the ratings that used it."""
        return history_view(self.db, load(AgencyQuery(), payload)["agency"])

    @rpc
    def effective_pack(self, payload):
        """The pack version in force for an agency and period, its snapshot rules, its plug-ins."""
        data = load(EffectiveQuery(), payload)
        return effective_view(self.db, data["agency"], data["period"])

    @rpc
    def record_subject_data(self, payload):
        """Extra facts and figures of an agency's subjects for a period (read by packs/plug-ins)."""
        return record_subject_data(self.db, load(SubjectDataSchema(), payload))

    @rpc
    def preview_pack(self, payload):
        """Dry run: rate the agency's period with the rules in force and with the pack; who changes
        status or stars, and why.  Nothing is stored."""
        return preview_pack(self.db, load(PreviewPack(), payload))

    @rpc
    def rate_adapted(self, payload):
        """Rate a snapshot of one agency with its pack and plug-ins in force for the period;
        ``{"result": RATING.md §5, "adaptation": {"pack", "plugins", "incidents"}}``.  Nothing is
        stored (a read of the policy table): a rating's pack is recorded by ``run_rating``."""
        return rate_with_adaptation(self.db, load(RateAdapted(), payload))
