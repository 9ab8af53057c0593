"""Tables of the rewards service (its own database).

* ``received_rating`` — every rating settled, as received (so reconciliation can recompute), with
  the schedules applied and the disagreements found; its ``status``: ``settled`` (in force for its
  period and scope), ``superseded`` (a newer version was settled by reversal and correction lines)
  or ``refused`` (found by the migration to overlap a rating of another scope settled before it:
  its lines were reversed);
* ``rating_subject`` — (period, subject) → the rating in force that settled the subject: the one
  place that says who answers for a person's money of a period (a rating of another scope over
  the same subjects is refused);
* ``received_allowance`` — every (officer, month) allowance received from training;
* ``ledger_line`` — the settlement ledger, one row per unique ``key``, hash-chained in ``seq`` order;
  a reversal names the line it cancels in ``reverses`` (unique: a line is reversed once);
* ``ledger_head`` — one row (id 1): the chain's last seq and hash; locked (SELECT … FOR UPDATE) by
  every append, which serialises concurrent settlements on PostgreSQL (SQLite has one writer);
* ``reward_schedule`` — agencies' adapted amounts (对接), from a year on;
* ``reward_task`` — talks and rectifications with due, done and revoked dates;
* ``unit_versions``, ``person_posts``, ``person_departures`` — the roster's unit tree and persons' posts
  through time (``units_saved``, ``staff_joined``/``staff_changed``, ``staff_left``), for the policy
  table only: a person has the role of his post here, within his unit (issue 22: the committee's
  office reads its agencies' notice).
"""
from sqlalchemy import (JSON, Column, Date, DateTime, Index, Integer, String, Text,
                        UniqueConstraint)

from shared.db import SIGNED_LENGTH, make_base, signed_column, utcnow

Base = make_base()


class ReceivedRating(Base):
    __tablename__ = "received_rating"
    rating_id = Column(String(200), primary_key=True)
    period = Column(String(10), nullable=False, index=True)
    kind = Column(String(10), nullable=False)
    scope = Column(String(100), nullable=False)
    version = Column(Integer, nullable=True)
    status = Column(String(12), nullable=False, default="settled", server_default="settled")
    content_hash = Column(String(64), nullable=False)
    payload = Column(Text, nullable=False)           # the validated rating, JSON
    schedules = Column(JSON, nullable=False)         # agency -> {"officer", "section_per_head", "basis"}
    paying_units = Column(JSON, nullable=False)      # [agency id]
    disagreements = Column(JSON, nullable=False)     # [{"subject", "kind", "in"}]
    event_id = Column(String(100), nullable=True)
    received_at = Column(DateTime, nullable=False, default=utcnow)
    signed_by = signed_column(on_update=False)   # who the entry point verified for the settlement: service:scoring for its event, operator:… for a replay


class RatingSubject(Base):
    __tablename__ = "rating_subject"
    period = Column(String(10), primary_key=True)
    subject = Column(String(100), primary_key=True)
    scope = Column(String(100), nullable=False)
    rating_id = Column(String(200), nullable=False, index=True)
    signed_by = signed_column()      # who the entry point verified when the row was last written


class ReceivedAllowance(Base):
    __tablename__ = "received_allowance"
    allowance_id = Column(String(200), primary_key=True)   # "<officer>:<YYYY-MM>", a re-grant "…#<n>"
    officer = Column(String(100), nullable=False)
    month = Column(String(7), nullable=False, index=True)
    paying_unit = Column(String(100), nullable=True)
    amount = Column(Integer, nullable=False)
    event_id = Column(String(100), nullable=True)
    received_at = Column(DateTime, nullable=False, default=utcnow)
    signed_by = signed_column(on_update=False)   # who the entry point verified for the allowance received (service:training)


class WithdrawnAllowance(Base):
    """A grant training withdrew (``allowance_withdrawn``): its line reversed once, or, received before
    its due, the due pays nothing."""
    __tablename__ = "withdrawn_allowance"
    allowance_id = Column(String(200), primary_key=True)   # the grant's "<officer>:<YYYY-MM>[#n]"
    officer = Column(String(100), nullable=False)
    month = Column(String(7), nullable=False, index=True)
    event_id = Column(String(100), nullable=True)
    received_at = Column(DateTime, nullable=False, default=utcnow)
    signed_by = signed_column(on_update=False)   # who the entry point verified for the withdrawal received (service:training)


