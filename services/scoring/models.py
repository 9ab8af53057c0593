"""Tables of the scoring service (its own database).

Read models (fed by roster and survey events, or seeded by batch RPCs): ``people``, ``units``,
``spells``, ``satisfaction``.  Own facts: ``evaluations`` + ``evaluation_log`` (the audit trail),
``daily_logs``, ``rankings``, ``rectifications``, ``honours``, ``subject_facts``, ``absences``,
``agency_evaluations``, ``criteria_packs``, ``ratings`` + ``rating_result_chunks``.
"""
from sqlalchemy import (JSON, BigInteger, Boolean, Column, Date, DateTime, Index, Integer, Numeric,
                        String, Text)

from shared.db import SIGNED_LENGTH, make_base, signed_column, utcnow

Base = make_base()
ID = 100
SCORE = Numeric(7, 2)


class Person(Base):
    __tablename__ = "people"
    id = Column(String(ID), primary_key=True)
    name = Column(String(200))
    agency = Column(String(ID), index=True)
    section = Column(String(ID), index=True)
    position = Column(String(20), nullable=False)
    joined = Column(Date, nullable=False)
    mentor = Column(String(ID), index=True)
    evaluator = Column(String(ID), index=True)
    evaluator_source = Column(String(20), nullable=False, default="default")
    reserve = Column(Boolean, nullable=False, default=False)
    left_on = Column(Date)


class PersonPost(Base):
    """A person's post through time, from roster's staff events (SPEC §9): agency, section,
    position and supervised sections from ``start`` until the next post's start."""
    __tablename__ = "person_posts"
    person = Column(String(ID), primary_key=True)
    start = Column(Date, primary_key=True, index=True)
    agency = Column(String(ID), nullable=False, index=True)
    section = Column(String(ID), index=True)
    position = Column(String(20), nullable=False)
    supervises = Column(Text, nullable=False, default="")   # ';'-joined section ids


class MentorSpan(Base):
    """A mentoring pair (联带) with its dates, from roster's mentor events: ``mentor`` mentors
    ``mentee`` from ``start`` to ``end`` (inclusive; null = open); ``cancelled``: never in force."""
    __tablename__ = "mentor_spans"
    pair_id = Column(String(ID), primary_key=True)
    mentor = Column(String(ID), nullable=False, index=True)
    mentee = Column(String(ID), nullable=False, index=True)
    start = Column(Date, nullable=False, index=True)
    end = Column(Date, index=True)
    cancelled = Column(Boolean, nullable=False, default=False)


class EvaluatorSpan(Base):
    """Who evaluates a person (M§五(二)3) from ``start`` to ``end``, as the roster resolved it
    (``evaluators_resolved``); ``resolved_at`` orders the roster's answers."""
    __tablename__ = "evaluator_spans"
    person = Column(String(ID), primary_key=True)
    start = Column(Date, primary_key=True)
    end = Column(Date)
    grp = Column(String(ID), nullable=False, index=True)
    rule = Column(String(60), nullable=False)
    resolved_at = Column(String(40), nullable=False)


class Unit(Base):
    __tablename__ = "units"
    id = Column(String(ID), primary_key=True)
    kind = Column(String(20), nullable=False)
    parent = Column(String(ID), index=True)
    agency = Column(String(ID), index=True)
    name = Column(String(200))
    evaluator = Column(String(ID))


class UnitVersion(Base):
    """The roster's unit tree through time (``units_saved`` versions, SPEC §9): a unit's kind,
    parent and agency from ``since`` to ``until`` (inclusive; null = open). ``units`` keeps the
    latest."""
    __tablename__ = "unit_versions"
    id = Column(String(ID), primary_key=True)
    since = Column(Date, primary_key=True)
    until = Column(Date)
    kind = Column(String(20), nullable=False)
    parent = Column(String(ID))
    agency = Column(String(ID), nullable=False, index=True)
    name = Column(String(200))


class Spell(Base):
    __tablename__ = "spells"
    id = Column(String(ID), primary_key=True)
    person = Column(String(ID), nullable=False, index=True)
    kind = Column(String(20), nullable=False)
    leave_kind = Column(String(20))
    start = Column(Date, nullable=False)
    end = Column(Date)


