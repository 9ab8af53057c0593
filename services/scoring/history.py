"""Scoring's dated read model of the roster (SPEC §9, issue 27): posts, mentoring pairs and
evaluators through time, learnt from the roster's events, and the questions "who was who on that
date" the workflow, the ranking, the targets and the ratings ask of them.

Application layer (loads rows, calls :mod:`services.scoring.domain.asof`); no rules here.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date
from typing import NamedTuple

from sqlalchemy import and_, bindparam, delete, exists, false, insert, literal, or_, select, union, update

from shared.dated import EARLIEST    # the roster's "as far back as it goes" (a unit without a date)
from shared.errors import NotFound
from services.scoring import models
from services.scoring.domain import asof
from services.scoring.domain import workflow

CHUNK = 5000
LEADING = ("head", "leader")
EXITS = ("transferred_out", "dismissed")


def _split(text):
    return tuple(t for t in (text or "").split(";") if t)


def _chunks(ids):
    ids = sorted(set(i for i in ids if i))
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


# -- events from the roster -------------------------------------------------------------------
def staff_rows(s, ids) -> tuple:
    """What :func:`services.scoring.read_model.on_staff` reads of ``ids`` at once: ``({person:
    Person}, {person: {start: PersonPost}}, {person: the mentor of the latest open pair}``
    (:data:`SET_MENTOR_NOW`)."""
    people, posts, mentors = {}, defaultdict(dict), {}
    M = models.MentorSpan
    for chunk in _chunks(ids):
        people.update((p.id, p) for p in s.scalars(select(models.Person).where(models.Person.id.in_(chunk))))
        for r in s.scalars(select(models.PersonPost).where(models.PersonPost.person.in_(chunk))):
            posts[r.person][r.start] = r
        for mentee, mentor in s.execute(select(M.mentee, M.mentor).where(
                M.mentee.in_(chunk), M.end.is_(None), M.cancelled.is_(False)).order_by(M.start)):
            mentors[mentee] = mentor
    return people, posts, mentors


def put_post(s, posts: dict, person: str, start: date, agency: str, section, position: str,
             supervises=()) -> None:
    """A post from ``start``, on rows read by :func:`staff_rows` (``posts`` kept up to date).
    Events of one person may come in any order: each post is keyed by its start, so the history
    is the same whatever the order."""
    cur = posts[person].get(start)
    values = dict(agency=agency, section=section, position=position,
                  supervises=";".join(sorted(supervises or ())))
    if cur is None:
        posts[person][start] = models.PersonPost(person=person, start=start, **values)
        s.add(posts[person][start])
    else:
        for k, v in values.items():
            setattr(cur, k, v)


def save_unit_version(s, unit: dict) -> None:
    """A version of a unit from the roster's ``units_saved`` (``since`` absent: an event from
    before the tree was dated, taken as the unit since always). Keyed by unit and ``since``, so
    the history is the same whatever order the events come in."""
    since = unit.get("since") or EARLIEST
    values = dict(until=unit.get("until"), kind=unit["kind"], parent=unit.get("parent"),
                  agency=unit.get("agency") or unit["id"], name=unit.get("name"))
    cur = s.get(models.UnitVersion, (unit["id"], since))
    if cur is None:
        s.add(models.UnitVersion(id=unit["id"], since=since, **values))
    else:
        for k, v in values.items():
            setattr(cur, k, v)
    s.flush()


def load_unit(s, unit: dict, effective: date | None = None) -> str:
    """A unit loaded into the read model (``save_units``, a bulk load), dated like a change of the
    roster's tree (:func:`asof.load_version`): "created", "changed" or "unchanged"."""
    rows = {r.since: r for r in s.scalars(select(models.UnitVersion)
                                          .where(models.UnitVersion.id == unit["id"]))}
    versions = [asof.UnitVersion(r.id, r.since, r.until, r.kind, r.parent, r.agency, r.name)
                for r in rows.values()]
    new = asof.UnitVersion(unit["id"], EARLIEST, None, unit["kind"], unit.get("parent"),
                           unit["agency"], unit.get("name"))
    closed, opened = asof.load_version(versions, new, effective)
    for v in closed:
        row = rows[v.since]
        if opened and opened[0].since == v.since:
            s.delete(row)
            s.flush()
        else:
            row.until = v.until
    for v in opened:
        s.add(models.UnitVersion(id=v.id, since=v.since, until=v.until, kind=v.kind,
                                 parent=v.parent, agency=v.agency, name=v.name))
    if not opened:
        return "unchanged"
    return "created" if not versions else "changed"


