"""Tables of the roster service (its own database)."""
from sqlalchemy import Column, Date, Index, Integer, String, Text

from shared.db import make_base, signed_column

Base = make_base()


class UnitVersionRow(Base):
    """A unit through time (SPEC §9): name, kind, parent, type, rank and supervising unit from
    ``start`` to ``end`` (inclusive; null = current). A unit whose latest version is closed was
    dissolved the day after its ``end``."""
    __tablename__ = "unit_versions"
    id = Column(String(100), primary_key=True)
    start = Column(Date, primary_key=True)
    end = Column(Date, nullable=True)
    name = Column(String(200), nullable=False)
    kind = Column(String(20), nullable=False)
    parent = Column(String(100), nullable=True, index=True)
    agency_type = Column(String(40), nullable=True)
    rank = Column(String(40), nullable=True)
    supervising_unit = Column(String(100), nullable=True)
    signed_by = signed_column()      # who the entry point verified when the row was last written


class TreeStampRow(Base):
    """One row: a fresh value written with every change of ``unit_versions``, in the same transaction.
    A process keeps the tree it last read beside the stamp it read first, and reads the tree again
    only when the stamp differs (the roster's reads of a person's unit read the whole tree)."""
    __tablename__ = "unit_tree_stamp"
    id = Column(Integer, primary_key=True)
    stamp = Column(String(32), nullable=False)


class StaffRow(Base):
    __tablename__ = "staff"
    id = Column(String(100), primary_key=True)
    name = Column(String(200), nullable=False)
    unit = Column(String(100), nullable=False, index=True)
    position = Column(String(20), nullable=False)
    joined = Column(Date, nullable=False)
    titles = Column(Text, nullable=False, default="")        # ';'-joined, sorted
    supervises = Column(Text, nullable=False, default="")    # ';'-joined, sorted
    signed_by = signed_column()      # who the entry point verified when the row was last written


class PostRow(Base):
    """A person's post through time (SPEC §9): unit, position, titles and supervised sections from
    ``start`` to ``end`` (inclusive; null = current). ``staff`` keeps the current post."""
    __tablename__ = "posts"
    person = Column(String(100), primary_key=True)
    start = Column(Date, primary_key=True)
    end = Column(Date, nullable=True)
    unit = Column(String(100), nullable=False, index=True)
    position = Column(String(20), nullable=False)
    titles = Column(Text, nullable=False, default="")
    supervises = Column(Text, nullable=False, default="")
    signed_by = signed_column()      # who the entry point verified when the row was last written


class SpellRow(Base):
    __tablename__ = "spells"
    id = Column(String(64), primary_key=True)
    person = Column(String(100), nullable=False, index=True)
    kind = Column(String(20), nullable=False)
    start = Column(Date, nullable=False)
    end = Column(Date, nullable=True)
    leave_kind = Column(String(20), nullable=True)
    host_unit = Column(String(100), nullable=True)
    note = Column(Text, nullable=True)
    signed_by = signed_column()      # who the entry point verified when the row was last written


class PairRow(Base):
    __tablename__ = "mentor_pairs"
    id = Column(String(64), primary_key=True)
    mentor = Column(String(100), nullable=False, index=True)
    mentee = Column(String(100), nullable=False, index=True)
    start = Column(Date, nullable=False)
    end = Column(Date, nullable=True)
    signed_by = signed_column()      # who the entry point verified when the row was last written


class BanViolationRow(Base):
    __tablename__ = "ban_violations"
    id = Column(String(64), primary_key=True)
    person = Column(String(100), nullable=False, index=True)
    ban = Column(Integer, nullable=False)
    occurred_on = Column(Date, nullable=False)
    confirmed_on = Column(Date, nullable=False)
    mentor = Column(String(100), nullable=True)
    note = Column(Text, nullable=True)
    signed_by = signed_column()      # who the entry point verified when the row was last written


class CaseRow(Base):
    __tablename__ = "ban_cases"
    id = Column(String(64), primary_key=True)
    violation = Column(String(64), nullable=False, index=True)
    person = Column(String(100), nullable=False, index=True)
    role = Column(String(20), nullable=False)
    signed_by = signed_column()      # who the entry point verified when the row was last written


Index("ix_spells_kind_person", SpellRow.kind, SpellRow.person)


class DisciplineFactRow(Base):
    """Team-discipline facts behind targets 2 and 4-7 of the Method (M§一)."""
    __tablename__ = "discipline_facts"
    id = Column(String(64), primary_key=True)
    kind = Column(String(40), nullable=False)
    agency = Column(String(100), nullable=False, index=True)
    unit = Column(String(100), nullable=False)
    person = Column(String(100), nullable=True, index=True)
    year = Column(Integer, nullable=False, index=True)
    occurred_on = Column(Date, nullable=False)
    reported_on = Column(Date, nullable=False)
    investigated_on = Column(Date, nullable=True)
    note = Column(Text, nullable=True)
    signed_by = signed_column()      # who the entry point verified when the row was last written