class Satisfaction(Base):
    __tablename__ = "satisfaction"
    campaign_id = Column(String(ID), primary_key=True)
    subject = Column(String(ID), primary_key=True)
    period = Column(String(10), nullable=False, index=True)
    satisfied = Column(Integer, nullable=False)
    basic = Column(Integer, nullable=False)
    dissatisfied = Column(Integer, nullable=False)
    final = Column(Boolean, nullable=False)


class Evaluation(Base):
    __tablename__ = "evaluations"
    id = Column(String(250), primary_key=True)          # "<kind>:<subject>:<YYYY-MM>"
    kind = Column(String(10), nullable=False)           # officer | section
    subject = Column(String(ID), nullable=False)
    month = Column(String(7), nullable=False)
    agency = Column(String(ID))
    evaluator = Column(String(ID))
    state = Column(String(20), nullable=False)
    template_version = Column(String(100), nullable=False)
    item_scores = Column(JSON)
    deductions = Column(JSON)
    self_score = Column(SCORE)
    score = Column(SCORE)
    submitted_on = Column(Date)
    reviewed_by = Column(String(ID))
    approved_by = Column(String(ID))
    notice_start = Column(Date)
    notice_end = Column(Date)
    filed_on = Column(Date)
    late = Column(Boolean, nullable=False, default=False)
    overdue_flagged_on = Column(Date)
    objections = Column(Integer, nullable=False, default=0)
    __table_args__ = (Index("ix_evaluations_month_kind", "month", "kind"),
                      Index("ix_evaluations_subject", "subject"),
                      Index("ix_evaluations_evaluator_month", "evaluator", "month"))


class EvaluationLog(Base):
    __tablename__ = "evaluation_log"
    id = Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    evaluation_id = Column(String(250), nullable=False, index=True)
    action = Column(String(20), nullable=False)
    actor = Column(String(ID), nullable=False)
    # who the entry point verified (kind:sub): the actor itself for a person, the calling system
    # for a system acting for its persons, the operator for an import; null before it was recorded
    signed_by = Column(String(200))
    on_date = Column(Date, nullable=False)
    from_state = Column(String(20))
    to_state = Column(String(20), nullable=False)
    note = Column(Text)
    digest = Column(String(64))
    at = Column(DateTime, nullable=False, default=utcnow)


class DailyLog(Base):
    __tablename__ = "daily_logs"
    person = Column(String(ID), primary_key=True)
    on_date = Column(Date, primary_key=True)
    text = Column(Text, nullable=False)
    mentor = Column(String(ID), index=True)
    reviewed_by = Column(String(ID))
    reviewed_on = Column(Date)
    comment = Column(Text)
    signed_by = signed_column(on_update=False)   # who the entry point verified for the log written
    reviewed_signed_by = Column(String(SIGNED_LENGTH))   # who the entry point verified for the review


class Ranking(Base):
    __tablename__ = "rankings"
    evaluator = Column(String(ID), primary_key=True)
    month = Column(String(7), primary_key=True)
    grp = Column(String(20), primary_key=True)
    subject = Column(String(ID), primary_key=True)
    score = Column(SCORE, nullable=False)
    rank = Column(Integer, nullable=False)
    klass = Column(String(10), nullable=False)
    signed_by = signed_column()      # who the entry point verified when the row was last written
    # the follow-ups read a month's group across evaluators (the previous month's classes of the
    # subjects ranked, the next month's ranking): the key starts with the evaluator (#24 item 5)
    __table_args__ = (Index("ix_rankings_month_grp_subject", "month", "grp", "subject"),)


class Rectification(Base):
    __tablename__ = "rectifications"
    evaluator = Column(String(ID), primary_key=True)
    month = Column(String(7), primary_key=True)
    subject = Column(String(ID), primary_key=True)
    grp = Column(String(20), nullable=False)
    state = Column(String(20), nullable=False)
    explanation = Column(Text)
    plan = Column(Text)
    submitted_by = Column(String(ID))
    submitted_on = Column(Date)
    filed_by = Column(String(ID))
    filed_on = Column(Date)
    signed_by = signed_column(on_update=False)   # who the entry point verified for the rectification owed (the ranking)
    submitted_signed_by = Column(String(SIGNED_LENGTH))   # who the entry point verified for the plan submitted
    filed_signed_by = Column(String(SIGNED_LENGTH))   # who the entry point verified for the plan filed (approved)