def units_on(s, day: date, kind: str | None = None) -> dict:
    """``{unit: asof.UnitVersion}`` of the tree on ``day`` (SPEC §9), with the read model's own
    evaluator of a unit where one was loaded."""
    V = models.UnitVersion
    q = select(V.id, V.since, V.until, V.kind, V.parent, V.agency, V.name)     # rows, not objects
    if kind is not None:
        q = q.where(V.kind == kind)
    versions: dict = defaultdict(list)
    for r in s.execute(q):
        versions[r[0]].append(asof.UnitVersion(*r))
    tree = asof.tree_on(versions, day)
    evaluators = dict(s.execute(select(models.Unit.id, models.Unit.evaluator)
                                .where(models.Unit.evaluator.is_not(None))).all())
    return {uid: (replace(v, evaluator=evaluators[uid]) if uid in evaluators else v)
            for uid, v in tree.items()}


def sections_of_body(s, evaluator: str, day: date) -> dict:
    """``{section: asof.UnitVersion}`` of the sections whose body (:attr:`asof.UnitVersion.body`)
    is ``evaluator`` on ``day``: the same answer as ``units_on(s, day, "section")`` filtered on
    the body, read for the body's candidates only (a section with a version of ``evaluator``'s
    agency, or whose read model's evaluator is ``evaluator``), not the whole city's tree."""
    V, U = models.UnitVersion.__table__.c, models.Unit.__table__.c     # Core: no ORM row loading
    candidates = union(select(V.id).where(V.kind == "section", V.agency == evaluator),
                       select(U.id).where(U.evaluator == evaluator))
    versions: dict = defaultdict(list)
    for r in s.execute(select(V.id, V.since, V.until, V.kind, V.parent, V.agency, V.name)
                       .where(V.kind == "section", V.id.in_(candidates))):
        versions[r[0]].append(asof.UnitVersion(*r))
    evaluators = dict(s.execute(select(U.id, U.evaluator).where(
        U.evaluator.is_not(None), U.id.in_(candidates))).all())
    out = {}
    for uid, v in asof.tree_on(versions, day).items():
        if uid in evaluators:
            v = replace(v, evaluator=evaluators[uid])
        if v.body == evaluator:
            out[uid] = v
    return out


def unit_versions_of(s, ids) -> dict:
    """``{unit: ([asof.UnitVersion], evaluator or None)}`` of ``ids`` (each of them, known or
    not), read at once: what :func:`version_on` needs."""
    V = models.UnitVersion
    out = {uid: ([], None) for uid in set(ids)}
    for chunk in _chunks(ids):
        for r in s.execute(select(V.id, V.since, V.until, V.kind, V.parent, V.agency, V.name)
                           .where(V.id.in_(chunk))):
            out[r[0]][0].append(asof.UnitVersion(*r))
        for uid, evaluator in s.execute(select(models.Unit.id, models.Unit.evaluator)
                                        .where(models.Unit.id.in_(chunk))):
            out[uid] = (out[uid][0], evaluator)
    return out


def version_on(versions, evaluator, day: date):
    """The unit of ``versions`` as it was on ``day`` with the read model's evaluator if one was
    loaded (None: it did not exist then)."""
    version = asof.unit_on(versions, day)
    if version is None:
        return None
    return replace(version, evaluator=evaluator) if evaluator else version


def unit_on(s, uid: str, day: date):
    """One unit as it was on ``day`` (None: it did not exist then)."""
    versions, evaluator = unit_versions_of(s, [uid])[uid]
    return version_on(versions, evaluator, day)


