"""The survey's application layer: plain functions ``(uow, data) -> dict``.

They load state, call the domain (:mod:`services.survey.domain`), save, and record the events to
publish in the same transaction (outbox).  No rules here, no nameko.
"""
from __future__ import annotations

import base64
import json
import os
import time
from datetime import date
from operator import itemgetter

import orjson
from sqlalchemy import String, Text, cast, func, insert, select, text, type_coerce
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from shared.dated import EARLIEST    # the roster's "as far back as it goes" (a unit without a date)
from shared.dated import still_away
from shared.contracts.survey import RECOGNITION_POLL_PUBLISHED, SATISFACTION_RATES_PUBLISHED
from shared.access import missing_campaign
from shared.db import signed_by, utcnow
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.idempotency import CALLER_LENGTH, KEY_LENGTH, bounded, request_hash
from shared.identity import UNVERIFIED_CALLER
from shared.offload import off_loop
from shared.versioned_cache import VersionedCache

from services.survey import domain, models
from services.survey.domain import campaign as campaign_rules
from services.survey.domain import forms as form_rules
from services.survey.domain import poll as poll_rules
from services.survey.domain import posts as dated
from services.survey.domain.questionnaire import Questionnaire
from services.survey.domain.vocabulary import ALL_GROUPS, RECOGNITION, SATISFACTION
from services.survey.report import workbook_bytes   # openpyxl (numpy, PIL) loaded at start, not in a request

GROUP_INDEX = {g: i for i, g in enumerate(ALL_GROUPS)}
GROUP_TEXT = {g: str(i) for g, i in GROUP_INDEX.items()}       # a group as its index in an array literal


# -- questionnaires ----------------------------------------------------------------------------------

def _questionnaire_dict(row) -> dict:
    return {"key": row.key, "version": row.version,
            "items": [{"number": i + 1, **item} for i, item in enumerate(row.items)]}


def _ensure_default(uow) -> None:
    for default in (domain.default_questionnaire(), poll_rules.default_questionnaire()):
        if uow.session.get(models.QuestionnaireRow, (default.key, default.version)) is None:
            items = [{"dimension": d, "text": default.texts[i] if i < len(default.texts) else ""}
                     for i, d in enumerate(default.dimensions)]
            try:
                with uow.session.begin_nested():
                    uow.session.add(models.QuestionnaireRow(key=default.key, version=default.version,
                                                            items=items))
            except IntegrityError:  # another worker seeded it first
                pass


def _questionnaire_row(uow, key: str, version: int | None, field: str = "questionnaire"):
    _ensure_default(uow)
    stmt = select(models.QuestionnaireRow).where(models.QuestionnaireRow.key == key)
    if version is not None:
        stmt = stmt.where(models.QuestionnaireRow.version == version)
    row = uow.session.execute(stmt.order_by(models.QuestionnaireRow.version.desc()).limit(1)).scalar()
    if row is None:
        raise NotFound(f"no questionnaire {key!r}" + (f" version {version}" if version else ""), field)
    return row


def _questionnaire(row) -> Questionnaire:
    return Questionnaire(row.key, row.version, tuple(i["dimension"] for i in row.items),
                         tuple(i.get("text", "") for i in row.items))


def define_questionnaire(uow, data) -> dict:
    dims, texts = domain.validate_items(data["items"])
    items = [{"dimension": d, "text": t} for d, t in zip(dims, texts)]
    _ensure_default(uow)
    rows = uow.session.execute(select(models.QuestionnaireRow)
                               .where(models.QuestionnaireRow.key == data["key"])).scalars().all()
    latest = max(rows, key=lambda r: r.version, default=None)
    if latest is not None and latest.items == items:   # the same definition again: no new version
        return _questionnaire_dict(latest)
    row = models.QuestionnaireRow(key=data["key"], version=domain.next_version(r.version for r in rows),
                                  items=items)
    uow.session.add(row)
    uow.session.flush()
    return _questionnaire_dict(row)


def get_questionnaire(uow, data) -> dict:
    return _questionnaire_dict(_questionnaire_row(uow, data["key"], data.get("version"), "key"))


# -- campaigns ---------------------------------------------------------------------------------------

def _campaign(uow, campaign_id: str, lock: str | None = None):
    stmt = select(models.CampaignRow).where(models.CampaignRow.id == campaign_id)
    if lock and uow.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(read=(lock == "share"))
    row = uow.session.execute(stmt).scalar()
    if row is None:
        raise missing_campaign(campaign_id)     # the policy's answer to a foreign campaign too
    return row


def _subjects(uow, campaign_id: str) -> list:
    return uow.session.execute(
        select(models.CampaignSubjectRow.subject_id, models.CampaignSubjectRow.kind,
               models.CampaignSubjectRow.name)
        .where(models.CampaignSubjectRow.campaign_id == campaign_id)
        .order_by(models.CampaignSubjectRow.position)).all()


def _has_forms(uow, campaign_id: str) -> bool:
    return uow.session.execute(select(models.FormRow.serial)
                               .where(models.FormRow.campaign_id == campaign_id).limit(1)).first() is not None


def _count_forms(uow, campaign_id: str) -> int:
    return uow.session.execute(select(func.count()).select_from(models.FormRow)
                               .where(models.FormRow.campaign_id == campaign_id)).scalar_one()


def _campaign_dict(uow, row, subjects=None, forms=None) -> dict:
    subjects = _subjects(uow, row.id) if subjects is None else subjects
    kind_of_campaign = row.kind or SATISFACTION
    by_kind = {k: 0 for k in (domain.SUBJECT_KINDS if kind_of_campaign == SATISFACTION
                              else poll_rules.POLL_SUBJECT_KINDS)}
    for _, kind, _ in subjects:
        by_kind[kind] = by_kind.get(kind, 0) + 1
    return {"campaign_id": row.id, "kind": kind_of_campaign, "period": row.period, "owner": row.owner,
            "title": row.title,
            "status": row.status, "groups": list(row.groups),
            "questionnaire": {"key": row.questionnaire_key, "version": row.questionnaire_version},
            "subjects": by_kind,
            "forms_received": _count_forms(uow, row.id) if forms is None else forms,
            "closed_at": row.closed_at.isoformat(timespec="seconds") + "Z" if row.closed_at else None}


def _id_parts(ids):
    ids = sorted(set(ids))
    return (ids[i:i + 5000] for i in range(0, len(ids), 5000))


def _posts_of(uow, people=None) -> dict:
    """``{person: [(start, agency)]}`` of the dated roster read model (everyone, or ``people``)."""
    P = models.RosterPostRow
    out: dict = {}
    for part in [None] if people is None else _id_parts(people):
        q = select(P.person, P.start, P.agency)
        if part is not None:
            q = q.where(P.person.in_(part))
        for person, start, agency in uow.session.execute(q):
            out.setdefault(person, []).append((start, agency))
    return out




