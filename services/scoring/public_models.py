"""The public's objections to a month's notice (公示异议, issue 23), declared on scoring's ``Base``.

Created by the migration ``a1c3e5f7b9d2``; importing this module registers the table.
"""
from sqlalchemy import Boolean, Column, Date, DateTime, Index, String, Text

from shared.db import SIGNED_LENGTH, signed_column, utcnow
from services.scoring.models import Base

ID = 100


class PublicObjection(Base):
    __tablename__ = "public_objections"
    id = Column(String(ID), primary_key=True)           # the form's objection_id (idempotency)
    evaluator = Column(String(ID), nullable=False)
    month = Column(String(7), nullable=False)
    kind = Column(String(10), nullable=False)
    subject = Column(String(ID), nullable=False)
    text = Column(Text, nullable=False)
    contact = Column(String(ID), nullable=False)
    received_on = Column(Date, nullable=False)
    received_at = Column(DateTime, nullable=False, default=utcnow)
    state = Column(String(10), nullable=False)           # open | answered
    answer = Column(Text)
    upheld = Column(Boolean)
    answered_by = Column(String(ID))
    answered_on = Column(Date)
    reopened = Column(Boolean, nullable=False, default=False)
    signed_by = signed_column(on_update=False)   # who the entry point verified for the objection received (service:gateway)
    answered_signed_by = Column(String(SIGNED_LENGTH))   # who the entry point verified for the answer
    __table_args__ = (Index("ix_public_objections_evaluator_month", "evaluator", "month"),)