def unit_names_on(s, ids, day: date) -> dict:
    """``{unit: name}`` of the units among ``ids`` as named on ``day`` (:func:`asof.name_on`);
    a unit without a named version: its latest name in ``units``."""
    versions: dict = defaultdict(list)
    latest: dict = {}
    for chunk in _chunks(ids):
        for r in s.scalars(select(models.UnitVersion).where(models.UnitVersion.id.in_(chunk))):
            versions[r.id].append(asof.UnitVersion(r.id, r.since, r.until, r.kind, r.parent,
                                                   r.agency, r.name))
        latest.update(s.execute(select(models.Unit.id, models.Unit.name)
                                .where(models.Unit.id.in_(chunk))).all())
    out = {}
    for uid in set(versions) | set(latest):
        name = asof.name_on(versions.get(uid, ()), day) or latest.get(uid)
        if name:
            out[uid] = name
    return out


def latest_unit(s, uid: str):
    """The unit's latest version in the read model (None: unknown)."""
    s.flush()
    return s.scalars(select(models.UnitVersion).where(models.UnitVersion.id == uid)
                     .order_by(models.UnitVersion.since.desc()).limit(1)).first()


def _add_pair_statement():
    M = models.MentorSpan.__table__
    row = select(bindparam("pair_id", type_=M.c.pair_id.type), bindparam("mentor", type_=M.c.mentor.type),
                 bindparam("mentee", type_=M.c.mentee.type), bindparam("start", type_=M.c.start.type),
                 bindparam("end", type_=M.c.end.type), false())
    return M.insert().from_select(["pair_id", "mentor", "mentee", "start", "end", "cancelled"], row.where(
        ~exists().where(M.c.pair_id == bindparam("pair_id"))))


#: a pair as the roster assigned it, unless its id is there already (an unassignment that came
#: first keeps its end): one statement built once, for ten thousand pair events (#24 item 5)
ADD_PAIR = _add_pair_statement()


def pair_assigned(s, event) -> None:
    s.flush()             # what the session holds goes first (a pair it added, say)
    s.execute(ADD_PAIR, {"pair_id": event["pair_id"], "mentor": event["mentor"], "mentee": event["mentee"],
                         "start": event["start"], "end": event.get("end")})


def pairs_assigned(s, pairs) -> None:
    """:func:`pair_assigned` of each pair, in one executemany of the same statement."""
    s.flush()
    s.execute(ADD_PAIR, [{"pair_id": p["pair_id"], "mentor": p["mentor"], "mentee": p["mentee"],
                          "start": p["start"], "end": p.get("end")} for p in pairs])


def pair_unassigned(s, event) -> None:
    end = event.get("end")
    cur = s.get(models.MentorSpan, event["pair_id"])
    if cur is None:
        cur = models.MentorSpan(pair_id=event["pair_id"], mentor=event["mentor"],
                                mentee=event["mentee"], start=event["start"], cancelled=False)
        s.add(cur)
    if end is None:
        cur.cancelled = True
    else:
        cur.end = end
    s.flush()


def _current_mentor_query():
    M = models.MentorSpan
    return (select(M.mentor).where(M.mentee == bindparam("mentee"), M.end.is_(None), M.cancelled.is_(False))
            .order_by(M.start.desc()).limit(1).scalar_subquery())


#: the mentor of the latest open pair of ``mentee`` (the read model's ``people.mentor``; null when
#: there is none) set on the person's row, built once (a pair event's handler runs it ten thousand
#: times at the demo's size; SQLAlchemy reuses its compiled form): ``s.execute(SET_MENTOR_NOW,
#: {"mentee": ...})``
SET_MENTOR_NOW = (update(models.Person.__table__).where(models.Person.__table__.c.id == bindparam("mentee"))
                  .values(mentor=_current_mentor_query()))