def _units_on(uow, day: date) -> dict:
    """``{unit: UnitVersion}`` of the roster's tree on ``day`` (issue 20: the tree is dated); a
    unit of the read model without any version (loaded before) as it is now."""
    V, U = models.RosterUnitVersionRow, models.RosterUnitRow
    versions: dict = {}
    for r in uow.session.scalars(select(V)):
        versions.setdefault(r.id, []).append(dated.UnitVersion(r.id, r.since, r.until, r.kind,
                                                               r.parent, r.agency, r.name))
    out = dated.tree_on(versions, day)
    for r in uow.session.scalars(select(U)):
        if r.id not in versions:
            out[r.id] = dated.UnitVersion(r.id, EARLIEST, None, r.kind, r.parent, r.agency, r.name)
    return out


def _roster_subjects(uow, owner: str, period: str) -> list[dict]:
    """Subjects from the roster read model: the owner committee's agencies, their sections and the
    staff in them on the period's last day (the dated read model, SPEC §9; the tree of that day)."""
    S, P = models.RosterStaffRow, models.RosterPostRow
    last = dated.period_last_day(period)
    tree = _units_on(uow, last)
    agencies = sorted((u for u in tree.values() if u.kind == "agency" and u.parent == owner),
                      key=lambda u: u.id)
    ids = [a.id for a in agencies]
    sections = sorted((u for u in tree.values() if u.kind == "section" and u.agency in ids),
                      key=lambda u: u.id)
    candidates = set(uow.session.scalars(select(P.person).where(P.agency.in_(ids)))) if ids else set()
    posts = _posts_of(uow, candidates)
    there = sorted(p for p in candidates if dated.agency_on(posts.get(p, ()), last) in ids)
    staff = [r for part in _id_parts(there)
             for r in uow.session.execute(select(S).where(S.id.in_(part), S.left.is_(None))).scalars()]
    staff.sort(key=lambda r: r.id)
    return ([{"id": a.id, "kind": "agency", "name": a.name} for a in agencies]
            + [{"id": s.id, "kind": "section", "name": s.name} for s in sections]
            + [{"id": p.id, "kind": "officer", "name": p.name} for p in staff])


def _check_within_owner(uow, owner: str, period: str, subjects: dict) -> None:
    """A campaign's subjects lie within its owner's units (issue 18 item 4): an agency or section
    of the roster read model under another committee, or an officer whose post on the period's
    last day is in another committee's agency, is refused naming the subject.  Subjects the read
    model does not know are the caller's own list (kept as given)."""
    units = _units_on(uow, dated.period_last_day(period))     # the tree of the period's last day
    if owner not in units:
        return                         # a read model without the owner: nothing to check against

    def within(unit_id) -> bool:
        seen = set()
        while unit_id is not None and unit_id not in seen:
            if unit_id == owner:
                return True
            seen.add(unit_id)
            row = units.get(unit_id)
            unit_id = None if row is None else (row.parent or (row.agency if row.agency != row.id else None))
        return False

    officers = [sid for sid, kind in subjects.items() if kind == "officer"]
    posts = _posts_of(uow, set(officers)) if officers else {}
    last = dated.period_last_day(period)
    for i, (sid, kind) in enumerate(subjects.items()):
        if kind == "officer":
            unit = dated.agency_on(posts.get(sid, ()), last) if sid in posts else None
        else:
            unit = sid if sid in units else None
        if unit is not None and not within(unit):
            raise Forbidden(f"survey.create_campaign: {sid} lies outside the units of the campaign's "
                            f"owner {owner}", f"subjects[{i}]")


def create_campaign(uow, data) -> dict:
    campaign_rules.validate_period(data["period"])
    kind = data.get("kind") or SATISFACTION
    given = data.get("subjects")
    if kind == RECOGNITION:        # 公认度测评: the committee's leaders, by its leading-group members
        subjects_in = given or []
        subjects = poll_rules.validate_subjects(subjects_in)
        groups = poll_rules.validate_groups(data.get("groups"))
        default_key = poll_rules.RECOGNITION_KEY
    else:
        subjects_in = given if given else _roster_subjects(uow, data["owner"], data["period"])
        if not subjects_in:
            raise ValidationFailed("no subjects given and none in the roster read model for this "
                                   "owner", "subjects")
        subjects = domain.validate_subjects(subjects_in)
        if given:
            _check_within_owner(uow, data["owner"], data["period"], subjects)
        groups = domain.validate_groups(data.get("groups"))
        default_key = domain.DEFAULT_KEY
    choice = data.get("questionnaire") or {"key": default_key, "version": 1}
    q = _questionnaire_row(uow, choice["key"], choice["version"])
    existing = uow.session.get(models.CampaignRow, data["campaign_id"])
    if existing is not None:  # the same command twice: the same answer; a different one: Conflict
        same = (existing.period == data["period"] and existing.owner == data["owner"]
                and (existing.kind or SATISFACTION) == kind
                and tuple(existing.groups) == groups
                and (existing.questionnaire_key, existing.questionnaire_version) == (q.key, q.version)
                and {sid: kind for sid, kind, _ in _subjects(uow, existing.id)} == subjects)
        if not same:
            raise Conflict(f"campaign {existing.id!r} exists with other settings", "campaign_id")
        return {**_campaign_dict(uow, existing), "created": False}
    row = models.CampaignRow(id=data["campaign_id"], kind=kind, period=data["period"], owner=data["owner"],
                             title=data.get("title") or "", groups=list(groups),
                             questionnaire_key=q.key, questionnaire_version=q.version,
                             status=campaign_rules.OPEN)
    uow.session.add(row)
    names = {s["id"]: s.get("name") or "" for s in subjects_in}
    uow.session.execute(insert(models.CampaignSubjectRow), [
        {"campaign_id": row.id, "subject_id": sid, "kind": kind, "name": names.get(sid, ""),
         "position": i} for i, (sid, kind) in enumerate(subjects.items())])
    uow.session.flush()
    return {**_campaign_dict(uow, row, forms=0), "created": True}


def campaign_owner(uow, data) -> dict:
    """Whose a campaign is (the gateway's scope check): one row by its key, no counting."""
    row = _campaign(uow, data["campaign_id"])
    return {"campaign_id": row.id, "owner": row.owner, "status": row.status}


def get_campaign(uow, data) -> dict:
    return _campaign_dict(uow, _campaign(uow, data["campaign_id"]))


def list_campaigns(uow, data) -> dict:
    """A page of campaigns in id order (``limit`` after ``after``), of the ``owners`` if given;
    ``next``: the id to ask ``after`` for the next page, null on the last one."""
    C = models.CampaignRow
    stmt = select(C).order_by(C.id).limit(data["limit"] + 1)
    if data.get("owners") is not None:
        stmt = stmt.where(C.owner.in_(sorted(set(data["owners"])) or [""]))
    if data.get("after"):
        stmt = stmt.where(C.id > data["after"])
    rows = uow.session.execute(stmt).scalars().all()
    more = len(rows) > data["limit"]
    rows = rows[:data["limit"]]
    campaigns = [{"campaign_id": r.id, "kind": r.kind or SATISFACTION, "period": r.period, "owner": r.owner,
                  "title": r.title, "status": r.status, "groups": list(r.groups),
                  "questionnaire": {"key": r.questionnaire_key, "version": r.questionnaire_version},
                  "closed_at": r.closed_at.isoformat(timespec="seconds") + "Z" if r.closed_at else None}
                 for r in rows]
    return {"campaigns": campaigns, "next": rows[-1].id if more else None}


