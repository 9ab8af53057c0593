"""The roster's import of a spreadsheet of staff: every row checked first, all or nothing.

Each use case: ``(uow, data) -> dict``; it loads what it needs (:mod:`services.roster.repository`),
calls the domain, saves, and records the events to publish through the outbox (``uow.publish``) in
the same transaction. No rules here: they are in ``domain/``.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import insert, or_, select, update

from services.roster.conversions import pair_from_row, post_values, staff_from_row, staff_values
from services.roster.domain import history as history_rules
from services.roster.domain import importing as import_rules
from services.roster.domain import mentoring as mentoring_rules
from services.roster.evaluators import publish_evaluators
from services.roster.mentoring import apply_cuts
from services.roster.models import PairRow, PostRow, StaffRow
from services.roster.repository import chunks, IN_CHUNK, load_posts, load_staff, load_tree, save_posts
from services.roster.staff import publish_staff
from shared.contracts import roster as contract
from shared.db import signed_by
from shared.errors import Conflict, LianbaoError, ValidationFailed


def import_roster(uow, data, today: date | None = None) -> dict:
    """All or nothing: every row is checked first; any bad row → nothing written. A dry run
    never writes. Re-importing the same rows changes nothing."""
    session = uow.session
    rows = data["rows"]
    numbers = data.get("row_numbers") or list(range(data["first_row"],
                                                     data["first_row"] + len(rows)))
    if len(numbers) != len(rows):
        raise ValidationFailed("row_numbers must match rows one to one", "row_numbers")
    effective = data.get("effective") or today or date.today()
    header_errors = []
    keys: list[str] = []
    for row in rows[:1]:
        keys = import_rules.normalise_header(row.keys())
        header_errors = import_rules.check_header(keys)
    tree = load_tree(session)
    units = tree.view(effective)
    if header_errors:
        plan = import_rules.ImportPlan(errors=header_errors)
    else:
        raw_keys = list(rows[0].keys()) if rows else []
        mapping = dict(zip(raw_keys, keys))
        normalised = [(n, {mapping.get(k, k): v for k, v in row.items()})
                      for n, row in zip(numbers, rows)]
        # the stored staff of the ids the rows name, the only ones the plan looks up (the whole
        # roster was read for every call: an import sent in batches read it again each batch)
        existing = load_staff(session, import_rules.ids_named(row for _n, row in normalised))
        plan = import_rules.plan_import(normalised, units, existing)
    report = {"dry_run": data["dry_run"], "committed": False, "rows": len(rows),
              "created": len(plan.new), "changed": len(plan.changed),
              "unchanged": plan.unchanged, "errors": [e.as_dict() for e in plan.errors]}
    if not plan.ok or data["dry_run"]:
        return report
    if plan.new:
        # the tables' own INSERTs (no ORM bulk path), each row's signed_by given as its column
        # default would fill it (the session's verified actor) instead of called row by row
        signer = {"signed_by": signed_by(session)}
        for chunk in chunks(plan.new, 10000):
            session.execute(insert(StaffRow.__table__), [{**staff_values(s), **signer} for s in chunk])
            session.execute(insert(PostRow.__table__), [{**post_values(history_rules.post_of(s, s.joined)),
                                                         **signer} for s in chunk])
        publish_staff(uow, contract.STAFF_JOINED, plan.new, tree)
        # the new people and their one post as just written, not read back (a person new to the
        # staff table has no other post: posts are only ever written for staff)
        publish_evaluators(uow, tree, [s.id for s in plan.new], people={s.id: s for s in plan.new},
                           posts={s.id: [history_rules.post_of(s, s.joined)] for s in plan.new})
    if plan.changed:
        changed = [new for _old, new in plan.changed]
        all_posts = load_posts(session, [s.id for s in changed])
        for i, s in enumerate(changed):
            try:
                closed, opened = history_rules.change_posts(all_posts.get(s.id, []), s, effective)
            except LianbaoError as err:
                report["errors"].append({"row": None, "column": err.field,
                                         "message": f"{s.id}: {err.message}"})
                continue
            save_posts(session, closed, opened)
        if report["errors"]:
            raise Conflict("; ".join(e["message"] for e in report["errors"][:5]), "effective")
        session.execute(update(StaffRow), [staff_values(s) for s in changed])
        ids = [s.id for s in changed]
        pairs = []
        for chunk in chunks(ids, IN_CHUNK):
            pairs.extend(pair_from_row(r) for r in session.scalars(select(PairRow).where(
                or_(PairRow.mentor.in_(chunk), PairRow.mentee.in_(chunk)))))
        # the changed people as they will be, the other side of each of their pairs as stored
        people = load_staff(session, {x for p in pairs for x in (p.mentor, p.mentee)} - set(ids))
        people.update({s.id: s for s in changed})
        cuts, done = [], set()
        for s in changed:
            for old, new in mentoring_rules.pairs_broken_by_change(pairs, s, people, units, effective):
                if old.id not in done:
                    done.add(old.id)
                    cuts.append((old, new))
        apply_cuts(uow, cuts, "chain_broken")
        publish_staff(uow, contract.STAFF_CHANGED, changed, tree, since=effective,
                       effective=effective.isoformat())
        publish_evaluators(uow, tree, [s.id for s in changed])
    report["committed"] = True
    return report