def evaluators_resolved(s, event) -> int:
    """The roster's whole evaluator timeline of each person; an older answer never replaces a
    newer one (events may overtake each other)."""
    stamp = event["resolved_at"]
    people = event.get("people") or []
    ids = [p["person"] for p in people]
    stored = {}
    for chunk in _chunks(ids):
        for pid, at in s.execute(select(models.EvaluatorSpan.person, models.EvaluatorSpan.resolved_at)
                                 .where(models.EvaluatorSpan.person.in_(chunk))):
            stored[pid] = max(stored.get(pid, ""), at)
    fresh = [p for p in people if stored.get(p["person"], "") <= stamp]
    for chunk in _chunks([p["person"] for p in fresh]):
        s.execute(delete(models.EvaluatorSpan).where(models.EvaluatorSpan.person.in_(chunk)))
    rows = [dict(person=p["person"], start=x["start"], end=x.get("end"), grp=x["group"],
                 rule=x["rule"], resolved_at=stamp) for p in fresh for x in p["spans"]]
    if rows:
        s.execute(insert(models.EvaluatorSpan), rows)
    s.flush()
    return len(fresh)


def seed(s, pid: str, values: dict) -> None:
    """``upsert_people`` (a bulk load of the read model, e.g. from a roster export): the post and
    mentor given, from the join date; the evaluator by default (the agency's leading group) unless
    the roster has resolved it already."""
    joined = values["joined"]
    s.execute(delete(models.PersonPost).where(models.PersonPost.person == pid))
    s.execute(insert(models.PersonPost), [dict(person=pid, start=joined, agency=values["agency"],
                                          section=values.get("section"),
                                          position=values["position"],
                                          supervises=";".join(sorted(values.get("supervises")
                                                                     or ())))])
    s.execute(delete(models.MentorSpan).where(models.MentorSpan.pair_id == f"seed:{pid}"))
    if values.get("mentor"):
        s.execute(insert(models.MentorSpan), [dict(pair_id=f"seed:{pid}", mentor=values["mentor"],
                                              mentee=pid, start=joined, end=None,
                                              cancelled=False)])
    # the evaluator: the agency's leading group from the join date until the roster resolves it
    # (its ``evaluators_resolved`` answers, stamped, are never replaced by a load)
    s.execute(delete(models.EvaluatorSpan).where(models.EvaluatorSpan.person == pid,
                                                 models.EvaluatorSpan.resolved_at == ""))
    resolved = s.scalars(select(models.EvaluatorSpan.person).where(models.EvaluatorSpan.person == pid)
                         .limit(1)).first()
    if resolved is None:
        s.execute(insert(models.EvaluatorSpan), [dict(person=pid, start=joined, end=None,
                                                 grp=values["evaluator"], rule="default",
                                                 resolved_at="")])


# -- questions ---------------------------------------------------------------------------------
class PersonRow(NamedTuple):
    """What the questions read of a person's row in ``people``."""
    id: str
    agency: str | None
    section: str | None
    position: str
    joined: date
    left_on: date | None


def _people_statements():
    # the tables' columns (a Core select: rows as the cursor gives them, without the ORM's row
    # loading; the session flushes pending changes first for it as for an ORM select), their rows
    # fetched at once (``.all()``: iterating a result fetches row by row)
    M, E, PP, P, S = (m.__table__.c for m in (models.MentorSpan, models.EvaluatorSpan, models.PersonPost,
                                              models.Person, models.Spell))
    ids = bindparam("ids", expanding=True)
    return (select(M.mentee, M.start, M.end, M.mentor).where(M.mentee.in_(ids), M.cancelled.is_(False)),
            select(E.person, E.start, E.end, E.grp, E.rule).where(E.person.in_(ids)),
            select(PP.person, PP.start, PP.agency, PP.section, PP.position, PP.supervises)
            .where(PP.person.in_(ids)),
            select(P.id, P.agency, P.section, P.position, P.joined, P.left_on).where(P.id.in_(ids)),
            select(S.person, S.start, S.end).where(S.person.in_(ids), S.kind.in_(EXITS)))