def owners_of_person(uow, person: str, auditors=frozenset(), given=None) -> list | None:
    """The units whose campaigns a signed-in person lists: what the roles of their post today cover
    (their agency or committee and every unit below it, in the roster's tree as the survey keeps it),
    within ``given`` if given; None (every unit) for an auditor.  A person without a post here: none."""
    if person in auditors:
        return given
    from services.survey.access import SurveyAccess

    today = date.today()
    resolver = SurveyAccess(uow.session)
    resolver.day = today
    covered = set()
    for units in resolver.roles_of(person, today).values():
        covered |= set(units)
    return units_below(uow, covered, given)


def units_below(uow, covered, given=None) -> list:
    """``covered`` and every unit below them (the roster's tree as the survey keeps it), within
    ``given`` if given."""
    children: dict = {}
    R = models.RosterUnitRow
    for unit_id, parent in uow.session.execute(select(R.id, R.parent)):
        children.setdefault(parent, []).append(unit_id)
    out, todo = set(), list(covered)
    while todo:
        unit = todo.pop()
        if unit not in out:
            out.add(unit)
            todo.extend(children.get(unit, ()))
    if given is not None:
        out &= set(given)
    return sorted(out)


def set_campaign_questionnaire(uow, data) -> dict:
    row = _campaign(uow, data["campaign_id"], lock="update")
    choice = data["questionnaire"]
    q = _questionnaire_row(uow, choice["key"], choice["version"])
    if (row.questionnaire_key, row.questionnaire_version) != (q.key, q.version):
        domain.ensure_questionnaire_can_change(1 if _has_forms(uow, row.id) else 0)
        campaign_rules.ensure_open_for_forms(row_to_campaign(row))
        row.questionnaire_key, row.questionnaire_version = q.key, q.version
        row.set_signed_by = signed_by(uow.session)
    return _campaign_dict(uow, row)


def row_to_campaign(row) -> domain.Campaign:
    return domain.Campaign(row.id, row.period, row.owner, {}, tuple(row.groups), row.questionnaire_key,
                           row.questionnaire_version, row.status)


# -- intake ------------------------------------------------------------------------------------------

def _intake_context(uow, row):
    """(subjects, groups, item count) of a campaign; cached per provider (subjects never change)."""
    cache = None
    provider = getattr(uow, "provider", None)
    if provider is not None:
        cache = provider.__dict__.setdefault("_survey_intake_cache", {})
    key = (row.id, row.questionnaire_key, row.questionnaire_version)
    if cache is not None and key in cache:
        return cache[key]
    subjects = {sid: kind for sid, kind, _ in _subjects(uow, row.id)}
    q = _questionnaire(_questionnaire_row(uow, row.questionnaire_key, row.questionnaire_version))
    ctx = (subjects, frozenset(row.groups), q.item_count)
    if cache is not None:
        if len(cache) > 256:
            cache.clear()
        cache[key] = ctx
    return ctx


def _insert_forms(uow, row, forms: form_rules.Batch) -> list[str]:
    """The serials that were new (of a batch's valid forms, as columns); the campaign's count of
    forms (its data version) and its tallies follow them, in the same transaction."""
    new = _insert_new_forms(uow, row.id, forms)
    if new:
        part = _tally_part(uow, row, forms, new)
        if _is_pg(uow):
            # the part and the count in one statement (one round trip fewer a batch, issue 24 item 4):
            # the count row still last, locked until commit
            uow.session.execute(text(_PG_PART_AND_COUNT), {**part, "n": len(new)})
            return new
        uow.session.execute(text(_INSERT_PART), part)
        # last: the count row is the one row every batch of the campaign updates, locked until commit
        C = models.CampaignFormCountRow
        stmt = _upsert(uow)(C).values(campaign_id=row.id, forms=len(new))
        uow.session.execute(stmt.on_conflict_do_update(
            index_elements=[C.campaign_id], set_={"forms": C.forms + stmt.excluded.forms}))
    return new


_INSERT_PART = "INSERT INTO campaign_tally_parts (campaign_id, dimensions, counts) VALUES (:cid, :dims, :counts)"
_PG_PART_AND_COUNT = ("WITH part AS (" + _INSERT_PART + ") "
                      "INSERT INTO campaign_form_counts (campaign_id, forms) VALUES (:cid, :n) "
                      "ON CONFLICT (campaign_id) DO UPDATE SET forms = campaign_form_counts.forms + EXCLUDED.forms")


def _tally_part(uow, row, forms: form_rules.Batch, new_serials) -> dict:
    """The parameters of :data:`_INSERT_PART`: the forms an insert found new (``new_serials``; a batch
    delivered again adds none) as the campaign's tallies, their counts per subject, group and
    dimension as one appended row (``campaign_tally_parts``), in the insert's transaction (a strict
    batch rolled back takes it with it).  No row is shared with another batch: batches of a campaign
    do not wait on each other's commit for their tallies (issue 24 item 4)."""
    fresh = forms if len(new_serials) == len(forms) else forms.only(set(new_serials))
    dims, keys, sums = domain.tally_arrays(fresh.subjects, fresh.groups, fresh.answers,
                                           _campaign_questionnaire(uow, row))
    # the JSON text written by orjson and bound as text (the column reads it back as JSON on both
    # databases): the ORM's JSON binding of 3,000 rows of counts was a fifth of a batch's time
    return {"cid": row.id, "dims": orjson.dumps(list(dims)).decode(),
            "counts": orjson.dumps(_packed_counts(keys, sums)).decode()}


def _is_pg(uow) -> bool:
    return uow.session.get_bind().dialect.name == "postgresql"


def _packed_counts(keys, sums) -> dict:
    """A tally part's counts as columns (:class:`models.CampaignTallyPartRow`): the subjects, the
    groups' indexes and every row's counts as one little-endian integer array in base64, of the
    narrowest of uint8, int16, int32 and int64 that holds them (a batch's counts per subject and group
    are mostly below 256).  A part was a JSON list of rows (``[[subject, grp, counts…]]``, still
    read): 80,000 JSON numbers a batch to write, check and read back as Python integers, the largest
    cost of closing a campaign (issue 24 item 4)."""
    low, high = (int(sums.min()), int(sums.max())) if sums.size else (0, 0)
    dtype = next(t for t, lo, hi in _PART_DTYPES if lo <= low and high <= hi)
    return {"subjects": [k[0] for k in keys], "grps": [GROUP_INDEX[k[1]] for k in keys],
            "dtype": dtype, "counts": base64.b64encode(sums.astype(dtype).tobytes()).decode("ascii")}


_PART_DTYPES = (("|u1", 0, 2 ** 8 - 1), ("<i2", -2 ** 15, 2 ** 15 - 1), ("<i4", -2 ** 31, 2 ** 31 - 1),
                ("<i8", -2 ** 63, 2 ** 63 - 1))


