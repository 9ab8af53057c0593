"""The roster's repository: every query and write of its tables (staff, posts, spells, pairs, unit
versions, discipline facts), loaded into the domain's types through :mod:`services.roster.conversions`.
"""
from __future__ import annotations

import uuid
import weakref
from collections.abc import Iterable
from datetime import date
from collections import defaultdict

from sqlalchemy import bindparam, delete, func, insert, or_, select, update

from services.roster.conversions import (fact_from_row, pair_from_row, post_from_row, post_values,
                                         spell_from_row, staff_from_row, version_from_row, version_values)
from services.roster.domain import history as history_rules
from services.roster.domain import spells as spell_rules
from services.roster.domain import tree as tree_rules
from services.roster.domain.model import Pair, Staff, Unit
from services.roster.models import (DisciplineFactRow, PairRow, PostRow, SpellRow, StaffRow, TreeStampRow,
                                    UnitVersionRow)
from shared.errors import NotFound


IN_CHUNK = 5000


def new_id() -> str:
    return uuid.uuid4().hex


def chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def columns(model, names) -> list:
    """``model``'s columns ``names``, each labelled by its attribute's name: selected as plain
    rows (not ORM objects) that the ``*_from_row`` conversions read like the objects."""
    return [getattr(model, name).label(name) for name in names]


STAFF_COLUMNS = ("id", "name", "unit", "position", "joined", "titles", "supervises")
POST_COLUMNS = ("person", "start", "end", "unit", "position", "titles", "supervises")
PAIR_COLUMNS = ("id", "mentor", "mentee", "start", "end")


def load_posts(session, person_ids: Iterable[str]) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for chunk in chunks(sorted(set(person_ids)), IN_CHUNK):
        for row in session.execute(select(*columns(PostRow, POST_COLUMNS)).where(PostRow.person.in_(chunk))
                                   .order_by(PostRow.person, PostRow.start)):
            out[row.person].append(post_from_row(row))
    return out


def save_posts(session, closed: list, new: list) -> None:
    """Closed or replaced posts are updated (their ``end``, or their content when replaced on
    the same start); new ones inserted."""
    for post in closed:
        session.execute(delete(PostRow).where(PostRow.person == post.person,
                                              PostRow.start == post.start))
    rows = [post_values(p) for p in closed if all(p.start != n.start for n in new)] +\
        [post_values(p) for p in new]
    if rows:
        session.execute(insert(PostRow), rows)


def ids_on(session, unit_ids: Iterable[str], day: date, after: str | None = None,
           limit: int | None = None) -> list[str]:
    """People whose post on ``day`` is in one of ``unit_ids`` (SPEC §9: as the roster was), in id
    order; with ``after``/``limit``: only the first ``limit`` ids after ``after`` (a keyed read,
    :mod:`shared.keyset`)."""
    from shared.keyset import code_point

    person = code_point(PostRow.person, session)
    out = set()
    for chunk in chunks(sorted(set(unit_ids)), IN_CHUNK):
        stmt = select(person).where(PostRow.unit.in_(chunk), PostRow.start <= day,
                                            or_(PostRow.end.is_(None), PostRow.end >= day))
        if after is not None:
            stmt = stmt.where(person > after)
        if limit is not None:
            stmt = stmt.distinct().order_by(person).limit(limit)
        out.update(session.scalars(stmt))
    return sorted(out)[:limit] if limit is not None else sorted(out)


def staff_as_of(session, ids: Iterable[str], day: date) -> dict[str, Staff]:
    """The people as they were on ``day`` (their post then)."""
    people = load_staff(session, ids)
    posts = load_posts(session, people)
    return {pid: history_rules.staff_on(s, posts.get(pid, []), day) for pid, s in people.items()}


def load_units(session, day: date | None = None) -> dict[str, Unit]:
    """The unit tree as it was on ``day`` (default today; SPEC §9)."""
    return load_tree(session).on(day or date.today())


