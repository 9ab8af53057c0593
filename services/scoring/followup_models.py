"""Tables of the working-day calendar and the ranking's follow-ups (declared on scoring's ``Base``).

``calendar_years``: a year's public holidays and make-up working days loaded by the committee's
office (the ``chinese-calendar`` package answers for the years it covers); ``referrals``: good or
poor twice running, with the office meeting's minutes; ``poor_helpers`` (三帮一) and
``study_class_attendance`` (学习班) of the poor; ``followup_tasks`` (a poor leader's collective
talk); ``recognition_results``: the committee leaders' recognition poll (公认度测评) of a half-year,
from survey.  Created by the migration ``f3b1a9c7d2e4``; importing this module registers them.
"""
from sqlalchemy import JSON, Boolean, Column, Date, Integer, Numeric, String, Text

from services.scoring.models import Base
from shared.db import SIGNED_LENGTH, signed_column

ID = 100


class CalendarYear(Base):
    __tablename__ = "calendar_years"
    year = Column(Integer, primary_key=True, autoincrement=False)
    holidays = Column(JSON, nullable=False)        # [[iso date, name], ...]
    workdays = Column(JSON, nullable=False)
    digest = Column(String(64), nullable=False)
    version = Column(Integer, nullable=False)
    loaded_by = Column(String(ID), nullable=False)
    loaded_on = Column(Date, nullable=False)
    signed_by = signed_column()      # who the entry point verified when the row was last written


class Referral(Base):
    __tablename__ = "referrals"
    id = Column(String(250), primary_key=True)     # "<group>:<subject>:<YYYY-MM>"
    evaluator = Column(String(ID), nullable=False, index=True)
    month = Column(String(7), nullable=False, index=True)
    grp = Column(String(20), nullable=False)
    subject = Column(String(ID), nullable=False, index=True)
    klass = Column(String(10), nullable=False)
    state = Column(String(20), nullable=False)     # open | minuted | withdrawn
    meeting_date = Column(Date)
    minutes = Column(Text)
    addressees = Column(JSON)
    recorded_by = Column(String(ID))
    recorded_on = Column(Date)
    signed_by = signed_column(on_update=False)   # who the entry point verified for the referral opened (the ranking)
    recorded_signed_by = Column(String(SIGNED_LENGTH))   # who the entry point verified for the minutes recorded


class PoorHelpers(Base):
    __tablename__ = "poor_helpers"
    evaluator = Column(String(ID), primary_key=True)
    month = Column(String(7), primary_key=True)
    subject = Column(String(ID), primary_key=True)
    helpers = Column(JSON, nullable=False)
    named_by = Column(String(ID), nullable=False)
    named_on = Column(Date, nullable=False)
    signed_by = signed_column()      # who the entry point verified when the row was last written


class StudyClassAttendance(Base):
    __tablename__ = "study_class_attendance"
    evaluator = Column(String(ID), primary_key=True)
    month = Column(String(7), primary_key=True)
    subject = Column(String(ID), primary_key=True)
    class_id = Column(String(ID), primary_key=True)
    class_name = Column(String(200), nullable=False)
    held_on = Column(Date, nullable=False)
    attendee = Column(String(ID), nullable=False)
    attended = Column(Boolean, nullable=False)
    recorded_by = Column(String(ID), nullable=False)
    signed_by = signed_column()      # who the entry point verified when the row was last written


class FollowupTask(Base):
    __tablename__ = "followup_tasks"
    id = Column(String(250), primary_key=True)     # "<kind>:<subject>:<YYYY-MM>"
    kind = Column(String(30), nullable=False)
    evaluator = Column(String(ID), nullable=False, index=True)
    month = Column(String(7), nullable=False, index=True)
    subject = Column(String(ID), nullable=False)
    opened_on = Column(Date, nullable=False)
    due = Column(Date, nullable=False)
    state = Column(String(20), nullable=False)     # open | done | withdrawn
    done_on = Column(Date)
    done_by = Column(String(ID))
    record = Column(Text)
    signed_by = signed_column(on_update=False)   # who the entry point verified for the task opened (the ranking)
    done_signed_by = Column(String(SIGNED_LENGTH))   # who the entry point verified for the task done


class RecognitionResult(Base):
    __tablename__ = "recognition_results"
    campaign_id = Column(String(ID), primary_key=True)
    subject = Column(String(ID), primary_key=True)
    period = Column(String(10), nullable=False, index=True)
    owner = Column(String(ID), nullable=False)
    recognised = Column(Integer, nullable=False)
    basic = Column(Integer, nullable=False)
    not_recognised = Column(Integer, nullable=False)
    rate = Column(Numeric(9, 6))
    forms = Column(Integer, nullable=False)
    final = Column(Boolean, nullable=False)