def _unpacked_counts(part: dict, width: int):
    """(keys, int64 rows) of a part written by :func:`_packed_counts`."""
    import numpy as np

    if part["dtype"] not in {t for t, _, _ in _PART_DTYPES}:
        raise ValueError(f"tally part of an unknown dtype {part['dtype']!r}")
    keys = list(zip(part["subjects"], map(ALL_GROUPS.__getitem__, part["grps"])))
    return keys, _unpacked_rows(part, width)


def _unpacked_rows(part: dict, width: int):
    """The int64 rows (one per subject) of a part written by :func:`_packed_counts`."""
    import numpy as np

    if part["dtype"] not in {t for t, _, _ in _PART_DTYPES}:
        raise ValueError(f"tally part of an unknown dtype {part['dtype']!r}")
    rows = np.frombuffer(base64.b64decode(part["counts"]), dtype=part["dtype"]).astype(np.int64)
    return rows.reshape(len(part["subjects"]), width)


def _campaign_questionnaire(uow, row) -> Questionnaire:
    """The campaign's questionnaire (frozen once forms arrive); cached per provider like the intake
    context."""
    provider = getattr(uow, "provider", None)
    cache = provider.__dict__.setdefault("_survey_intake_cache", {}) if provider is not None else {}
    key = ("questionnaire", row.questionnaire_key, row.questionnaire_version)
    if key not in cache:
        if len(cache) > 256:
            cache.clear()
        cache[key] = _questionnaire(_questionnaire_row(uow, row.questionnaire_key,
                                                       row.questionnaire_version))
    return cache[key]


def tallied(uow, row) -> tuple[list, dict]:
    """The campaign's cells and forms received per subject, from its tallies (:func:`_tallied`)."""
    return domain.cells_of(*_tallied(uow, row))


def _tallied(uow, row) -> tuple[tuple, dict]:
    """The campaign's pooled counts per subject and group (:func:`domain.tally_by_key`) from its
    tallies: the rows the migration tallied (``campaign_tallies``) plus every insert's part (a few
    rows per subject and group an insert, whatever the number of forms)."""
    import numpy as np

    dims = tuple(domain.dimension_runs(_campaign_questionnaire(uow, row)))
    slot = {dim: 1 + 3 * i for i, dim in enumerate(dims)}
    width = 1 + 3 * len(dims)
    pooled: dict = {}

    def vector(subject, group):
        v = pooled.get((subject, group))
        if v is None:
            v = pooled[(subject, group)] = [0] * width
        return v

    T = models.CampaignTallyRow
    conn = uow.session.connection()        # Core: plain rows, no ORM loading (issue 19)
    for subject, grp, dim, forms, s, b, d in conn.execute(
            select(T.subject, T.grp, T.dimension, T.forms, T.satisfied, T.basic, T.dissatisfied)
            .where(T.campaign_id == row.id)).all():
        v = vector(subject, ALL_GROUPS[grp])
        v[0] = forms                       # the forms of the subject and group, on each dimension's row
        base = slot[dim]
        v[base], v[base + 1], v[base + 2] = s, b, d
    P = models.CampaignTallyPartRow
    subjects: list = []                         # the parts' rows of the campaign's dimensions: subjects,
    grps: list = []                             # groups' indexes (int arrays) and
    rows: list = []                             # int64 arrays of ``width`` columns
    # the counts as text, read by orjson (not by the driver's standard JSON decoding)
    for part_dims, counts in conn.execute(
            select(P.dimensions, cast(P.counts, Text)).where(P.campaign_id == row.id).order_by(P.id)).all():
        counts = orjson.loads(counts)
        part_width = 1 + 3 * len(part_dims)
        if isinstance(counts, dict):            # columns (_packed_counts)
            if tuple(part_dims) == dims:
                subjects += counts["subjects"]
                grps.append(np.asarray(counts["grps"], dtype=np.intp))
                rows.append(_unpacked_rows(counts, width))
                continue
            part_keys, part_rows = _unpacked_counts(counts, part_width)
            counts = [[subject, GROUP_INDEX[group], *c]
                      for (subject, group), c in zip(part_keys, part_rows.tolist())]
        elif tuple(part_dims) == dims:          # the usual part: its rows are added all at once below
            subjects += map(itemgetter(0), counts)
            grps.append(np.fromiter(map(itemgetter(1), counts), dtype=np.intp, count=len(counts)))
            rows.append(np.array([c[2:] for c in counts], dtype=np.int64).reshape(len(counts), width))
            continue
        for subject, grp, *c in counts:
            v = vector(subject, ALL_GROUPS[grp])
            v[0] += c[0]
            for i, dim in enumerate(part_dims):
                base = slot[dim]
                v[base] += c[1 + 3 * i]
                v[base + 1] += c[2 + 3 * i]
                v[base + 2] += c[3 + 3 * i]
    if subjects:
        all_grps, all_rows = np.concatenate(grps), np.concatenate(rows)
        try:        # added per subject and group index first (44,500 part rows, 4,450 keys), then pooled
            keys, all_rows = domain.sum_by_subject_group(subjects, all_grps, all_rows, ALL_GROUPS)
        except IndexError:                      # a group index outside the groups: each row's key
            keys = list(zip(subjects, map(ALL_GROUPS.__getitem__, all_grps.tolist())))
        domain.add_pooled(pooled, keys, all_rows, width)
    return dims, pooled


def recounted(uow, row) -> tuple[list, dict]:
    """The campaign's cells and forms received per subject, counted from every form (the old way:
    the baseline without the export cache, and what the tallies must always equal)."""
    return domain.cells_of(*_recounted(uow, row))


def _recounted(uow, row) -> tuple[tuple, dict]:
    stmt = (select(models.FormRow.subject, models.FormRow.grp, models.FormRow.answers)
            .where(models.FormRow.campaign_id == row.id).execution_options(yield_per=500))
    groups = ALL_GROUPS
    rows = _yielding((s, groups[g], a) for s, g, a in uow.session.execute(stmt))
    return domain.tally_by_key(rows, _campaign_questionnaire(uow, row))


def _upsert(uow):
    """The dialect's INSERT … ON CONFLICT (PostgreSQL or SQLite)."""
    if uow.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    return sqlite_insert


def _pg_text_array(values) -> str:
    """``values`` as the text of a PostgreSQL ``text[]`` literal, every element quoted (a serial may
    hold a comma, a brace or a blank); a quote or backslash escaped.  One string per column, bound
    as one parameter: psycopg2 adapts a Python list element by element, which cost more than the
    insert itself (issue 24 item 4)."""
    plain = "".join(values)              # the separator holds quotes: look for them in the values
    if '"' in plain or "\\" in plain:
        return '{"' + '","'.join(v.replace("\\", "\\\\").replace('"', '\\"') for v in values) + '"}'
    return '{"' + '","'.join(values) + '"}'


