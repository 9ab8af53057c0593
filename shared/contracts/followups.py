"""Contracts of scoring's working-day calendar, ranking follow-ups and recognition results.

RPC (service ``scoring``), one dict payload each:

Calendar (SPEC §3.1: public holidays and make-up working days; the package ``chinese-calendar`` for
the years it covers, the office's file for the others, Monday–Friday and a warning otherwise)
* ``load_calendar(LoadCalendar)`` -> ``{"year", "source": "loaded", "version", "changed",
  "holidays": n, "workdays": n, "differs_from_package"}``; a bad file names the field
  (``calendar.holidays[2].date``); the actor is on a committee's staff (its office)
* ``calendar_year(CalendarYearQuery)`` -> ``{"year", "source", "holidays": [{"date", "name"}],
  "workdays": [...]}`` (source ``loaded`` | ``package`` | ``weekdays``)
* ``calendar_status(AsOfQuery)`` -> ``{"as_of", "years": [{"year", "source"}], "missing": [year]}``
* ``working_days(WorkingDaysQuery)`` -> ``{"start", "end", "working_days": [date], "sources",
  "notice_end_if_posted_on_start"}``
* ``health()`` adds ``calendar_missing_years`` and, when a year is missing, ``warnings``; the gauge
  ``lianbao_calendar_missing_years`` counts this year and the next without an arrangement.

Ranking follow-ups (001 §一3)
* ``referrals(ReferralQuery)`` -> ``{"count", "referrals": [REFERRAL]}``; REFERRAL = ``{"id",
  "evaluator", "month", "group", "subject", "name", "class", "state", "meeting_date", "minutes",
  "addressees", "recorded_by"}``, state ``open`` | ``minuted`` | ``withdrawn``
* ``referrals_export(ReferralExport)`` -> ``{"filename", "format", "rows", "content_base64"}`` (CSV
  with BOM or XLSX; text starting with = + - @ tab CR is written as text)
* ``record_referral_minutes(ReferralMinutes)`` -> REFERRAL (state ``minuted``)
* ``name_helpers(NameHelpers)`` / ``record_study_class(StudyClassIn)`` -> POOR;
  ``poor_followups(PoorFollowupQuery)`` -> ``{"month", "count", "poor": [POOR]}``; POOR =
  ``{"evaluator", "month", "subject", "group", "rectification", "helpers", "helpers_named",
  "study_classes", "collective_talk"}``
* ``followup_tasks(TaskQuery)`` -> ``{"as_of", "count", "overdue", "tasks": [TASK]}``;
  ``complete_task(CompleteTask)`` -> TASK

Recognition poll (公认度测评, SPEC §3.3), fed by survey's ``recognition_poll_published``
* ``recognition_results(RecognitionQuery)`` -> ``{"period", "results": [{"campaign_id", "subject",
  "name", "owner", "recognised", "basic", "not_recognised", "rate", "forms", "final"}]}``
"""
from __future__ import annotations

from marshmallow import fields, validate

from shared.schemas import BaseSchema, Id, IsoDate, StrictInteger

_id = dict(required=True, validate=validate.Length(min=1, max=100))
_opt_id = dict(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))
_month = dict(required=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$",
                                                      error="Not a valid month (YYYY-MM)."))
_opt_month = dict(load_default=None, allow_none=True,
                  validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$",
                                           error="Not a valid month (YYYY-MM)."))
_text = dict(required=True, validate=validate.Length(min=1, max=20000))


class _AsOf(BaseSchema):
    as_of = IsoDate(load_default=None, allow_none=True)


class LoadCalendar(_AsOf):
    actor = Id(**_id)
    calendar = fields.Dict(required=True)          # checked field by field by the domain


class CalendarYearQuery(BaseSchema):
    year = StrictInteger(required=True, validate=validate.Range(min=1949, max=2999))


class AsOfQuery(_AsOf):
    pass


class WorkingDaysQuery(BaseSchema):
    start = IsoDate(required=True)
    end = IsoDate(required=True)


class ReferralQuery(BaseSchema):
    evaluator = Id(**_opt_id)
    month = fields.String(**_opt_month)
    year = StrictInteger(load_default=None, allow_none=True, validate=validate.Range(min=1949, max=2999))
    state = fields.String(load_default=None, allow_none=True,
                          validate=validate.OneOf(("open", "minuted", "withdrawn")))
    include_withdrawn = fields.Boolean(load_default=False)


class ReferralExport(ReferralQuery):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(("csv", "xlsx")))


class ReferralMinutes(_AsOf):
    actor = Id(**_id)
    referral_id = fields.String(required=True, validate=validate.Length(min=1, max=250))
    meeting_date = IsoDate(required=True)
    minutes = fields.String(**_text)
    addressees = fields.List(fields.String(validate=validate.Length(min=1, max=200)),
                             load_default=None, validate=validate.Length(min=1, max=20))


class _PoorRef(_AsOf):
    actor = Id(**_id)
    evaluator = Id(**_id)
    month = fields.String(**_month)
    subject = Id(**_id)


class NameHelpers(_PoorRef):
    helpers = fields.List(fields.String(validate=validate.Length(min=1, max=100)), required=True,
                          validate=validate.Length(min=1, max=10))


class StudyClassIn(_PoorRef):
    class_id = Id(**_id)
    class_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    held_on = IsoDate(required=True)
    attendee = Id(**_opt_id)
    attended = fields.Boolean(required=True)


class PoorFollowupQuery(BaseSchema):
    month = fields.String(**_month)
    evaluator = Id(**_opt_id)


class TaskQuery(BaseSchema):
    as_of = IsoDate(required=True)
    evaluator = Id(**_opt_id)
    month = fields.String(**_opt_month)
    state = fields.String(load_default=None, allow_none=True,
                          validate=validate.OneOf(("open", "done", "withdrawn")))


class CompleteTask(_AsOf):
    actor = Id(**_id)
    task_id = fields.String(required=True, validate=validate.Length(min=1, max=250))
    held_on = IsoDate(required=True)
    record = fields.String(**_text)


class RecognitionQuery(BaseSchema):
    period = fields.String(required=True, validate=validate.Regexp(r"^\d{4}H[12]$",
                                                                    error="Not a half year (YYYYH1|H2)."))
    owner = Id(**_opt_id)
