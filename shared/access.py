"""The policy table, enforced: may this verified actor make this call? (issue 18 item 2, SPEC §8)

One decision for every RPC of every service, taken by the suite's RPC entry point
(:class:`shared.entrypoints.SuiteRpc`) after the actor is verified and before the idempotency recall
or any worker: :func:`decide`.  It reads the row of ``<service>.<method>`` in
:mod:`shared.policy` (an RPC missing from the table is refused: deny by default) and decides by the
actor's kind:

* ``operator`` — the role ``operator``;
* ``public``   — the role ``public`` (the gateway's public pages): only the rows naming it, reads
  included; no units (what the page may touch is the domain's: a notice on notice that day, an open
  campaign);
* ``service``  — the role ``service:<name>`` (the calling service signs as itself);
* ``system`` / ``persons`` — the role ``system`` / ``persons``, and what the call is about (the row's
  scope: unit, person, campaign paths into the payload, or the whole city) must lie within the
  actor's units (a person is placed by his post on the day; for a read, one with none that day, who
  has left or is not posted yet, by his last post before it, else his first after it) (a unit lies within them when it, or a unit above it, is one of them); a ``persons``
  system also covers the person it acts for (the payload's ``actor``s);
* ``person``   — the person's roles **from the service's own read model on the day of the act**
  (officer, chief, leader, head of an agency; a committee's leaders and head are committee members,
  its other staff the committee's office; auditors named by config ``AUDITORS``), each covering the
  person's agency (or committee) and every unit below it; a read is judged by today's roles (it is
  done today, whatever day it asks about; a read of :data:`BOTH_DAYS` dated to another day is judged
  on that day and today, a read about oneself included; one of :data:`DATED_CITY` dated to another
  day is about the whole city; a read about a person the service places in no unit, with no post nor
  unit on his record, is the city's callers' and his own only); a person acts only as themself (every ``actor`` the
  payload names, also in its lists, is the person).

A READ row is open to every role, within its units; a WRITE row lists its roles.  Refusals are
:class:`~shared.errors.Forbidden` naming ``actor``, the message starting with the rule id
(:func:`shared.policy.check` words them).

What a service knows about people, units and campaigns comes from a :class:`Resolver` its own
``access.py`` defines (``services/<svc>/access.py``, over the service's own tables): no service asks
another.  A service that knows nothing of a person gives him no role there.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from shared import policy
from shared.errors import Forbidden, NotFound
from shared.identity import ALL_UNITS, Actor
from shared.schemas import renamed

COMMITTEE = "committee"
#: position in an agency → role; in a committee the leading posts are members, the others its office
AGENCY_ROLES = {"officer": policy.OFFICER, "chief": policy.CHIEF, "leader": policy.LEADER,
                "head": policy.HEAD}
COMMITTEE_ROLES = {"officer": policy.COMMITTEE_OFFICE, "chief": policy.COMMITTEE_OFFICE,
                   "leader": policy.COMMITTEE_MEMBER, "head": policy.COMMITTEE_MEMBER}
DAY_FIELDS = ("as_of", "date", "day")
#: rows whose payload names, at these paths, whose own record it is: a person writes only their own
OWN = {"scoring.write_daily_logs": ("logs[].person",)}
MAX_DEPTH = 32
#: reads whose answer is today's rows whatever day they name (their ``as_of`` only says what is overdue):
#: judged on today's unit tree, so dating the call back never lends a unit that has moved away since
TODAY_TREE = frozenset({"scoring.overdue_evaluations", "scoring.unreviewed_logs", "scoring.followup_tasks"})
#: reads about a person whose answer is today's rows (the evaluations waiting now, the logs not reviewed
#: yet) while their ``as_of`` places him (his leading group, his mentees on that day): a call dated to
#: another day is judged on that day AND today, the person reading about himself included, so neither he
#: nor a caller of his former (or future) unit reads, by dating the call, what waits in a unit he has
#: left (or not joined yet); undated (today's) it is judged as any read about a person
BOTH_DAYS = frozenset({"scoring.waiting_for"})
#: reads listing the units under the one they name in the tree of their ``as_of``, with today's rows of
#: each (a committee's board: its agencies then, each with its latest rating; the owners' ``targets``:
#: the agencies under the committee then, or the agency named, with figures not all of that day, as the
#: survey's forms of closed campaigns still arriving and its officers counted in the agency of the
#: period's last day): dated to another day than today they are about the whole city (its callers only),
#: so a committee does not read, by dating the call back, an agency moved away since; of today, about the
#: unit named
DATED_CITY = frozenset({"scoring.committee_board", "roster.targets", "scoring.targets", "survey.targets",
                        "training.targets"})


class Resolver:
    """What one service knows (its own read model), through three lookups a service's
    ``access.py`` overrides; this base knows nothing (every lookup ``None``).  ``session`` is a
    short-lived SQLAlchemy session of the service's database (or None)."""

    def __init__(self, session=None):
        self.session = session
        self._units: dict = {}
        self._posts: dict = {}
        #: the day of the act (set by :func:`decide`): the unit tree is read as it was then
        self.day: dt.date | None = None

    # -- what a service overrides -----------------------------------------------------------------
    def unit(self, unit_id: str):
        """``(kind, parent)`` of a unit on :attr:`day` (its latest version when the service keeps
        no version of that day, or no day is set), or None when the service does not know it."""
        return None

    def post_of(self, person_id: str, day: dt.date):
        """``(agency, section or None, position)`` of the person's post on ``day``, or None."""
        return None

    def last_post_of(self, person_id: str, day: dt.date):
        """For a READ about a person who has no post on ``day`` (he has left, or his first post is
        later): ``(agency, section or None, position)`` of the post he held last before ``day``, else
        of his first post after it; None when the service knows no post of his.  Only the target of a
        read is placed so (:meth:`unit_of_target`); his own roles never (:meth:`roles_of`)."""
        return None

    def owner_of_campaign(self, campaign_id: str):
        """The unit owning a campaign, or None."""
        return None

    def unit_of_record(self, kind: str, record_id: str):
        """The unit a record of the service (a scope kind of its own: ``referral``, ``task``) is
        about, or None."""
        return None

    def evaluator_of(self, person_id: str, day: dt.date):
        """The body (a unit) that evaluates the person on ``day``, where the service knows it (M§五(二)3:
        a deputy-division unit's leaders by its 归口 unit, say), or None."""
        return None

    def rows(self, statement, params) -> list:
        """The rows of one read-only ``statement`` built once (at import), e.g. a lookup in one
        statement: through the policy's reading session's ``read`` where it has one (on PostgreSQL a
        prepared statement on a pooled connection in autocommit: :meth:`shared.db._LazySession.read`),
        else through the session given (a unit of work's, inside its transaction)."""
        read = getattr(self.session, "read", None)
        if read is not None:
            return read(statement, params)
        return self.session.execute(statement, params).all()

    # -- derived, the same for every service ------------------------------------------------------
    def _unit(self, unit_id):
        if unit_id not in self._units:
            self._units[unit_id] = self.unit(unit_id)
        return self._units[unit_id]

    def ancestry(self, unit_id: str) -> list:
        """``[unit, its parent, …, the root]`` (just ``[unit]`` for a unit the service does not know)."""
        return list(self.walk_up(unit_id))

    def walk_up(self, unit_id: str):
        """The units of :meth:`ancestry`, each read only when the one below it has been taken (a
        check that stops at the first unit it looks for reads no unit above it)."""
        chain = [unit_id]
        yield unit_id
        found = self._unit(unit_id)
        while found is not None and found[1] and found[1] not in chain and len(chain) < MAX_DEPTH:
            chain.append(found[1])
            yield found[1]
            found = self._unit(found[1])

    def is_root(self, unit_id: str) -> bool:
        found = self._unit(unit_id)
        return found is not None and not found[1]

    def _post(self, person_id, day):
        key = (person_id, day)
        if key not in self._posts:
            self._posts[key] = self.post_of(person_id, day)
        return self._posts[key]

    def unit_of_person(self, person_id: str, day: dt.date):
        """The unit of the person's post on ``day``; an evaluated unit (a section) is its own."""
        post = self._post(person_id, day)
        if post is None:
            return person_id if self._unit(person_id) is not None else None
        return post[1] or post[0]

    def unit_of_target(self, person_id: str, day: dt.date):
        """The unit a READ about the person is judged against: his unit on ``day``, else (he has left,
        or is not posted yet) the unit of his last post (:meth:`last_post_of`), so that his records
        are read by those who could read a member of that unit (and the city's callers), not by
        anyone; None only for a person the service knows no post of."""
        unit = self.unit_of_person(person_id, day)
        if unit is not None:
            return unit
        key = ("last", person_id, day)
        if key not in self._posts:
            self._posts[key] = self.last_post_of(person_id, day)
        post = self._posts[key]
        return None if post is None else (post[1] or post[0])

    def roles_of(self, person_id: str, day: dt.date) -> dict:
        """``{role: units it covers}`` of a person on ``day`` (empty: not in the read model then)."""
        post = self._post(person_id, day)
        if post is None:
            return {}
        agency, _section, position = post
        kind = (self._unit(agency) or (None, None))[0]
        role = (COMMITTEE_ROLES if kind == COMMITTEE else AGENCY_ROLES).get(position)
        return {role: frozenset({agency})} if role else {}