_PG_INSERT_FORMS = ("INSERT INTO forms (campaign_id, serial, subject, grp, answers, signed_by) "
                    "SELECT :cid, *, :signed FROM unnest(CAST(:serials AS text[]), CAST(:subjects AS text[]), "
                    "CAST(:grps AS smallint[]), CAST(:answers AS text[]))")

_PG_INSERT_FORMS_IN_SAVEPOINT = ("SAVEPOINT lb_survey_forms; " + _PG_INSERT_FORMS
                                 + "; RELEASE SAVEPOINT lb_survey_forms")


def _insert_new_forms(uow, campaign_id: str, forms: form_rules.Batch) -> list[str]:
    """The serials that were new, inserted by one set-based statement.

    PostgreSQL: a plain ``INSERT … SELECT FROM unnest(arrays)`` in a savepoint first (the usual
    batch: every serial new; no speculative insertion per row, which ``ON CONFLICT`` costs); if a
    serial is already there (a unique violation) the savepoint is rolled back and the batch goes
    again as ``INSERT … ON CONFLICT DO NOTHING RETURNING serial``: the first copy wins, as ever.
    Either way within the unit of work's transaction: nothing is half-written."""
    if not forms:
        return []
    session = uow.session
    if session.get_bind().dialect.name == "postgresql":
        params = {"cid": campaign_id, "signed": signed_by(session),
                  "serials": _pg_text_array(forms.serials),
                  "subjects": _pg_text_array(forms.subjects),
                  "grps": "{" + ",".join(map(GROUP_TEXT.__getitem__, forms.groups)) + "}",
                  "answers": _pg_text_array(forms.answers)}
        try:
            # the savepoint, the insert and its release sent as one query (one round trip where they
            # were three); it stops at the insert's error, and the savepoint is rolled back below
            session.execute(text(_PG_INSERT_FORMS_IN_SAVEPOINT), params)
            return forms.serials
        except IntegrityError as err:
            session.execute(text("ROLLBACK TO SAVEPOINT lb_survey_forms"))
            if getattr(err.orig, "pgcode", None) != "23505":      # not a taken serial: the error stands
                raise
        rows = session.execute(text(_PG_INSERT_FORMS + " ON CONFLICT DO NOTHING RETURNING serial"), params)
        return [r[0] for r in rows]
    # SQLite: the same INSERT … ON CONFLICT DO NOTHING RETURNING serial through Core (executemany of
    # the batch's columns; ``signed_by`` from the column's default, as the ORM's bulk path filled it),
    # not the ORM's bulk insert, which built and checked a parameter set per form (issue 24 item 5)
    rows = session.connection().execute(_SQLITE_INSERT_FORMS, [
        {"campaign_id": campaign_id, "serial": serial, "subject": subject, "grp": grp, "answers": answers}
        for serial, subject, grp, answers in zip(forms.serials, forms.subjects,
                                                 map(GROUP_INDEX.__getitem__, forms.groups), forms.answers)])
    return [r[0] for r in rows]


_SQLITE_INSERT_FORMS = (sqlite_insert(models.FormRow.__table__).on_conflict_do_nothing()
                        .returning(models.FormRow.__table__.c.serial))


def _existing_serials(uow, campaign_id: str, serials) -> list[str]:
    found: list[str] = []
    serials = list(serials)
    for i in range(0, len(serials), 900):
        found += uow.session.execute(
            select(models.FormRow.serial).where(models.FormRow.campaign_id == campaign_id,
                                                models.FormRow.serial.in_(serials[i:i + 900]))
        ).scalars().all()
    return found


def _claim(uow, caller: str, key: str, digest: str, recalled: bool = False):
    """Claim a batch id before the work: a concurrent twin waits, then gets the first answer.

    Returns the stored answer if ``caller`` already used the key for this very request, else None
    (the claim joins this transaction and is filled in by :func:`_answer`); the key used for
    another request is a :class:`Conflict` naming ``batch_id``.  ``recalled``: the caller found no
    answer in this transaction already (one SELECT fewer a batch); an answer committed since makes
    the claim's insert a unique violation, and that answer is recalled then, as for a twin.
    """
    if not recalled:
        stored = _recall(uow, caller, key, digest)
        if stored is not None:
            return stored
    if _is_pg(uow):
        # one statement where a savepoint, the insert and its release were three round trips: a
        # twin's claim (committed, or waited for) is no row, and its answer is recalled as below
        claimed = uow.session.execute(text(_PG_CLAIM), {"caller": caller, "key": key, "digest": digest,
                                                        "now": utcnow()}).first()
        return None if claimed is not None else _recall(uow, caller, key, digest)
    try:
        with uow.session.begin_nested():
            uow.session.add(models.Base.Idempotency(caller=caller, key=key, response=None,
                                                    request_hash=digest))
    except IntegrityError:
        return _recall(uow, caller, key, digest)
    return None


def _recall(uow, caller: str, key: str, digest: str):
    """The first answer to this caller's batch id, if the same forms were sent under it; another
    request under a used batch id is refused, loudly (it would otherwise drop its forms)."""
    stored = uow.recall(caller, key)
    if stored is None or stored["response"] is None:
        return None
    if stored["request_hash"] != digest:
        raise Conflict(f"batch_id {key.rsplit(':', 1)[1]!r} was already used by {caller} in this campaign "
                       "for other forms: send them under a new batch_id", "batch_id")
    return stored["response"]


_PG_CLAIM = ("INSERT INTO idempotency (caller, key, request_hash, response, created_at) "
             "VALUES (:caller, :key, :digest, NULL, :now) ON CONFLICT DO NOTHING RETURNING 1")


def _answer(uow, caller: str, key: str, response: dict) -> None:
    if _is_pg(uow):      # the claim of :data:`_PG_CLAIM` is no ORM object: its answer by one UPDATE
        uow.session.execute(text("UPDATE idempotency SET response = CAST(:response AS json) "
                                 "WHERE caller = :caller AND key = :key"),
                            {"response": orjson.dumps(response).decode(), "caller": caller, "key": key})
        return
    rec = uow.session.get(models.Base.Idempotency, (caller, key))
    rec.response = response