class Honour(Base):
    __tablename__ = "honours"
    id = Column(String(ID), primary_key=True)
    subject = Column(String(ID), nullable=False, index=True)
    title = Column(String(200), nullable=False)
    level = Column(String(20), nullable=False)
    on_date = Column(Date, nullable=False)
    signed_by = signed_column()      # who the entry point verified when the row was last written


class SubjectFact(Base):
    __tablename__ = "subject_facts"
    id = Column(String(ID), primary_key=True)
    subject = Column(String(ID), nullable=False, index=True)
    subject_kind = Column(String(10), nullable=False)
    kind = Column(String(40), nullable=False)
    on_date = Column(Date, nullable=False)
    note = Column(Text)
    signed_by = signed_column()      # who the entry point verified when the row was last written


class Absence(Base):
    __tablename__ = "absences"
    person = Column(String(ID), primary_key=True)
    on_date = Column(Date, primary_key=True)
    signed_by = signed_column()      # who the entry point verified when the row was last written


class AgencyEvaluation(Base):
    __tablename__ = "agency_evaluations"
    agency = Column(String(ID), primary_key=True)
    year = Column(Integer, primary_key=True)
    grp = Column(String(20), nullable=False)
    standards = Column(JSON, nullable=False)
    awards = Column(JSON, nullable=False)
    criticisms = Column(Integer, nullable=False, default=0)
    previous_class = Column(Integer)
    recorded_by = Column(String(ID))
    signed_by = signed_column()      # who the entry point verified when the row was last written


class CriteriaPack(Base):
    __tablename__ = "criteria_packs"
    agency = Column(String(ID), primary_key=True)
    kind = Column(String(10), primary_key=True)
    version = Column(Integer, primary_key=True)
    effective_from = Column(String(7), nullable=False)
    pack = Column(JSON, nullable=False)


class Rating(Base):
    __tablename__ = "ratings"
    rating_id = Column(String(200), primary_key=True)
    period = Column(String(10), nullable=False)
    scope = Column(String(ID), nullable=False)
    version = Column(Integer, nullable=False)
    rating_date = Column(Date, nullable=False)
    digest = Column(String(64), nullable=False)
    snapshot = Column(Text, nullable=False)      # JSON text: the snapshot exactly as rated
    skipped = Column(JSON, nullable=False)
    event_id = Column(String(64))
    created_at = Column(DateTime, nullable=False, default=utcnow)
    #: the public notice (公示) of its results: the rating day, then three working days (issue 23)
    notice_start = Column(Date)
    notice_end = Column(Date)
    signed_by = signed_column(on_update=False)   # who the entry point verified for the rating run
    __table_args__ = (Index("ix_ratings_period_scope", "period", "scope"),)


class RatingResultChunk(Base):
    """The results of a rating, a chunk of subjects per row (up to ``repository.CHUNK`` subjects of
    one agency): ``results`` is the JSON array of their engine JSON (each kept whole for the
    explanation RPC, settlement lines under ``_settlement``), ``entries`` the JSON array of
    ``[subject, kind, agency, section, status, class, n]`` in the same order (``n``: the subject's
    place in the rating); ``subjects`` and ``sections`` list them between ``\\x1f`` separators, for
    the lookups by subject and by unit."""
    __tablename__ = "rating_result_chunks"
    rating_id = Column(String(200), primary_key=True)
    chunk = Column(Integer, primary_key=True, autoincrement=False)
    agency = Column(String(ID))
    subjects = Column(Text, nullable=False)
    sections = Column(Text, nullable=False)
    entries = Column(Text, nullable=False)
    results = Column(Text, nullable=False)


class BanCase(Base):
    """A case opened by a confirmed violation of one of the ten bans (M§三(三)), from roster's
    ``ban_violated``: one against the violator (``role`` ``violator``) and one against the mentor
    on the day of the violation (``mentor``, the 联带责任人)."""
    __tablename__ = "ban_cases"
    id = Column(String(ID), primary_key=True)            # the roster's case id
    violation_id = Column(String(ID), nullable=False, index=True)
    subject = Column(String(ID), nullable=False, index=True)   # the person the case is against
    role = Column(String(20), nullable=False)             # violator | mentor
    violator = Column(String(ID), nullable=False)
    ban = Column(Integer, nullable=False)
    occurred_on = Column(Date, nullable=False)
    confirmed_on = Column(Date, nullable=False)
