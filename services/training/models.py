"""Tables of the training service (its own database)."""
from sqlalchemy import (JSON, Boolean, Column, Date, DateTime, Integer, String, UniqueConstraint)

from shared.db import make_base, signed_column, utcnow

Base = make_base()


class Person(Base):
    """The read model of the team: fed by roster's staff events and by ``upsert_people``."""
    __tablename__ = "people"
    id = Column(String(100), primary_key=True)
    unit_id = Column(String(100), nullable=False, index=True)
    agency_id = Column(String(100), nullable=True)
    position = Column(String(20), nullable=False)
    joined = Column(Date, nullable=True)
    left_on = Column(Date, nullable=True)
    status = Column(String(20), nullable=False, default="active")


class PersonPost(Base):
    """A post of a person from ``start`` (unit, agency, position) until the next one starts: the
    dated history of the read model (SPEC §9), from the roster's events (``since``)."""
    __tablename__ = "person_posts"
    person_id = Column(String(100), primary_key=True)
    start = Column(Date, primary_key=True)
    unit_id = Column(String(100), nullable=False)
    agency_id = Column(String(100), nullable=True)
    position = Column(String(20), nullable=False)


class PersonDeparture(Base):
    """A departure from the team (the roster's ``staff_left``) with its day: the person has no post from
    ``on`` until a post of his begins after it (a return, ``return_to_team``: a ``staff_changed`` with
    the new post from the day of the return)."""
    __tablename__ = "person_departures"
    person_id = Column(String(100), primary_key=True)
    on = Column(Date, primary_key=True)
    kind = Column(String(20), nullable=False)       # transferred_out / dismissed


class UnitVersion(Base):
    """The roster's unit tree through time (``units_saved``), for the policy table only: a unit's
    kind and parent from ``since`` to ``until`` (inclusive; null = open), so that a committee's staff
    have the committee's roles here and a unit lies below its agency and committee."""
    __tablename__ = "unit_versions"
    id = Column(String(100), primary_key=True)
    since = Column(Date, primary_key=True)
    until = Column(Date, nullable=True)
    kind = Column(String(20), nullable=False)
    parent = Column(String(100), nullable=True)


class Course(Base):
    __tablename__ = "courses"
    id = Column(String(100), primary_key=True)
    kind = Column(String(30), nullable=False)
    title = Column(String(200), nullable=False, default="")
    modules = Column(JSON, nullable=False, default=list)
    signed_by = signed_column()      # who the entry point verified when the row was last written


class Result(Base):
    """One result: a person's pass or fail of a course on a day (never twice)."""
    __tablename__ = "results"
    __table_args__ = (UniqueConstraint("person_id", "course_id", "taken_on", name="uq_result"),)
    id = Column(Integer, primary_key=True, autoincrement=True)
    person_id = Column(String(100), nullable=False, index=True)
    course_id = Column(String(100), nullable=False)
    kind = Column(String(30), nullable=False)
    taken_on = Column(Date, nullable=False)
    passed = Column(Boolean, nullable=False)
    recorded_at = Column(DateTime, nullable=False, default=utcnow)
    signed_by = signed_column()      # who the entry point verified when the row was last written


class StudyDay(Base):
    """A day of political-theory study of a person (distinct days: the key)."""
    __tablename__ = "study_days"
    person_id = Column(String(100), primary_key=True)
    day = Column(Date, primary_key=True)
    signed_by = signed_column()      # who the entry point verified when the row was last written


class Session(Base):
    """A central study group session of a unit (中心组集中学习)."""
    __tablename__ = "sessions"
    unit_id = Column(String(100), primary_key=True)
    start = Column(Date, primary_key=True)
    days = Column(Integer, nullable=False)
    signed_by = signed_column()      # who the entry point verified when the row was last written


class FrontlinePost(Base):
    """A new officer's front-line posting (基层一线岗位)."""
    __tablename__ = "frontline_posts"
    person_id = Column(String(100), primary_key=True)
    start = Column(Date, nullable=False)
    left_on = Column(Date, nullable=True)
    signed_by = signed_column()      # who the entry point verified when the row was last written


class Announcement(Base):
    """Once-only events (allowance of a person's month, a reminder, a revocation): the key is the
    guarantee that a re-run publishes nothing twice."""
    __tablename__ = "announcements"
    kind = Column(String(30), primary_key=True)
    key = Column(String(250), primary_key=True)
    event_id = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