def submit_batch(uow, data, caller: str) -> dict:
    """Take a batch of forms: validate each, keep the first copy of each serial, one bulk INSERT.

    The batch id is ``caller``'s (the verified actor, ``kind:sub``): two callers' batches of the same
    id are two batches; the same caller sending its batch id again with the same forms and mode gets
    the first answer (``replayed``), with other forms a :class:`Conflict` naming ``batch_id``."""
    started = time.perf_counter()
    cid, bid, strict, dry_run = data["campaign_id"], data["batch_id"], data["strict"], data["dry_run"]
    caller = bounded(caller, CALLER_LENGTH)
    key = bounded(f"survey.batch:{cid}:{bid}", KEY_LENGTH)
    digest = None
    if not dry_run:
        digest = request_hash(data["forms"], strict)
        stored = _recall(uow, caller, key, digest)
        if stored is not None:
            return {**stored, "replayed": True}
    row = _campaign(uow, cid, lock="share")
    campaign_rules.ensure_open_for_forms(row_to_campaign(row))
    if not dry_run:
        first = _claim(uow, caller, key, digest, recalled=True)
        if first is not None:
            return {**first, "replayed": True}
    subjects, groups, item_count = _intake_context(uow, row)
    raw = data["forms"]
    good, errors = form_rules.check_batch_columns(raw, subjects, groups, item_count)
    accepted = form_rules.Batch([], [], [], [], [])
    committed = False
    if not (strict and errors):
        if dry_run:
            new, dups = form_rules.split_new_batch(
                good, set(good.serials) - set(_existing_serials(uow, cid, good.serials)))
            errors = errors + dups
            accepted = new
        elif strict:
            savepoint = uow.session.begin_nested()
            new, dups = form_rules.split_new_batch(good, _insert_forms(uow, row, good))
            if dups:
                savepoint.rollback()
                errors = errors + dups
            else:
                savepoint.commit()
                accepted, committed = new, True
        else:
            new, dups = form_rules.split_new_batch(good, _insert_forms(uow, row, good))
            errors = errors + dups
            accepted, committed = new, True
    errors.sort(key=lambda e: e.index)
    if strict and errors:
        accepted, committed = form_rules.Batch([], [], [], [], []), False
    result = {
        "campaign_id": cid, "batch_id": bid, "received": len(raw),
        "accepted": len(accepted), "rejected": len(errors),
        "duplicates": sum(1 for e in errors if e.reason == form_rules.DUPLICATE_SERIAL),
        "blank": form_rules.blank_count(accepted.answers, item_count),
        "strict": strict, "dry_run": dry_run, "committed": committed and not dry_run,
        "errors": [e.to_dict() for e in errors],
        "seconds": round(time.perf_counter() - started, 4),
    }
    if not dry_run:
        _answer(uow, caller, key, result)
    return result


def submit_form(uow, data) -> dict:
    """One form online: the same rules as a batch of one; a refusal is an error naming the field."""
    result = submit_batch(uow, {"campaign_id": data["campaign_id"], "batch_id": "",
                                "strict": True, "dry_run": True, "forms": [data["form"]]},
                          caller=UNVERIFIED_CALLER)  # a dry run: no batch id is stored
    if result["errors"]:
        err = result["errors"][0]
        field = "form." + err["field"].split(".", 1)[1] if "." in err["field"] else "form"
        cls = Conflict if err["reason"] == form_rules.DUPLICATE_SERIAL else ValidationFailed
        raise cls(err["message"], field, [err])
    form = data["form"]
    inserted = _insert_forms(uow, _campaign(uow, data["campaign_id"]), form_rules.Batch(
        [0], [form["serial"]], [form["subject"]], [form["group"]], [form["answers"]]))
    if not inserted:  # a concurrent copy won between the check and the insert
        raise Conflict("serial already received in this campaign", "form.serial")
    return {"campaign_id": data["campaign_id"], "serial": form["serial"], "accepted": True,
            "blank": form_rules.is_blank(form["answers"])}


def progress(uow, data) -> dict:
    """Forms received so far per subject and respondent group (the office watches them arrive)."""
    row = _campaign(uow, data["campaign_id"])
    counts = uow.session.execute(
        select(models.FormRow.subject, models.FormRow.grp, func.count())
        .where(models.FormRow.campaign_id == row.id)
        .group_by(models.FormRow.subject, models.FormRow.grp)).all()
    per: dict = {}
    groups = {g: 0 for g in row.groups}
    for subject, grp, n in counts:
        group = ALL_GROUPS[grp]
        per.setdefault(subject, {})[group] = n
        groups[group] = groups.get(group, 0) + n
    subjects = [{"subject": sid, "kind": kind, "name": name, "forms": sum(per.get(sid, {}).values()),
                 "groups": per.get(sid, {})} for sid, kind, name in _subjects(uow, row.id)]
    q = _questionnaire(_questionnaire_row(uow, row.questionnaire_key, row.questionnaire_version))
    return {"campaign_id": row.id, "status": row.status, "period": row.period, "owner": row.owner,
            "title": row.title, "items": q.item_count, "forms": sum(groups.values()), "groups": groups,
            "subjects": subjects}


def _is_public(uow) -> bool:
    """Whether the entry point verified the public (the gateway's public pages) for this call."""
    return (signed_by(uow.session) or "").split(":", 1)[0] == "public"


def campaign_subjects(uow, data) -> dict:
    """The subjects of the kinds asked (or the one ``subject``), in the campaign's order.  The public
    (the online form) reads those of an open campaign only: a closed one answers it as a missing
    campaign (:func:`campaign_rules.public_sees_subjects`)."""
    row = _campaign(uow, data["campaign_id"])
    if _is_public(uow) and not campaign_rules.public_sees_subjects(row.status):
        raise missing_campaign(row.id)
    kinds = set(data.get("kinds") or ())
    q = (select(models.CampaignSubjectRow.subject_id, models.CampaignSubjectRow.kind,
                models.CampaignSubjectRow.name)
         .where(models.CampaignSubjectRow.campaign_id == row.id))
    if data.get("subject"):
        q = q.where(models.CampaignSubjectRow.subject_id == data["subject"])
    else:
        q = q.where(models.CampaignSubjectRow.kind.in_(kinds))
    rows = uow.session.execute(q.order_by(models.CampaignSubjectRow.position)).all()
    if data.get("subject") and not rows:
        raise NotFound(f"no subject {data['subject']!r} in campaign {row.id!r}", "subject")
    return {"campaign_id": row.id, "subjects": [{"id": sid, "kind": kind, "name": name}
                                                for sid, kind, name in rows]}


def serials_used(uow, data) -> dict:
    row = _campaign(uow, data["campaign_id"])
    return {"campaign_id": row.id, "used": sorted(_existing_serials(uow, row.id, set(data["serials"])))}


# -- rates -------------------------------------------------------------------------------------------

def _rates(uow, row) -> dict:
    q = _questionnaire(_questionnaire_row(uow, row.questionnaire_key, row.questionnaire_version))
    subjects = _subjects(uow, row.id)
    dims, pooled = _tallied(uow, row) if EXPORT_CACHE else _recounted(uow, row)
    present = tuple(d for d in domain.DIMENSIONS if d in set(q.dimensions))
    # the report (exact counts for every subject, dimension and group) is pure CPU: off the loop
    report = off_loop(domain.rate_report_pooled, {sid: kind for sid, kind, _ in subjects}, dims, pooled,
                      dimensions=present, groups=tuple(row.groups),
                      names={sid: name for sid, _, name in subjects})
    return {"campaign_id": row.id, "kind": row.kind or SATISFACTION, "period": row.period,
            "owner": row.owner, "status": row.status,
            "final": row.status == campaign_rules.CLOSED,
            "questionnaire": {"key": q.key, "version": q.version}, **report}