def day_of(payload) -> dt.date:
    """The day of the act: the payload's ``as_of`` (or ``date``, ``day``), never after today."""
    return min(asked_day(payload), dt.date.today())


def asked_day(payload) -> dt.date:
    """The day a payload names (``as_of``, else ``date``, ``day``) as given, a future one included
    (:func:`day_of` without its bound); today when it names none."""
    if isinstance(payload, dict):
        for name in DAY_FIELDS:
            value = payload.get(name)
            if isinstance(value, str) and len(value) >= 10:
                try:
                    return dt.date.fromisoformat(value[:10])
                except ValueError:
                    pass
    return dt.date.today()


def values_at(payload, path: str) -> list:
    """The values at ``path`` (``a``, ``items[].subject``) of a payload; absent: []."""
    found = [payload]
    for part in path.split("."):
        listed = part.endswith("[]")
        name = part[:-2] if listed else part
        nxt = []
        for item in found:
            value = item.get(name) if isinstance(item, dict) else None
            if value is None:
                continue
            if listed:
                nxt.extend(value if isinstance(value, list) else ())
            else:
                nxt.append(value)
        found = nxt
    return [v for v in found if v is not None]


def named_actors(payload) -> list:
    """Every ``actor`` a payload names: its own, and its lists' items' (batches)."""
    if not isinstance(payload, dict):
        return []
    out = []
    if payload.get("actor") is not None:
        out.append(payload["actor"])
    for value in payload.values():
        if isinstance(value, list):
            out.extend(item["actor"] for item in value if isinstance(item, dict) and item.get("actor") is not None)
    return out