class LedgerLine(Base):
    __tablename__ = "ledger_line"
    __table_args__ = (UniqueConstraint("reverses", name="uq_ledger_line_reverses"),)
    seq = Column(Integer, primary_key=True, autoincrement=False)
    key = Column(String(400), nullable=False, unique=True)
    source = Column(String(200), nullable=False, index=True)
    period = Column(String(10), nullable=False, index=True)
    subject = Column(String(100), nullable=False, index=True)
    subject_type = Column(String(10), nullable=False)
    kind = Column(String(30), nullable=False)
    amount = Column(Integer, nullable=True)          # whole yuan
    paying_unit = Column(String(100), nullable=True, index=True)
    reason = Column(String(40), nullable=False)
    rule = Column(String(100), nullable=False)
    basis = Column(String(120), nullable=True)
    effective = Column(String(10), nullable=False)
    reverses = Column(String(400), nullable=True)
    recorded_at = Column(String(32), nullable=False)
    prev_hash = Column(String(64), nullable=False)
    hash = Column(String(64), nullable=False)
    # who the entry point verified for the settlement that wrote the line (not hashed: the chain
    # stays what it was; null for lines of before it was recorded)
    signed_by = signed_column(on_update=False)   # who the entry point verified for the line written


class LedgerHead(Base):
    __tablename__ = "ledger_head"
    id = Column(Integer, primary_key=True, autoincrement=False)
    seq = Column(Integer, nullable=False)
    hash = Column(String(64), nullable=False)


class RewardSchedule(Base):
    __tablename__ = "reward_schedule"
    agency = Column(String(100), primary_key=True)
    effective_from = Column(String(4), primary_key=True)
    officer = Column(JSON, nullable=False)            # {"1": 0, ..., "5": 1000}
    section_per_head = Column(JSON, nullable=False)
    registered_at = Column(DateTime, nullable=False, default=utcnow)
    signed_by = signed_column()      # who the entry point verified when the row was last written


class RewardTask(Base):
    __tablename__ = "reward_task"
    key = Column(String(400), primary_key=True)       # the ledger line's key
    subject = Column(String(100), nullable=False, index=True)
    kind = Column(String(30), nullable=False)
    period = Column(String(10), nullable=False, index=True)
    paying_unit = Column(String(100), nullable=True)
    opened = Column(Date, nullable=False)
    due = Column(Date, nullable=False)
    done = Column(Date, nullable=True)
    revoked = Column(Date, nullable=True)
    signed_by = signed_column(on_update=False)   # who the entry point verified for the task opened (the settlement)
    done_signed_by = Column(String(SIGNED_LENGTH))   # who the entry point verified for the task done
    revoked_signed_by = Column(String(SIGNED_LENGTH))   # who the entry point verified for the task revoked (a later settlement)


class StoredNotice(Base):
    """A period's public notice, computed once per version of its data and stored (issue 19): the
    version is the ledger's last sequence number and the period's received ratings (count, latest).
    An export whose version matches reads this row and only serialises it."""
    __tablename__ = "stored_notice"
    period = Column(String(10), primary_key=True)
    version = Column(String(200), nullable=False)
    notice = Column(JSON, nullable=False)
    computed_at = Column(DateTime, nullable=False, default=utcnow)


class UnitVersion(Base):
    """A unit's kind and parent from ``since`` to ``until`` (inclusive; null = open), as the roster
    saved it."""
    __tablename__ = "unit_versions"
    id = Column(String(100), primary_key=True)
    since = Column(Date, primary_key=True)
    until = Column(Date, nullable=True)
    kind = Column(String(20), nullable=False)
    parent = Column(String(100), nullable=True)


class PersonPost(Base):
    """A person's post from ``start`` (unit, agency, position) until the next one starts."""
    __tablename__ = "person_posts"
    person_id = Column(String(100), primary_key=True)
    start = Column(Date, primary_key=True)
    unit_id = Column(String(100), nullable=False)
    agency_id = Column(String(100), nullable=True)
    position = Column(String(20), nullable=False)


class PersonDeparture(Base):
    """A departure from the team (the roster's ``staff_left``) with its day: the person has no post
    from ``left_on`` until a post of his begins after it (a return, ``return_to_team``), as
    ``shared.dated.away_on`` reads it for every service."""
    __tablename__ = "person_departures"
    person_id = Column(String(100), primary_key=True)
    left_on = Column(Date, primary_key=True)


Index("ix_reward_task_open_due", RewardTask.done, RewardTask.due)
Index("ix_received_rating_period_scope", ReceivedRating.period, ReceivedRating.scope)