def _publish(uow, rates: dict) -> str:
    if rates.get("kind") == RECOGNITION:   # to the half-year's record, never to satisfaction rates
        return uow.publish(RECOGNITION_POLL_PUBLISHED, {
            "campaign_id": rates["campaign_id"], "period": rates["period"], "owner": rates["owner"],
            "final": rates["final"], "questionnaire": rates["questionnaire"],
            "results": poll_rules.results(rates)})
    totals = {k: v for k, v in rates["totals"].items() if k not in ("dimensions", "groups")}
    return uow.publish(SATISFACTION_RATES_PUBLISHED, {
        "campaign_id": rates["campaign_id"], "period": rates["period"], "owner": rates["owner"],
        "final": rates["final"], "questionnaire": rates["questionnaire"], "totals": totals,
        "subjects": domain.event_subjects(rates)})


# A campaign's rates and workbook, computed once per version of its data (issue 19): forms are only
# ever added (a serial is taken once), so the status, the questionnaire and the number of forms say
# whether anything changed. The rates are stored per version (``campaign_rates``: computed on the
# first request of a version, or when the campaign closes) and kept in memory in front of that;
# an export of a known version reads them and only serialises, off the event loop. Keyed by the
# database too (several suites may share a process).
RATES = VersionedCache(max_keys=16)
WORKBOOKS = VersionedCache(max_keys=8)
EXPORT_CACHE = os.environ.get("LIANBAO_EXPORT_CACHE") != "0"
if not EXPORT_CACHE:   # the benches' baseline: every export recomputed
    RATES.enabled = WORKBOOKS.enabled = False


def _yielding(rows, every: int = 500):
    """Let other green threads (a health check, another request) run while a large campaign is read."""
    import eventlet

    for n, row in enumerate(rows, start=1):
        if n % every == 0:
            eventlet.sleep(0)
        yield row


def _data_version(uow, row) -> tuple:
    """The campaign's row and its count of forms (kept by every insert): one row each, no counting."""
    forms = uow.session.get(models.CampaignFormCountRow, row.id)
    return (row.status, row.questionnaire_key, row.questionnaire_version,
            forms.forms if forms is not None else 0)


def _cache_key(uow, campaign_id: str) -> tuple:
    return (str(uow.session.get_bind().url), campaign_id)


def _version_of(uow, row) -> tuple:
    if not EXPORT_CACHE:   # the old baseline counted the forms for every export
        return (row.status, row.questionnaire_key, row.questionnaire_version,
                _count_forms(uow, row.id))
    return _data_version(uow, row)


def _version_text(version: tuple) -> str:
    return "|".join(["rates-1", *(str(part) for part in version)])   # rates-N: the stored format


def _store_rates(uow, campaign_id: str, version: tuple, rates: dict) -> None:
    """Keep ``rates`` as the campaign's stored rates of ``version`` (an upsert: two workers storing
    the same version at once both succeed)."""
    # 500 subjects' rates (strings, integers, booleans and nulls): orjson, a tenth of the standard
    # encoder's time (which was a tenth of closing a campaign); the same JSON value
    try:
        encoded = orjson.dumps(rates).decode()
    except TypeError:                           # anything orjson does not write: as before
        encoded = off_loop(json.dumps, rates, ensure_ascii=False)
    values = {"campaign_id": campaign_id, "version": _version_text(version),
              "rates": type_coerce(encoded, String()), "computed_at": utcnow()}
    stmt = _upsert(uow)(models.CampaignRatesRow).values(**values)
    uow.session.execute(stmt.on_conflict_do_update(
        index_elements=[models.CampaignRatesRow.campaign_id],
        set_={k: v for k, v in values.items() if k != "campaign_id"}))


def _stored_only(uow, row, version: tuple) -> dict | None:
    """The stored rates of ``version``, None when none are stored for it (or the cache is off)."""
    if not EXPORT_CACHE:
        return None
    return uow.session.execute(
        select(models.CampaignRatesRow.rates)
        .where(models.CampaignRatesRow.campaign_id == row.id,
               models.CampaignRatesRow.version == _version_text(version))).scalar()


def _final_rates(uow, row) -> dict:
    """A campaign's rates as stored for its data's version (a closed campaign's: stored when it
    closed), else computed and not stored (a read: the metrics' scrape calls it too)."""
    stored = _stored_only(uow, row, _data_version(uow, row))
    return stored if stored is not None else _rates(uow, row)


def _stored_rates(uow, row, version: tuple) -> dict:
    """The rates of ``version``: stored ones if they are of this version, else computed and stored."""
    stored = _stored_only(uow, row, version)
    if stored is not None:
        return stored
    rates = _rates(uow, row)
    if EXPORT_CACHE:
        _store_rates(uow, row.id, version, rates)
    return rates


def _cached_rates(uow, row) -> dict:
    version = _version_of(uow, row)
    return RATES.get(_cache_key(uow, row.id), version, lambda: _stored_rates(uow, row, version))


def get_rates(uow, data) -> dict:
    return dict(_cached_rates(uow, _campaign(uow, data["campaign_id"])))


def publish_rates(uow, data) -> dict:
    """A closed campaign's final rates, published again (e.g. to a scoring that lost them).  Only
    closed campaigns feed scoring (issue 18 item 4): an open one is refused; its rates are read
    with ``get_rates`` and published when it closes."""
    row = _campaign(uow, data["campaign_id"])
    if row.status != campaign_rules.CLOSED:
        raise Conflict(f"campaign {row.id!r} is open: its rates are published when it closes",
                       "campaign_id")
    rates = dict(_stored_rates(uow, row, _data_version(uow, row)))
    rates["event_id"] = _publish(uow, rates)
    row.published_signed_by = signed_by(uow.session)
    return rates


def close_campaign(uow, data) -> dict:
    row = _campaign(uow, data["campaign_id"], lock="update")
    camp = row_to_campaign(row)
    changed = campaign_rules.close_campaign(camp)
    if changed:
        row.status, row.closed_at = camp.status, utcnow()
        row.closed_signed_by = signed_by(uow.session)
        uow.session.flush()
    # the final rates, computed here once and stored: every later export of them only serialises
    rates = dict(_stored_rates(uow, row, _data_version(uow, row)))
    if changed:
        rates["event_id"] = _publish(uow, rates)
    rates["already_closed"] = not changed
    return rates


def rates_xlsx(uow, data) -> dict:
    row = _campaign(uow, data["campaign_id"])
    version = _version_of(uow, row)

    def build():
        rates = RATES.get(_cache_key(uow, row.id), version, lambda: _stored_rates(uow, row, version))
        content = off_loop(workbook_bytes, rates)   # openpyxl is pure CPU: off the event loop
        return {"filename": f"survey_{rates['campaign_id']}_{rates['period']}.xlsx",
                "content_base64": base64.b64encode(content).decode("ascii")}

    return dict(WORKBOOKS.get(_cache_key(uow, row.id), version, build))


# -- roster read model -------------------------------------------------------------------------------