def _targets(rule, payload, resolver: Resolver, day):
    """``[(where, unit or None)]``: what the call is about, as units (None: unknown to the service)."""
    scope = rule.scope
    if scope is None or scope.kind == "city":
        return []
    out = []
    for path in scope.paths:
        for value in values_at(payload, path):
            where = f"{path.replace('[]', '')} {value!r}"
            if not isinstance(value, str):
                out.append((where, None))
            elif scope.kind == "unit":
                out.append((where, value))
            elif scope.kind == "person":
                # a person is within reach of his own units' people and of the body that evaluates him
                # (asked only when his own unit is not within reach: see _covered)
                # (a read about a person who has left, or is not posted yet: his last post's unit)
                unit = (resolver.unit_of_target(value, day) if rule.access == policy.READ
                        else resolver.unit_of_person(value, day))
                out.append((where, None if unit is None else _Reach(unit, resolver, value, day)))
            elif scope.kind == "campaign":
                out.append((where, resolver.owner_of_campaign(value), missing_campaign(value, path)))
            else:
                out.append((where, resolver.unit_of_record(scope.kind, value)))
    return out


class _Reach:
    """A person's reach for the policy: the unit of his post and, only when that one is not within the
    caller's units, the body that evaluates him on the day (read then, not before)."""
    __slots__ = ("unit", "resolver", "person", "day")

    def __init__(self, unit, resolver: Resolver, person: str, day):
        self.unit, self.resolver, self.person, self.day = unit, resolver, person, day

    def body(self):
        body = self.resolver.evaluator_of(self.person, self.day)
        return None if body == self.unit else body