#: what :class:`History` reads of a chunk of people (``{"ids": [...]}``): built once at import (the
#: same SQL as built per call; SQLAlchemy reuses the compiled form: a one-person read, as every
#: posting, filing and ranking makes of its actor, was half statement building, #24 item 5)
_MENTORS_OF, _EVALUATORS_OF, _POSTS_OF, _PEOPLE_ROWS, _EXITS_OF = _people_statements()


class History:
    """The dated read model of many people at once (a batch loads each person once)."""

    def __init__(self, s):
        self.s = s
        self.people: dict = {}
        self.posts: dict = defaultdict(list)
        self.mentors: dict = defaultdict(list)
        self.evaluators: dict = defaultdict(list)
        self.exits: dict = defaultdict(list)
        self.loaded: set = set()
        self.team_loaded: set = set()   # people whose row and exits are read (:meth:`load_team`)
        self.posts_loaded: set = set()  # ... and their posts (:meth:`load_posts`)
        self.candidates: dict = {}      # (section, position) -> people ever posted there
        self.supervisor_candidates: dict = {}   # (section, agency) -> :meth:`load_supervisors`

    def load(self, ids) -> None:
        need = [i for i in set(ids) if i and i not in self.loaded]
        if not need:
            return
        s = self.s
        self.load_posts(need)
        # rows as plain tuples, not ORM objects (a batch reads thousands of people)
        for chunk in _chunks(need):
            for mentee, start, end, mentor in s.execute(_MENTORS_OF, {"ids": chunk}).all():
                self.mentors[mentee].append(asof.Span(start, end, mentor))
            for person, start, end, grp, rule in s.execute(_EVALUATORS_OF, {"ids": chunk}).all():
                self.evaluators[person].append(asof.Span(start, end, grp, rule))
        self.loaded.update(need)

    def load_posts(self, ids) -> None:
        """The people's posts, rows and exits (part of :meth:`load`): what :meth:`post` asks
        (the ranking needs no more of a whole body)."""
        need = [i for i in set(ids) if i and i not in self.posts_loaded]
        if not need:
            return
        for chunk in _chunks(need):
            for person, start, agency, section, position, supervises in self.s.execute(
                    _POSTS_OF, {"ids": chunk}).all():
                self.posts[person].append(asof.Post(start, agency, section, position, _split(supervises)))
        self.load_team(need)
        self.posts_loaded.update(need)

    def load_team(self, ids) -> None:
        """The people's rows and exits only: what :meth:`on_team` asks (part of :meth:`load`;
        :func:`due_of_body` needs no more of a whole body)."""
        need = [i for i in set(ids) if i and i not in self.team_loaded]
        if not need:
            return
        s = self.s
        for chunk in _chunks(need):
            for r in s.execute(_PEOPLE_ROWS, {"ids": chunk}).all():
                self.people[r.id] = PersonRow(*r)
            for person, start, end in s.execute(_EXITS_OF, {"ids": chunk}).all():
                self.exits[person].append((start, end))
        for pid in need:
            p = self.people.get(pid)
            if p is not None and p.left_on is not None and \
                    not any(start == p.left_on for start, _ in self.exits[pid]):
                self.exits[pid].append((p.left_on, None))
        self.team_loaded.update(need)

    def known(self, pid) -> bool:
        self.load([pid])
        return pid in self.people or bool(self.posts.get(pid))

    def post(self, pid, day: date):
        self.load_posts([pid])
        post = asof.post_on(self.posts.get(pid, ()), day)
        if post is None:
            p = self.people.get(pid)
            if p is None:
                return None
            post = asof.Post(p.joined, p.agency, p.section, p.position)
        return post

    def mentor(self, pid, day: date):
        self.load([pid])
        span = asof.span_on(self.mentors.get(pid, ()), day)
        return span.value if span else None

    def on_team(self, pid, day: date) -> bool:
        self.load([pid])
        return self.team_on(pid, day)

    def team_on(self, pid, day: date) -> bool:
        """:meth:`on_team` on what :meth:`load_team` read."""
        self.load_team([pid])
        p = self.people.get(pid)
        joined = p.joined if p is not None else None
        return asof.on_team(joined, self.exits.get(pid, ()), day)

    def month_evaluator(self, pid, month: str):
        self.load([pid])
        p = self.people.get(pid)
        return asof.month_evaluator(self.evaluators.get(pid, ()), month,
                                    p.joined if p is not None else None, self.exits.get(pid, ()),
                                    pid)

    def person(self, pid, day: date, month: str | None = None):
        """What the workflow needs of a person on ``day``: post, mentor (and the evaluator of
        ``month`` if given); None when unknown."""
        if not self.known(pid):
            return None
        post = self.post(pid, day)
        evaluator = None
        if month is not None:
            evaluator = self.month_evaluator(pid, month).value
        return workflow.Person(pid, post.agency if post else None, post.section if post else None,
                               post.position if post else None, self.mentor(pid, day), evaluator)

    def members(self, group: str, day: date) -> set:
        """The leading group (领导小组) of ``group`` on ``day``: its head and leaders then."""
        ids = set(self.s.scalars(select(models.PersonPost.person).where(
            models.PersonPost.agency == group, models.PersonPost.position.in_(LEADING))))
        self.load(ids)
        out = set()
        for pid in ids:
            post = self.post(pid, day)
            if post and post.agency == group and post.position in LEADING \
                    and self.on_team(pid, day):
                out.add(pid)
        return out

    def load_sections(self, sections, position: str) -> None:
        """:meth:`section_people`'s candidates of many sections read at once (a batch's
        sections: one query and one :meth:`load` for all, not one of each a section)."""
        PP = models.PersonPost
        found: dict = defaultdict(set)
        for chunk in _chunks(sections):
            for section, pid in self.s.execute(select(PP.section, PP.person).where(
                    PP.section.in_(chunk), PP.position == position)):
                found[section].add(pid)
            for section in chunk:
                self.candidates[(section, position)] = found.get(section, set())
        self.load(set().union(*found.values()) if found else ())

    def section_people(self, section: str, day: date, position: str) -> list:
        """People of ``position`` in ``section`` on ``day``."""
        ids = self.candidates.get((section, position))
        if ids is None:
            ids = set(self.s.scalars(select(models.PersonPost.person).where(
                models.PersonPost.section == section, models.PersonPost.position == position)))
        self.load(ids)
        out = []
        for pid in sorted(ids):
            post = self.post(pid, day)
            if post and post.section == section and post.position == position \
                    and self.on_team(pid, day):
                out.append(pid)
        return out

    def load_supervisors(self, wanted) -> None:
        """:meth:`section_supervisors`' candidates of many ``(section, agency)`` at once (a batch's
        sections, each with its agency on the day: one of its versions' agencies): one query for
        all, not one a section. The same LIKE, joined to the sections' versions."""
        wanted = {(sec, agency) for sec, agency in wanted if sec and agency
                  and (sec, agency) not in self.supervisor_candidates}
        if not wanted:
            return
        PP, V = models.PersonPost, models.UnitVersion
        found: dict = defaultdict(set)
        for chunk in _chunks(sec for sec, _ in wanted):
            for sec, agency, pid in self.s.execute(
                    select(V.id, PP.agency, PP.person).distinct().join(V, and_(
                        PP.agency == V.agency, PP.supervises.like(literal("%").concat(V.id).concat("%"))))
                    .where(V.id.in_(chunk), PP.position == "leader")):
                found[(sec, agency)].add(pid)
        for key in wanted:
            self.supervisor_candidates[key] = found.get(key, set())
        self.load(set().union(*(found[key] for key in wanted if key in found)))

    def section_supervisors(self, section: str, agency: str, day: date) -> list:
        """The leaders supervising ``section`` on ``day`` (分管领导)."""
        ids = self.supervisor_candidates.get((section, agency))
        if ids is None:
            ids = set(self.s.scalars(select(models.PersonPost.person).where(
                models.PersonPost.agency == agency, models.PersonPost.position == "leader",
                models.PersonPost.supervises.like(f"%{section}%"))))
        self.load(ids)
        posts = {pid: self.post(pid, day) for pid in ids if self.on_team(pid, day)}
        return asof.section_supervisors({k: v for k, v in posts.items() if v}, section)