def on_units_saved(uow, event) -> None:
    """The roster's versions of its units, each kept with its dates (``since`` absent: an event
    from before the tree was dated, the unit since always); ``roster_units`` takes the open one."""
    V = models.RosterUnitVersionRow
    for unit in event.get("units", []):
        since = unit.get("since") or EARLIEST
        version = uow.session.get(V, (unit["id"], since))
        if version is None:
            version = V(id=unit["id"], since=since)
            uow.session.add(version)
        version.until = unit.get("until")
        version.name, version.kind = unit.get("name") or "", unit["kind"]
        version.parent, version.agency = unit.get("parent"), unit.get("agency") or unit["id"]
        if unit.get("until") is not None:
            continue                  # a closed version: the latest row keeps the open one
        row = uow.session.get(models.RosterUnitRow, unit["id"])
        if row is None:
            row = models.RosterUnitRow(id=unit["id"])
            uow.session.add(row)
        row.name, row.kind = unit.get("name") or "", unit["kind"]
        row.parent, row.agency = unit.get("parent"), unit.get("agency") or unit["id"]


def on_staff(uow, event) -> None:
    """staff_joined / staff_changed: each record is a post from its ``since`` (else the event's
    ``effective``, else the join date), kept as dated history; the staff row shows the latest
    post (events of one person may come in any order)."""
    P, S = models.RosterPostRow, models.RosterStaffRow
    staff = event.get("staff", [])
    have = set()
    for part in _id_parts(p["id"] for p in staff):
        have.update(uow.session.execute(select(P.person, P.start).where(P.person.in_(part))).all())
    for person in staff:
        pid = person["id"]
        start = person.get("since") or event.get("effective") or person.get("joined") or EARLIEST
        if (pid, start) in have:
            uow.session.execute(P.__table__.update().where(P.person == pid, P.start == start)
                                .values(agency=person["agency"], unit=person["unit"],
                                        position=person.get("position")))
        else:
            uow.session.add(P(person=pid, start=start, agency=person["agency"], unit=person["unit"],
                              position=person.get("position")))
            have.add((pid, start))
    uow.session.flush()
    latest, rows = {}, {}
    for part in _id_parts(p["id"] for p in staff):
        for pid, start, agency, unit, position in uow.session.execute(
                select(P.person, P.start, P.agency, P.unit, P.position).where(P.person.in_(part))):
            if pid not in latest or start > latest[pid][0]:
                latest[pid] = (start, agency, unit, position)
        rows.update((r.id, r) for r in uow.session.execute(select(S).where(S.id.in_(part))).scalars())
    for person in staff:
        pid = person["id"]
        row = rows.get(pid)
        if row is None:
            row = rows[pid] = S(id=pid)
            uow.session.add(row)
        _start, agency, unit, position = latest[pid]
        row.name, row.agency, row.unit, row.position = person.get("name") or "", agency, unit, position
    # a post beginning after a departure: he is back (``return_to_team``)
    for pid, kind in _left_now(uow, [p["id"] for p in staff]).items():
        rows[pid].left = kind


def _day(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _left_now(uow, person_ids) -> dict:
    """``{person: kind or None}``: the kind of each person's latest departure, unless a post of his
    begins after it (he is back through ``return_to_team``); persons with no dated departure are left
    out (their ``left`` stays as it is)."""
    D, P = models.RosterDepartureRow, models.RosterPostRow
    out = {}
    for part in _id_parts(person_ids):
        last = {}
        for pid, on, kind in uow.session.execute(select(D.person, D.on, D.kind).where(D.person.in_(part))):
            if pid not in last or on > last[pid][0]:
                last[pid] = (on, kind)
        back = dict(uow.session.execute(select(P.person, func.max(P.start)).where(P.person.in_(list(last)))
                                        .group_by(P.person)).all()) if last else {}
        for pid, (on, kind) in last.items():     # the latest departure and post decide it
            out[pid] = kind if still_away([on], [back[pid]] if back.get(pid) is not None else []) else None
    return out


def on_staff_left(uow, event) -> None:
    """roster ``staff_left``: kept with its day (the person has no post from then until a post of his
    begins after it).  Events of different types may arrive out of order: a departure before the
    joining is kept, and one arriving after the return it precedes leaves him back."""
    pid, on = event["person"], _day(event["date"])
    row = uow.session.get(models.RosterStaffRow, pid)
    if row is None:
        row = models.RosterStaffRow(id=pid, name="", agency="", unit="")
        uow.session.add(row)
    departure = uow.session.get(models.RosterDepartureRow, (pid, on))
    if departure is None:
        uow.session.add(models.RosterDepartureRow(person=pid, on=on, kind=event["kind"]))
    else:
        departure.kind = event["kind"]
    uow.session.flush()
    row.left = _left_now(uow, [pid]).get(pid, event["kind"])


def target_results(uow, year: int, agency: str | None = None, as_of=None) -> list:
    """Target 8 (public satisfaction ≥ 90%) per agency and city-wide, from the year's **closed**
    campaigns (those opened by ``as_of``, when given): forms still arriving count once the campaign
    is closed (issue 18 item 4)."""
    from datetime import datetime, time as dtime

    from shared import targets as method_targets

    session = uow.session
    q = select(models.CampaignRow).where(
        models.CampaignRow.period.in_((f"{year}H1", f"{year}H2")),
        func.coalesce(models.CampaignRow.kind, SATISFACTION) == SATISFACTION,
        models.CampaignRow.status == campaign_rules.CLOSED)
    if as_of is not None:
        q = q.where(models.CampaignRow.created_at <= datetime.combine(as_of, dtime.max))
    rows = session.scalars(q).all()
    posts = _posts_of(uow) if rows else {}
    trees: dict = {}
    # each officer in the agency he was in on the campaign period's last day (SPEC §9)
    pooled: dict = {}
    for row in rows:
        last = dated.period_last_day(row.period)
        if last not in trees:         # the agency of a unit on the period's last day (issue 20)
            trees[last] = {uid: u.agency for uid, u in _units_on(uow, last).items()}
        unit_agency = trees[last]
        # the final rates stored when the campaign closed (the same version of its data), not
        # computed again from its tallies for every read of the targets (issue 24 item 5)
        report = _final_rates(uow, row)
        subjects = domain.event_subjects(report)
        agency_of = {}
        for subject in subjects:
            sid = subject["id"]
            if subject["kind"] == "agency":
                agency_of[sid] = unit_agency.get(sid, sid)
            elif subject["kind"] == "officer":
                then = dated.agency_on(posts.get(sid, ()), last)
                if then is not None:
                    agency_of[sid] = then
            elif sid in unit_agency:
                agency_of[sid] = unit_agency[sid]
        for key, (happy, answered) in domain.pool_by_agency(subjects, agency_of).items():
            h, a = pooled.get(key, (0, 0))
            pooled[key] = (h + happy, a + answered)
    pooled.setdefault("city", (0, 0))
    wanted = sorted(pooled) if agency is None else [agency]
    return [method_targets.public_satisfaction(a, *pooled.get(a, (0, 0))) for a in wanted]


def targets(uow, data, today) -> dict:
    today = data.get("as_of") or today
    year = data.get("year") or today.year
    return {"year": year, "as_of": today.isoformat(),
            "targets": [r.as_dict() for r in target_results(
                uow, year, data.get("agency"), today if data.get("as_of") else None)]}