def _covered(units, unit, resolver: Resolver) -> bool:
    """Whether ``unit`` (or, for a frozenset of them, any one; for a person's reach, his unit or else
    the body evaluating him) lies within ``units``; the tree is read upwards only as far as needed."""
    if units == ALL_UNITS:
        return True
    if isinstance(unit, _Reach):
        if _covered(units, unit.unit, resolver):
            return True
        body = unit.body()
        if body is not None and _covered(units, body, resolver):
            return True
        # a person placed in a unit the service's tree does not hold (a departed person's last unit,
        # say) is still within the city's callers' reach
        return resolver._unit(unit.unit) is None and any(resolver.is_root(u) for u in units)
    if isinstance(unit, frozenset):
        return any(_covered(units, one, resolver) for one in unit)
    return any(u in units for u in resolver.walk_up(unit))


def _outside(rule, payload, resolver: Resolver, units, day, extra=()) -> str | None:
    """What the call is about that lies outside ``units`` (a text naming it), or None."""
    if units == ALL_UNITS:
        return None
    named = rule.scope is not None and any(values_at(payload, p) for p in rule.scope.paths)
    if rule.scope is not None and (rule.scope.kind == "city" or (rule.scope.else_city and not named)):
        if not any(resolver.is_root(u) for u in units):
            return "the whole city"
    for where, unit, *hidden in list(_targets(rule, payload, resolver, day)) + list(extra):
        if unit is None:
            # a write about a unit or person the service does not know is not within anyone's units (it
            # could be created); a campaign or record it does not know is the service's NotFound
            if rule.access == policy.WRITE and (rule.scope is None or rule.scope.kind in ("unit", "person")
                                                or where.startswith("actor ")):
                return f"{where} (unknown here)"
            # a read about a person the service places in no unit (no post at all, no unit on his record,
            # or not known here) is the city's callers' only (he reads himself as ``self`` before this)
            if (rule.access == policy.READ and rule.scope is not None and rule.scope.kind == "person"
                    and not where.startswith("actor ") and not any(resolver.is_root(u) for u in units)):
                return f"{where} (in no unit here)"
            continue
        if not _covered(units, unit, resolver):
            if hidden:     # a campaign outside one's units answers exactly as a missing one
                raise hidden[0]
            return where
    return None


def missing_campaign(campaign_id, field: str = "campaign_id") -> NotFound:
    """The answer to a campaign that does not exist, and to one outside the caller's units (issue 18,
    issue 19 item 5): the same error, message and field, so a caller cannot tell them apart.  The
    survey's own lookup raises this very error."""
    return NotFound(f"no campaign {campaign_id!r}", field.replace("[]", ""))


def decide(op: str, actor: Actor, payload, resolver: Resolver, *, auditors=frozenset()) -> str:
    """The role allowing ``actor`` to call ``op`` with ``payload``; :class:`Forbidden` (field
    ``actor``, message starting with ``op``) otherwise.  Nothing is written either way."""
    rule = policy.rule_of(op)
    who = f"{actor.kind} {actor.sub}"
    if actor.kind == "operator":
        return policy.check(op, (policy.OPERATOR,), who=who)
    if actor.kind == "public":
        return policy.check(op, (policy.PUBLIC,), who=who)
    if actor.kind == "service":
        return policy.check(op, (policy.service_role(actor.sub),), who=who)
    payload = renamed(payload)      # an old name of an id (one release) is checked as its name now
    today, asked = dt.date.today(), asked_day(payload)
    if op in BOTH_DAYS and asked != today:
        allowed = _decide_on(op, rule, actor, who, payload, resolver, asked, auditors, own=False)
        resolver._units.clear()     # the tree of the other day
        _decide_on(op, rule, actor, who, payload, resolver, today, auditors, own=False)
        return allowed
    if op in DATED_CITY and asked != today:
        rule = dataclasses.replace(rule, scope=policy.CITY)
    day = today if op in TODAY_TREE else min(asked, today)
    return _decide_on(op, rule, actor, who, payload, resolver, day, auditors)