def require_known(hist: History, pid: str, field: str = "subject"):
    if not hist.known(pid):
        raise NotFound(f"no person {pid} in the roster read model", field)


def posts_changed_after(s, day: date) -> set:
    """People with a post starting after ``day`` (their current post is not the one of ``day``)."""
    return set(s.scalars(select(models.PersonPost.person).where(models.PersonPost.start > day)))


def mentors_on(s, day: date) -> dict:
    """mentee → mentor of the pair covering ``day``."""
    out = {}
    for mentee, mentor, start in s.execute(select(
            models.MentorSpan.mentee, models.MentorSpan.mentor, models.MentorSpan.start).where(
            models.MentorSpan.cancelled.is_(False), models.MentorSpan.start <= day,
            or_(models.MentorSpan.end.is_(None), models.MentorSpan.end >= day))
            .order_by(models.MentorSpan.start)):
        out[mentee] = mentor
    return out


def evaluators_on(s, day: date) -> dict:
    """person → evaluator group on ``day`` (the roster's answer)."""
    out = {}
    for pid, grp in s.execute(select(models.EvaluatorSpan.person, models.EvaluatorSpan.grp).where(
            models.EvaluatorSpan.start <= day,
            or_(models.EvaluatorSpan.end.is_(None), models.EvaluatorSpan.end >= day))
            .order_by(models.EvaluatorSpan.start)):
        out[pid] = grp
    return out