def load_person(session, person_id: str, field: str = "person") -> Staff:
    row = session.get(StaffRow, person_id)
    if row is None:
        raise NotFound(f"unknown person {person_id!r}", field)
    return staff_from_row(row)


def load_spells(session, person_ids: Iterable[str] | None = None, kinds=None) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    base = select(SpellRow)
    if kinds is not None:
        base = base.where(SpellRow.kind.in_(kinds))
    if person_ids is None:
        batches = [base]
    else:
        ids = sorted(set(person_ids))
        batches = [base.where(SpellRow.person.in_(chunk)) for chunk in chunks(ids, IN_CHUNK)]
    for stmt in batches:
        for row in session.scalars(stmt.order_by(SpellRow.start)):
            out[row.person].append(spell_from_row(row))
    return out


def load_staff(session, ids: Iterable[str]) -> dict[str, Staff]:
    out = {}
    for chunk in chunks(sorted(set(ids)), IN_CHUNK):
        for row in session.execute(select(*columns(StaffRow, STAFF_COLUMNS)).where(StaffRow.id.in_(chunk))):
            out[row.id] = staff_from_row(row)
    return out


def pairs_of(session, person: str, as_mentor=True, as_mentee=True) -> list[Pair]:
    conds = []
    if as_mentor:
        conds.append(PairRow.mentor == person)
    if as_mentee:
        conds.append(PairRow.mentee == person)
    return [pair_from_row(r) for r in session.scalars(select(PairRow).where(or_(*conds))
                                               .order_by(PairRow.start))]


class Statuses:
    """Staff and spells loaded on demand, answering the domain's per-person questions."""

    def __init__(self, session, people: dict | None = None, spells: dict | None = None):
        self.session = session
        self.people = dict(people or {})
        self.spells = dict(spells or {})

    def _ensure(self, ids: Iterable[str]) -> None:
        missing = [i for i in ids if i not in self.people]
        if missing:
            self.people.update(load_staff(self.session, missing))
        need = [i for i in ids if i not in self.spells]
        if need:
            loaded = load_spells(self.session, need)
            for i in need:
                self.spells[i] = loaded.get(i, [])

    def mentor_counts(self, pid: str, day: date) -> bool:
        self._ensure([pid])
        person = self.people.get(pid)
        return person is not None and spell_rules.can_mentor_on(person, self.spells[pid], day)

    def on_team(self, pid: str, day: date) -> bool:
        self._ensure([pid])
        person = self.people.get(pid)
        return person is not None and spell_rules.on_team(person, self.spells[pid], day)

    def preload(self, ids: Iterable[str]) -> None:
        self._ensure(list(set(ids)))


def mentor_map(session, mentee_ids: list[str], day: date, statuses: Statuses) -> dict[str, str]:
    """mentee → effective mentor on ``day``, for many mentees at once."""
    pairs = []
    for chunk in chunks(sorted(set(mentee_ids)), IN_CHUNK):
        stmt = select(*columns(PairRow, PAIR_COLUMNS)).where(PairRow.mentee.in_(chunk), PairRow.start <= day,
                                                             or_(PairRow.end.is_(None), PairRow.end >= day))
        pairs.extend(pair_from_row(r) for r in session.execute(stmt))
    statuses.preload(p.mentor for p in pairs)
    return {p.mentee: p.mentor for p in pairs if statuses.mentor_counts(p.mentor, day)}


#: per database (engine): (stamp, tree) of the tree this process read last
_TREES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
TREE_WRITTEN = "roster.tree_written"