def _decide_on(op, rule, actor: Actor, who: str, payload, resolver: Resolver, day, auditors, own=True) -> str:
    """:func:`decide` for a person or a calling system, the call judged on ``day``; ``own``: whether a
    read about oneself is allowed as such (``self``)."""
    resolver.day = day          # the tree of the day of the act (a section moved since lies where it was)
    if actor.kind in ("system", "persons"):
        role = policy.SYSTEM if actor.kind == "system" else policy.PERSONS
        allowed = policy.check(op, (role,), who=who)
        if actor.units == ALL_UNITS:
            return allowed
        extra = ()
        if actor.kind == "persons":   # and the persons it acts for are its units' persons
            extra = [(f"actor {p!r}", resolver.unit_of_person(p, day) if isinstance(p, str) else None)
                     for p in named_actors(payload)]
        where = _outside(rule, payload, resolver, actor.units, day, extra)
        if where is not None:
            policy.check(op, (role,), who=who, in_scope=False, where=where)
        return allowed
    # a person: roles from the read model on the day of the act; acting only as themself
    for named in named_actors(payload):
        if named != actor.sub:
            raise Forbidden(f"{op}: person {actor.sub} may not act as {named}", "actor")
    for path in OWN.get(op, ()):
        for named in values_at(payload, path):
            if named != actor.sub:
                raise Forbidden(f"{op}: person {actor.sub} writes only their own ({path.replace('[]', '')} "
                                f"{named!r})", "actor")
    # anyone reads what is about themself (the service answers, or says it does not know them)
    if own and rule.access == policy.READ and rule.scope is not None and rule.scope.kind == "person":
        about = [v for path in rule.scope.paths for v in values_at(payload, path)]
        if about and all(v == actor.sub for v in about):
            return "self"
    # a write is judged by the roles of the day it is dated (a former leader dating an approval to when
    # he led); a read is done today, by today's roles: dating a read back never lends a former post's units
    # (a leader who left k2 reading k2's tasks or members "as of" his time there); the tree stays the day's
    roles_day = dt.date.today() if rule.access == policy.READ else day
    roles = {policy.AUDITOR: ALL_UNITS} if actor.sub in auditors else resolver.roles_of(actor.sub, roles_day)
    allowed = policy.check(op, tuple(roles), who=who)
    units = set()
    for role, covered in roles.items():
        if rule.access == policy.READ or role in rule.roles:
            if covered == ALL_UNITS:
                return allowed
            units |= covered
    where = _outside(rule, payload, resolver, frozenset(units), day)
    if where is not None:
        policy.check(op, tuple(roles), who=who, in_scope=False, where=where)
    return allowed


def targets_within(answer: dict, query: dict, resolver: Resolver) -> dict:
    """A ``targets`` answer (:mod:`shared.contracts.targets`) kept to ``query["committee"]``: only the
    units under it (itself included) in the service's own tree of the answer's ``as_of``, as
    ``resolver`` (the service's ``policy_access`` over its own tables) knows it; no ``city`` row.
    Without a committee the answer as it is (the policy table let only the city's callers ask it so).
    A committee the service does not know that day: ``NotFound`` (field ``committee``)."""
    committee = query.get("committee")
    if committee is None:
        return answer
    resolver.day = dt.date.fromisoformat(str(answer["as_of"])[:10])
    found = resolver.unit(committee)
    if found is None:
        raise NotFound(f"no unit {committee!r} on {resolver.day.isoformat()}", "committee")
    kept = [t for t in answer["targets"]
            if t["agency"] != "city" and committee in resolver.ancestry(t["agency"])]
    return dict(answer, targets=kept)


def auditors_of(config) -> frozenset:
    """Persons who audit (read everything, write nothing): config ``AUDITORS`` (env
    ``LIANBAO_AUDITORS``), a list or comma-separated person ids.  The roster has no auditor post."""
    raw = (config or {}).get("AUDITORS") or ()
    if isinstance(raw, str):
        raw = raw.split(",")
    return frozenset(str(x).strip() for x in raw if str(x).strip())


__all__ = ["Resolver", "decide", "targets_within", "day_of", "asked_day", "values_at", "named_actors", "auditors_of", "missing_campaign"]