def exits_covering(s, day: date) -> set:
    """People off the team on ``day``: an exit spell covering it, or ``left_on`` (the open exit)
    on or before it."""
    out = set(s.scalars(select(models.Spell.person).where(
        models.Spell.kind.in_(EXITS), models.Spell.start <= day,
        or_(models.Spell.end.is_(None), models.Spell.end >= day))))
    out.update(s.scalars(select(models.Person.id).where(models.Person.left_on <= day)))
    return out


def due_of_body(s, evaluator: str, month: str, have=frozenset()) -> set:
    """``(kind, subject)`` due an evaluation of ``month`` by ``evaluator``: the people whose
    evaluator it is on the month's last day and who are on the team that day, and its sections.
    Officers among ``have`` (``(kind, subject)`` pairs the caller subtracts from the answer) are
    left out unread: whether they were on the team changes nothing of ``due - have``."""
    last = asof.month_last_day(month)
    ids = set(s.scalars(select(models.EvaluatorSpan.person).where(
        models.EvaluatorSpan.grp == evaluator, models.EvaluatorSpan.start <= last,
        or_(models.EvaluatorSpan.end.is_(None), models.EvaluatorSpan.end >= last))))
    if have:
        ids = {pid for pid in ids if ("officer", pid) not in have}
    hist = History(s)
    hist.load_team(ids)
    out = {("officer", pid) for pid in ids if hist.team_on(pid, last)}
    out.update(("section", uid) for uid in sections_of_body(s, evaluator, last))  # on the month's last day
    return out


def skipped_items(s, evaluator: str, month: str, needed: tuple, done: tuple) -> list:
    """Item by item, what a step of ``evaluator``'s ``month`` (posting, filing) could not take:
    evaluations in a state before ``needed``, and subjects due with no evaluation at all."""
    rows = s.execute(select(models.Evaluation.kind, models.Evaluation.subject, models.Evaluation.state).where(
        models.Evaluation.evaluator == evaluator, models.Evaluation.month == month)).all()
    have = {(k, subj) for k, subj, _ in rows}
    out = [{"kind": k, "subject": subj, "state": st,
            "reason": f"{st}: needs {' or '.join(needed)}"}
           for k, subj, st in sorted(rows) if st not in needed and st not in done]
    out += [{"kind": k, "subject": subj, "state": "missing",
             "reason": "no self-assessment of the month"}
            for k, subj in sorted(due_of_body(s, evaluator, month, have) - have)]   # the team of the missing only
    return out
