"""Who may do what, within which units: the one policy table of the suite (SPEC §8, DESIGN §6).

Every RPC of the five services (roster, scoring, survey, training, rewards) has exactly one row
here; an RPC missing from the table is refused (deny by default), and a test finds every ``@rpc`` of
the five services by introspection and asserts it has its row.

A row names

* the operation ``service.method`` (the rule id, the first words of every refusal);
* whether it only reads or also writes;
* the roles that may call it (:data:`ROLES`; ``service:<name>`` for one of the suite's own services);
* the scope: which payload field names the unit (or the person, or the campaign) the call is about,
  and so which units a calling system, or a person's roles, must cover for the call to be allowed.

Roles of a person are those of the roster **on the day of the act** (a leader of agency ``a1`` is a
leader within ``a1``'s units only); a calling system carries its units in its verified identity
(:class:`shared.identity.Actor`).  The table says who may *call*; the domain then says whether this
person may act on this evaluation (separation of duties: nobody acts on their own evaluation, daily
log or rectification, see :func:`services.scoring.domain.workflow.check_not_own`).

``lianbao policy`` prints the table; ``docs/reference/policy.md`` is generated from it.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.errors import Forbidden

READ, WRITE = "read", "write"

OFFICER, CHIEF, LEADER, HEAD = "officer", "chief", "leader", "head"
COMMITTEE_MEMBER, COMMITTEE_OFFICE, AUDITOR = "committee_member", "committee_office", "auditor"
SYSTEM, PERSONS, OPERATOR = "system", "persons", "operator"
#: the public pages of the gateway (no sign-in): only the rows naming it, reads included
PUBLIC = "public"
SERVICE = "service"  # written service:<name>

#: the roles of the table, in the order the matrix prints them
PERSON_ROLES = (OFFICER, CHIEF, LEADER, HEAD, COMMITTEE_MEMBER, COMMITTEE_OFFICE, AUDITOR)
SERVICES = ("roster", "scoring", "survey", "training", "rewards", "gateway")
ROLES = PERSON_ROLES + (SYSTEM, PERSONS) + tuple(f"{SERVICE}:{s}" for s in SERVICES) + (OPERATOR, PUBLIC)

ROLE_TEXT = {
    OFFICER: "an officer (民警/辅警) of the roster",
    CHIEF: "a section chief (负责人)",
    LEADER: "a leader of an agency's leading group (班子成员)",
    HEAD: "an agency's head (一把手)",
    COMMITTEE_MEMBER: "a member of the committee (政法委委员)",
    COMMITTEE_OFFICE: "the committee's office (委机关)",
    AUDITOR: "an auditor: reads only",
    SYSTEM: "a calling system, within its units",
    PERSONS: "a calling system acting for the persons of its units",
    OPERATOR: "an operator (`lianbao …` with the operator key)",
    PUBLIC: "the gateway's public pages (no sign-in): only the operations naming it, reads included",
}

#: the staff roles: anyone of the roster acting for themself (the domain says on what)
STAFF = (OFFICER, CHIEF, LEADER, HEAD, COMMITTEE_MEMBER, COMMITTEE_OFFICE)
#: a leading group: an agency's (leaders and head) or the committee's (its members)
LEADING = (LEADER, HEAD, COMMITTEE_MEMBER)
#: the committee: its members and its office
COMMITTEE = (COMMITTEE_MEMBER, COMMITTEE_OFFICE)
#: everyone may read, within their units (an auditor reads everything, writes nothing); the public
#: reads only the rows that name it
READERS = tuple(r for r in ROLES if r != PUBLIC)


@dataclass(frozen=True)
class Scope:
    """What a call is about, and so where it must lie.

    ``kind``: ``unit`` (the field holds a unit id: agency, section or committee), ``person`` (a
    person id: the unit of the person's post on the day), ``campaign`` (a campaign id: its owner),
    ``referral`` / ``task`` / ``spell`` (a record of the service: the unit of a follow-up's evaluating body, a
    reward task's paying unit, the unit of a spell's person when it began),
    ``city`` (the whole city: only actors of every unit).  ``paths``: the payload fields holding it
    (``items[].subject``: every item's ``subject``).  A path that is absent from a payload leaves
    the call unscoped for that path: a read of everything, answered within the reader's units by
    the service (reads) — a write always names what it writes about.  ``else_city``: a read naming
    none of its paths is about the whole city (``city``), one naming them about those units."""
    kind: str
    paths: tuple = ()
    else_city: bool = False

    def text(self) -> str:
        if self.kind == "city":
            return "city (every unit)"
        text = f"{self.kind}: " + ", ".join(self.paths)
        return text + " (else the city)" if self.else_city else text


CITY = Scope("city")
NONE = None


@dataclass(frozen=True)
class Rule:
    op: str                      # service.method
    access: str                  # READ or WRITE
    roles: frozenset
    scope: Scope | None = None
    note: str = ""
    separation: str = ""         # the separation-of-duties rule the domain adds, if any

    @property
    def service(self) -> str:
        return self.op.split(".", 1)[0]

    @property
    def method(self) -> str:
        return self.op.split(".", 1)[1]


def _roles(*roles) -> frozenset:
    out = set()
    for r in roles:
        if isinstance(r, (tuple, list, frozenset, set)):
            out.update(r)
        else:
            out.add(r)
    unknown = out - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    return frozenset(out)


def _u(*paths):
    return Scope("unit", paths)


def _p(*paths):
    return Scope("person", paths)


def _uc(*paths):
    """About the units at ``paths``; a read naming none of them is about the whole city (only the
    city's callers): for the reads whose service answers every unit's rows when the field is absent."""
    return Scope("unit", paths, else_city=True)


def _pc(*paths):
    """About the persons at ``paths``, else the whole city (as :func:`_uc`)."""
    return Scope("person", paths, else_city=True)


def _c(*paths):
    return Scope("campaign", paths)


def _rec(kind, *paths):
    """A record of the service (``referral``, ``task``: the unit of its evaluating body; ``spell``: the
    unit of the spell's person when it began)."""
    return Scope(kind, paths)


#: the ``targets`` RPC of each owner of a target (M§一): about the agency it names, or the committee
#: (the agencies under it on the day), else the whole city (every agency and ``city``): only the city's
#: callers read that (a system of the root or of every unit, the city committee's staff, auditors,
#: operators); a county committee reads its own agencies by naming itself
TARGETS_SCOPE = Scope("unit", ("agency", "committee"), else_city=True)
TARGETS_NOTE = "one agency, or the committee's agencies on the day; naming neither: the whole city's"

_TABLE: list[Rule] = []


def _r(op, roles=READERS, scope=None, note=""):
    _TABLE.append(Rule(op, READ, _roles(roles), scope, note))


def _w(op, roles, scope=None, note="", separation=""):
    _TABLE.append(Rule(op, WRITE, _roles(roles), scope, note, separation))


SELF = "own only: the actor is the subject (or the chief of the subject section)"
NOT_OWN = ("not on one's own evaluation; not the subject's mentor nor its reviewer; where the "
           "evaluator is a leading group the subject sits in, another member acts")

for _svc in ("roster", "scoring", "survey", "training", "rewards"):
    _r(f"{_svc}.health", note="liveness")

# -- roster: the people, their posts, mentors and cases ---------------------------------------------
_w("roster.save_units", (COMMITTEE_OFFICE, OPERATOR), CITY, "the unit tree of the city")
_r("roster.get_units")
_w("roster.move_unit", (COMMITTEE_OFFICE, OPERATOR), CITY, "the unit tree of the city, dated")
_w("roster.rename_unit", (COMMITTEE_OFFICE, OPERATOR), CITY, "the unit tree of the city, dated")
_w("roster.dissolve_unit", (COMMITTEE_OFFICE, OPERATOR), CITY, "the unit tree of the city, dated")
_r("roster.unit_history")
_w("roster.create_staff", (COMMITTEE_OFFICE, SYSTEM, OPERATOR), _u("staff[].unit"))
_w("roster.change_staff", (COMMITTEE_OFFICE, SYSTEM, OPERATOR), _p("person"),
   "and the new unit lies within the writer's units too")
_r("roster.get_staff", scope=_p("person"))
_r("roster.members_of", scope=_u("unit"))
_r("roster.people_of_agency", scope=_u("agency"))
_w("roster.import_roster", (COMMITTEE_OFFICE, SYSTEM, OPERATOR), CITY,
   "a whole roster (rows keyed by their headers): a system of the whole city only")
_w("roster.record_spell", (HEAD, COMMITTEE_OFFICE, SYSTEM, OPERATOR), _p("person"))
_w("roster.end_spell", (HEAD, COMMITTEE_OFFICE, SYSTEM, OPERATOR), _rec("spell", "spell_id"),
   "the spell's person, where their post was when it began")
_r("roster.spells_of", scope=_p("person"))
_w("roster.assign_mentor", (LEADER, HEAD, COMMITTEE_OFFICE, SYSTEM, OPERATOR), _p("mentee", "mentor"),
   separation="nobody assigns their own mentor")
_w("roster.assign_mentors", (LEADER, HEAD, COMMITTEE_OFFICE, SYSTEM, OPERATOR),
   _p("pairs[].mentee", "pairs[].mentor"), separation="nobody assigns their own mentor")
_w("roster.reassign_mentor", (LEADER, HEAD, COMMITTEE_OFFICE, SYSTEM, OPERATOR), _p("mentee", "mentor"),
   separation="nobody assigns their own mentor")
_w("roster.unassign_mentor", (LEADER, HEAD, COMMITTEE_OFFICE, SYSTEM, OPERATOR), _p("mentee"))
_r("roster.mentor_of", scope=_p("person"))
_r("roster.mentees_of", scope=_p("person"))
_r("roster.mentoring_coverage", scope=_uc("unit"))
_r("roster.evaluator_of", scope=_p("person"))
_r("roster.evaluator_of_section", scope=_u("unit"))
_w("roster.return_to_team", (HEAD, COMMITTEE_OFFICE, OPERATOR), _p("person"),
   separation="nobody returns themself to the team")
_w("roster.record_ban_violation", (HEAD, COMMITTEE_MEMBER, COMMITTEE_OFFICE, OPERATOR), _p("person"),
   separation="nobody records a case on themself")
_r("roster.cases_of", scope=_p("person"))
_w("roster.record_discipline_fact", (HEAD, COMMITTEE_MEMBER, COMMITTEE_OFFICE, OPERATOR),
   _u("unit"), separation="nobody records a fact on themself")
_w("roster.investigate", (COMMITTEE_MEMBER, COMMITTEE_OFFICE, OPERATOR), CITY)
_r("roster.discipline_facts", scope=_uc("agency"))
_r("roster.targets", scope=TARGETS_SCOPE, note=TARGETS_NOTE)
_w("roster.refresh_metrics", (OPERATOR,), CITY, "recomputes the target gauges")

# -- scoring: the monthly workflow, daily logs, rectifications, the annual rating ----------------
_r("scoring.rate_snapshot", note="a pure computation on the snapshot given; nothing stored")
_w("scoring.upsert_people", ("service:roster", OPERATOR), CITY, "read model fed by the roster")
_w("scoring.save_units", ("service:roster", OPERATOR), CITY, "read model fed by the roster")
_w("scoring.record_spells", ("service:roster", OPERATOR), CITY, "read model fed by the roster")
_r("scoring.template", scope=_u("agency"))
_w("scoring.register_criteria_pack", (COMMITTEE_OFFICE, OPERATOR), _u("agency"))
_w("scoring.submit_self_assessments", STAFF + (PERSONS,), _p("items[].subject"), separation=SELF)
_w("scoring.submit_self_assessment", STAFF + (PERSONS,), _p("subject"), separation=SELF)
_w("scoring.review_batch", STAFF + (PERSONS,), _p("items[].subject"),
   separation="the subject's mentor (联带责任人), never the subject")
_w("scoring.review", STAFF + (PERSONS,), _p("subject"),
   separation="the subject's mentor (联带责任人), never the subject")
_w("scoring.approve_batch", LEADING + (PERSONS,), _p("items[].subject"), separation=NOT_OWN)
_w("scoring.approve", LEADING + (PERSONS,), _p("subject"), separation=NOT_OWN)
_w("scoring.send_back_batch", LEADING + (PERSONS,), _p("items[].subject"),
   "an evaluation waiting for approval back to the mentor's review, with a reason (退回)",
   separation=NOT_OWN)
_w("scoring.send_back", LEADING + (PERSONS,), _p("subject"),
   "an evaluation waiting for approval back to the mentor's review, with a reason (退回)",
   separation=NOT_OWN)
_w("scoring.publish_notice", LEADING + (PERSONS,), _u("evaluator"),
   separation="a member of the evaluator; not when the notice holds their own evaluation")
_w("scoring.publish_notices", LEADING + (PERSONS,), _u("items[].evaluator"),
   "scoring.publish_notice of many bodies' months in one call",
   separation="a member of each item's evaluator; not when the notice holds their own evaluation")
_w("scoring.raise_objection", STAFF + (PERSONS, "service:gateway"), _p("subject"),
   separation="not on one's own evaluation")
_w("scoring.object", STAFF + (PERSONS, "service:gateway"), _p("subject"),
   "the old name of scoring.raise_objection, kept for one release (issue 17)",
   separation="not on one's own evaluation")
_w("scoring.file_month", LEADING + (PERSONS,), _u("evaluator"),
   separation="a member of the evaluator; not when the month holds their own evaluation")
_w("scoring.file_months", LEADING + (PERSONS,), _u("items[].evaluator"),
   "scoring.file_month of many bodies' months in one call",
   separation="a member of each item's evaluator; not when the month holds their own evaluation")
_r("scoring.evaluation", scope=_p("subject"))
_r("scoring.person_history", scope=_p("person"))
_r("scoring.waiting_for", scope=_p("person"),
   note="what the person may review or approve and the mentees' logs (the steps' own checks)")
_r("scoring.overdue_evaluations", scope=_uc("agency"))
_r("scoring.targets", scope=TARGETS_SCOPE, note=TARGETS_NOTE)
_r("scoring.committee_board", scope=_u("committee"),
   note="a committee's agencies in one call: filing against the 15th, target 1, the latest ratings' stars")
_w("scoring.write_daily_logs", STAFF + (PERSONS, OPERATOR), _p("logs[].person"),
   separation="own only: a person writes their own daily log")
_w("scoring.review_daily_logs", STAFF + (PERSONS,), _p("reviews[].person"),
   separation="the person's mentor, never the person")
_r("scoring.daily_logs_of", scope=_p("person"), note="a person's daily logs of a month, with their review")
_r("scoring.unreviewed_logs", scope=_uc("agency"),
   note="the overdue logs of the agency named, or of the whole city (only the city's callers); `mentor` narrows them")
_w("scoring.rank_month", LEADING + (COMMITTEE_OFFICE, PERSONS, OPERATOR), _u("evaluator"),
   "ranks a filed month (a computation stored for the notice)")
_w("scoring.rank_months", LEADING + (COMMITTEE_OFFICE, PERSONS, OPERATOR), _u("items[].evaluator"),
   "scoring.rank_month of many bodies' months in one call")
_r("scoring.ranking_of_month", scope=_u("evaluator"))
_w("scoring.submit_rectification", STAFF + (PERSONS,), _p("subject"), separation=SELF)
_w("scoring.file_rectification", LEADING + (PERSONS,), _p("subject"),
   separation="a member of the evaluator, not on their own rectification")
_r("scoring.rectifications", scope=_uc("evaluator"))
_w("scoring.record_honours", (COMMITTEE_OFFICE, HEAD, SYSTEM, OPERATOR), _p("honours[].subject"),
   separation="nobody records their own honours")
_w("scoring.record_facts", (COMMITTEE_OFFICE, HEAD, SYSTEM, OPERATOR), _p("facts[].subject"),
   separation="nobody records facts on themself")
_w("scoring.record_absences", (COMMITTEE_OFFICE, HEAD, SYSTEM, OPERATOR), _p("absences[].person"),
   separation="nobody records their own absences")
_w("scoring.record_agency_evaluation", COMMITTEE + (OPERATOR,), _u("agency"),
   separation="not by a member of the agency evaluated")
_w("scoring.run_rating", COMMITTEE + (OPERATOR,), _u("scope"),
   "ratings are run and published by the committee (SPEC §8)")
_r("scoring.preview_rating", scope=_u("scope"),
   note="what run_rating would publish now, with its digest (a dry run; nothing stored)")
_r("scoring.snapshot", scope=_uc("scope"),
   note="a stored rating's snapshot: its `scope` named (a `rating_id` of another scope is missing), else the city's")
_r("scoring.unit_results", scope=_u("unit"))
_r("scoring.explanation", scope=_p("subject"))
# follow-ups (followups.py)
_w("scoring.load_calendar", COMMITTEE + (OPERATOR,), None,
   "the working-day calendar (the State Council's holidays), about no unit; any committee staff "
   "(checked by scoring)")
_r("scoring.calendar_year")
_r("scoring.calendar_status")
_r("scoring.working_days")
_r("scoring.referrals", scope=_uc("evaluator"))
_r("scoring.referrals_export", scope=_uc("evaluator"))
_w("scoring.record_referral_minutes", (COMMITTEE_MEMBER, COMMITTEE_OFFICE), _rec("referral", "referral_id"),
   separation="not on one's own referral")
_w("scoring.name_helpers", LEADING + (PERSONS,), _p("subject"),
   separation="a member of the evaluator; helpers (三帮一) are never the subject, nor named by the subject")
_w("scoring.record_study_class", LEADING + (PERSONS,), _p("subject"),
   separation="a member of the evaluator; not for oneself")
_r("scoring.poor_followups", scope=_uc("evaluator"))
_r("scoring.followup_tasks", scope=_uc("evaluator"))
_w("scoring.complete_task", LEADING + (COMMITTEE_OFFICE, PERSONS), _rec("task", "task_id"),
   separation="not on one's own follow-up")
_r("scoring.recognition_results", scope=_uc("owner"))
# packs (packs_service.py): an agency's leading group adapts its own rules
_w("scoring.register_pack", (HEAD, LEADER, COMMITTEE_OFFICE, OPERATOR), _u("agency"))
_r("scoring.validate_pack", scope=_u("agency"), note="checks a pack; nothing stored")
_r("scoring.pack_history", scope=_u("agency"))
_r("scoring.effective_pack", scope=_u("agency"))
_w("scoring.record_subject_data", (HEAD, LEADER, COMMITTEE_OFFICE, SYSTEM, OPERATOR), _u("agency"))
_r("scoring.preview_pack", scope=_u("agency"), note="a dry run; nothing stored")
_r("scoring.rate_adapted", scope=_u("agency"), note="rates a snapshot given; nothing stored")
# the public notice (public.py)
_r("scoring.public_notice", READERS + (PUBLIC,), note="the public notice of a month: who, score, window")
_r("scoring.public_period_notice", READERS + (PUBLIC,),
   note="the public notice of a half-year or annual rating: who, score, stars, window")
_w("scoring.public_object", (PUBLIC, OPERATOR), _u("evaluator"),
   "the public's objection, forwarded by the gateway")
_r("scoring.objections", scope=_u("evaluator"))
_w("scoring.answer_objection", LEADING + (PERSONS,), _u("evaluator"),
   separation="a member of the evaluator; not on an objection to their own evaluation")

# -- survey: campaigns, forms, rates ---------------------------------------------------------------
_w("survey.define_questionnaire", (COMMITTEE_OFFICE, SYSTEM, OPERATOR), CITY,
   "a calling system of the whole city only (the office's platform)")
_r("survey.get_questionnaire", READERS + (PUBLIC,))
_w("survey.create_campaign", (COMMITTEE_MEMBER, COMMITTEE_OFFICE, HEAD, SYSTEM, OPERATOR), _u("owner"),
   "its subjects lie within the owner's units (checked by the survey)")
_r("survey.get_campaign", READERS + (PUBLIC,), scope=_c("campaign_id"))
_r("survey.list_campaigns", note="a page of campaigns; the survey lists a calling system's units' and those below them (within any `owners` it sends), a person's those of the units their post covers")
_r("survey.campaign_owner", scope=_c("campaign_id"))
_w("survey.set_campaign_questionnaire", (COMMITTEE_MEMBER, COMMITTEE_OFFICE, HEAD, SYSTEM, OPERATOR),
   _c("campaign_id"))
_w("survey.close_campaign", (COMMITTEE_MEMBER, COMMITTEE_OFFICE, HEAD, SYSTEM, OPERATOR), _c("campaign_id"))
_w("survey.submit_form", (COMMITTEE_OFFICE, SYSTEM, PUBLIC, OPERATOR), _c("campaign_id"),
   "a form posted by a system of the campaign's units, the office, or the public's online form")
_w("survey.submit_batch", (COMMITTEE_OFFICE, SYSTEM, "service:gateway", OPERATOR), _c("campaign_id"))
_r("survey.progress", scope=_c("campaign_id"))
_r("survey.campaign_subjects", READERS + (PUBLIC,), scope=_c("campaign_id"))
_r("survey.serials_used", scope=_c("campaign_id"))
_r("survey.get_rates", scope=_c("campaign_id"))
_w("survey.publish_rates", COMMITTEE + (OPERATOR,), _c("campaign_id"),
   "publishes a closed campaign's rates to scoring")
_r("survey.targets", scope=TARGETS_SCOPE, note=TARGETS_NOTE)
_r("survey.rates_xlsx", scope=_c("campaign_id"))

# -- training: courses, results, study, frontline posts, allowances -------------------------------
_w("training.upsert_people", ("service:roster", OPERATOR), CITY, "read model fed by the roster")
_r("training.get_person", scope=_p("person"))
_w("training.register_courses", (COMMITTEE_OFFICE, SYSTEM, OPERATOR), CITY,
   "a calling system of the whole city only (the office's platform)")
_r("training.list_courses")
_w("training.record_result", (COMMITTEE_OFFICE, HEAD, SYSTEM, OPERATOR), _p("person"),
   separation="nobody records their own result")
_w("training.import_results", (COMMITTEE_OFFICE, SYSTEM, OPERATOR), CITY,
   "a whole spreadsheet (rows keyed by their headers): a system of the whole city only",
   separation="nobody records their own result")
_r("training.results_of", scope=_p("person"))
_w("training.record_study", (COMMITTEE_OFFICE, HEAD, LEADER, SYSTEM, OPERATOR), _p("entries[].person"))
_r("training.study_report", scope=_uc("unit_id"))
_w("training.record_session", (COMMITTEE_OFFICE, HEAD, LEADER, SYSTEM, OPERATOR), _u("unit_id"))
_r("training.central_group_report", scope=CITY, note="every central group of the quarter")
_r("training.can_take_post", scope=_p("person"))
_w("training.set_frontline_post", (COMMITTEE_OFFICE, HEAD, SYSTEM, OPERATOR), _p("person"),
   separation="nobody sets their own post")
_r("training.frontline_report", scope=CITY, note="the whole city's frontline posts")
_r("training.rotation_report", scope=_uc("unit_id"))
_r("training.certifications", scope=_pc("person"))
_r("training.allowances_of", scope=_p("person"))
_w("training.run_allowances", (COMMITTEE_OFFICE, OPERATOR), CITY)
_w("training.check_certifications", (COMMITTEE_OFFICE, OPERATOR), CITY)
_r("training.pass_rate", scope=CITY, note="the city's pass rate")
_r("training.targets", scope=TARGETS_SCOPE, note=TARGETS_NOTE)

# -- rewards: the ledger ---------------------------------------------------------------------------
_w("rewards.settle", (OPERATOR,), CITY,
   "settles a rating given directly (a replay by the operator); ratings published by scoring settle "
   "through its event")
_r("rewards.ledger", scope=_uc("paying_unit"))
_r("rewards.reconcile", scope=CITY)
_r("rewards.verify_chain", scope=CITY)
_r("rewards.notice", scope=Scope("unit", ("unit",), else_city=True),
   note="the paying units under one unit (a committee's agencies), else every paying unit's (the city's)")
_w("rewards.set_schedule", (COMMITTEE_OFFICE, OPERATOR), _u("agency"))
_r("rewards.schedules", scope=_uc("agency"))
_r("rewards.tasks", scope=Scope("unit", ("paying_unit",), else_city=True),
   note="one agency's tasks (paying_unit), else every agency's")
_w("rewards.complete_task", (HEAD, LEADER, COMMITTEE_OFFICE, SYSTEM, OPERATOR), _rec("task", "key"),
   "the task's paying unit (a task without one: a writer of every unit only)",
   separation="nobody completes a task about their own money")

TABLE: dict[str, Rule] = {}
for _rule in _TABLE:
    if _rule.op in TABLE:
        raise ValueError(f"{_rule.op}: two rows")
    TABLE[_rule.op] = _rule
del _rule, _svc

WRITES = tuple(op for op, r in TABLE.items() if r.access == WRITE)


def rule_of(op: str) -> Rule:
    """The row of ``op``; an operation missing from the table is refused (deny by default)."""
    rule = TABLE.get(op)
    if rule is None:
        raise Forbidden(f"{op}: not in the policy table; refused (deny by default)", "actor")
    return rule


def role_allowed(op: str, role: str) -> bool:
    """Whether ``role`` may call ``op`` at all (before the scope and the domain are asked)."""
    rule = TABLE.get(op)
    if rule is None:
        return False
    if rule.access == READ and role != PUBLIC:
        return True
    return role in rule.roles


def service_role(name: str) -> str:
    return f"{SERVICE}:{name}"


def check(op: str, roles, *, who: str = "", in_scope: bool = True, where: str = "") -> str:
    """Refuse (``Forbidden`` naming ``actor``, message starting with ``op``) unless one of ``roles``
    may call ``op`` and what the call is about lies within the actor's units (``in_scope``).
    Returns the role that allowed it."""
    rule = rule_of(op)
    roles = tuple(roles)
    allowing = [r for r in roles if r in rule.roles or (rule.access == READ and r != PUBLIC)]
    if rule.access == WRITE and AUDITOR in roles and not allowing:
        raise Forbidden(f"{op}: {who or 'an auditor'}{_READS_ONLY}", "actor")
    if not allowing:
        held = ", ".join(roles) or "no role"
        raise Forbidden(f"{op}: {who or 'the actor'} ({held}){_MAY_NOT}"
                        f"{', '.join(sorted(rule.roles))}", "actor")
    if not in_scope:
        raise Forbidden(f"{op}: {where or 'what the call is about'}{_OUTSIDE}"
                        f"{who or 'the actor'}'s units", "actor")
    return allowing[0]


_READS_ONLY, _MAY_NOT, _OUTSIDE = " reads only", " may not; allowed: ", " lies outside "


def refusal_of(op: str, message: str):
    """What a refusal :func:`check` worded for ``op`` says: ``("scope", where)`` (what the call is
    about lies outside the actor's units: ``where`` as ``check`` was given it, e.g. ``agency 'k2'``),
    ``("role", None)`` (none of the actor's roles may call it), or None (not one of ``check``'s: the
    domain's, or a person acting as another).  The gateway reads it to answer a signed-in person's
    refusal in the shape it answers a calling system's (services.gateway.persons)."""
    prefix = f"{op}: "
    if not isinstance(message, str) or not message.startswith(prefix):
        return None
    rest = message[len(prefix):]
    if rest.endswith("'s units") and _OUTSIDE in rest:
        return ("scope", rest[:rest.rfind(_OUTSIDE)])
    if _MAY_NOT in rest or rest.endswith(_READS_ONLY):
        return ("role", None)
    return None


def as_rows() -> list[dict]:
    """The table as plain rows (``lianbao policy --json``, the reference page)."""
    return [{"op": r.op, "access": r.access, "roles": [x for x in ROLES if x in r.roles] if r.access == WRITE
             else ["everyone (within their units)"] + ([PUBLIC] if PUBLIC in r.roles else []),
             "scope": r.scope.text() if r.scope else "", "note": r.note, "separation": r.separation}
            for r in TABLE.values()]


def matrix() -> dict:
    """``{op: {role: True|False}}`` for every write operation and every role."""
    return {op: {role: role_allowed(op, role) for role in ROLES} for op in WRITES}


def markdown() -> str:
    """The reference page ``docs/reference/policy.md``."""
    lines = ["# The policy table: who may do what", "",
             "Every RPC of the five services, who may call it and within which units (SPEC §8, DESIGN §6).",
             "An RPC missing from this table is refused.  Reads are open to every verified actor within",
             "their units (an auditor reads everything and writes nothing; the gateway's public pages,",
             "role `public`, only what names them); writes list their roles.",
             "The scope names the payload fields that say which unit, person or campaign the call is about:",
             "a calling system must cover it with its units, a person's roles on the day of the act must lie",
             "within it.  *Separation* is the domain's own check on top (nobody acts on their own evaluation).",
             "", "## Roles", "", "| role | who |", "|---|---|"]
    for role in PERSON_ROLES + (SYSTEM, PERSONS, OPERATOR, PUBLIC):
        lines.append(f"| `{role}` | {ROLE_TEXT[role]} |")
    lines.append("| `service:<name>` | one of the suite's own services, signing as itself |")
    lines += ["", "## Operations", ""]
    for svc in ("roster", "scoring", "survey", "training", "rewards"):
        lines += [f"### {svc}", "", "| operation | access | who may | scope | note / separation |",
                  "|---|---|---|---|---|"]
        for r in TABLE.values():
            if r.service != svc:
                continue
            who = (", ".join(f"`{x}`" for x in ROLES if x in r.roles) if r.access == WRITE
                   else "everyone, `public`" if PUBLIC in r.roles else "everyone")
            extra = "; ".join(x for x in (r.note, r.separation and f"separation: {r.separation}") if x)
            scope = r.scope.text() if r.scope else ""
            lines.append(f"| `{r.method}` | {r.access} | {who} | {scope} | {extra} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


__all__ = ["TABLE", "ROLES", "WRITES", "READ", "WRITE", "Rule", "Scope", "rule_of", "role_allowed",
           "check", "refusal_of", "as_rows", "matrix", "markdown", "service_role"]