def load_tree(session) -> tree_rules.Tree:
    """The unit tree through time (SPEC §9): every version of every unit.

    The stamp is read first, then the versions: a tree kept under a stamp is never older than the
    stamp says.  A transaction that has changed the tree itself reads it whole and keeps nothing (its
    change may yet be rolled back)."""
    if session.info.get(TREE_WRITTEN):
        return _read_tree(session)
    engine = session.get_bind()
    stamp = session.scalar(select(TreeStampRow.stamp).where(TreeStampRow.id == 1))
    kept = _TREES.get(engine)
    if stamp is not None and kept is not None and kept[0] == stamp:
        return kept[1]
    tree = _read_tree(session)
    if stamp is not None:
        _TREES[engine] = (stamp, tree)
    return tree


def _read_tree(session) -> tree_rules.Tree:
    return tree_rules.Tree(version_from_row(r) for r in session.scalars(select(UnitVersionRow)))


def tree_under(uow, stamp: str | None) -> tree_rules.Tree:
    """The unit tree kept under ``stamp`` (read by the caller *before* this: a tree kept under a
    stamp is never older than the stamp says), else read whole through ``uow.read`` and kept; as
    :func:`load_tree`, for a read that has its stamp already (:func:`person_record`)."""
    if uow._session is not None and uow._session.info.get(TREE_WRITTEN):
        return _read_tree(uow._session)
    engine = uow.engine
    kept = _TREES.get(engine)
    if stamp is not None and kept is not None and kept[0] == stamp:
        return kept[1]
    tree = tree_rules.Tree(version_from_row(r) for r in uow.read(_ALL_VERSIONS))
    if stamp is not None:
        _TREES[engine] = (stamp, tree)
    return tree


_ALL_VERSIONS = select(UnitVersionRow)
_POSTS_SINCE = (select(func.max(PostRow.start)).where(PostRow.person == StaffRow.id)
                .correlate(StaffRow).scalar_subquery())
_TREE_STAMP = select(TreeStampRow.stamp).where(TreeStampRow.id == 1).scalar_subquery()
#: a person's record, the first day of their latest post and the tree's stamp: one statement, one
#: round trip (three before: the ORM's ``get``, the posts, the stamp), built once
_PERSON_RECORD = select(*columns(StaffRow, STAFF_COLUMNS), _POSTS_SINCE.label("since"),
                        _TREE_STAMP.label("stamp")).where(StaffRow.id == bindparam("person"))


def person_record(uow, person_id: str, field: str = "person") -> tuple[Staff, date | None, str | None]:
    """``(the person, the first day of their latest post or None, the tree's stamp)`` in one
    statement; :class:`NotFound` naming ``field`` for an unknown person."""
    rows = uow.read(_PERSON_RECORD, {"person": person_id})
    if not rows:
        raise NotFound(f"unknown person {person_id!r}", field)
    row = rows[0]
    return staff_from_row(row), row.since, row.stamp


def save_versions(session, closed: list, opened: list) -> None:
    """Closed or replaced versions are rewritten (their ``end``, or their content when replaced on
    the same start); opened ones inserted."""
    for v in closed:
        session.execute(delete(UnitVersionRow).where(UnitVersionRow.id == v.id,
                                                     UnitVersionRow.start == v.start))
    rows = [version_values(v) for v in closed
            if all((v.id, v.start) != (n.id, n.start) for n in opened)] +\
        [version_values(v) for v in opened]
    if rows:
        session.execute(insert(UnitVersionRow), rows)
    if rows or closed:
        session.info[TREE_WRITTEN] = True
        session.execute(update(TreeStampRow).where(TreeStampRow.id == 1).values(stamp=new_id()))

def load_facts(session, year=None, agency=None, kind=None) -> list:
    q = select(DisciplineFactRow).order_by(DisciplineFactRow.occurred_on, DisciplineFactRow.id)
    if year is not None:
        q = q.where(DisciplineFactRow.year == year)
    if agency is not None:
        q = q.where(DisciplineFactRow.agency == agency)
    if kind is not None:
        q = q.where(DisciplineFactRow.kind == kind)
    return [fact_from_row(r) for r in session.scalars(q)]
