"""The gateway's one route table: the handlers and ``/openapi.json`` are both generated from it.

Each route names the RPC it forwards to and the contract schema of its input (the same schema the
service validates with), so the REST API, its document and the services cannot drift apart.
"""
from __future__ import annotations

from shared.config import SERVICES
from shared.contracts import followups, gateway, packs, rating, rewards, roster, scoring, survey, training

from services.gateway.routing import Export, Route, Scope
from services.gateway.uploads import ROSTER_ROWS, TRAINING_RESULTS, Upload

UPLOAD_DOC = ("The body is `text/csv` (a header row naming the columns, then one row per line), "
              "`application/x-ndjson` (one JSON object per line) or an XLSX workbook "
              "(`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`: the first sheet, a "
              "header row; a row's number is its line), of any size: it is streamed to disk "
              "and sent on in batches of {n} rows, never held whole. ")

CAMPAIGN_DOC = ("{campaign_id, kind, period, owner, title, status, groups: [group], questionnaire: {key, version: n}, "
                "subjects: {kind: n}, forms_received: n, closed_at: dt?}")
RATES_DOC = ("{campaign_id, kind, period, owner, status, final, questionnaire: {key, version: n}, subjects: [{id, kind, "
             "name, forms, satisfied, basic, dissatisfied, answered, rate, below_60, meets_target, dimensions: "
             "{dimension: {satisfied, basic, dissatisfied, answered, rate, below_60, meets_target}}, groups: {group: "
             "{satisfied, basic, dissatisfied, answered, rate, below_60, meets_target}}, ...}], totals, "
             "...}")
FOLLOWUP_DOC = ("{evaluator, month, subject, group, rectification: {state, explanation: str?, plan: str?}, "
                "helpers: [person], helpers_named: bool, study_classes: [{class_id: str, class_name: str, "
                "held_on: date, attendee: str, attended: bool}], collective_talk: obj?}")
RECTIFICATION_DOC = "{evaluator, month, subject, group, state, explanation: str?, plan: str?, submitted_on: date?, filed_on}"

# whose a campaign is: one row by its key (get_campaign counts the forms: not on every request); a
# campaign's owner never changes, so the gateway keeps it (services.gateway.scope_cache)
CAMPAIGN_OWNER = Scope.lookup("survey.campaign_owner", {"campaign_id": "campaign_id"}, "owner", keep="owner")
PERSON_AGENCY = Scope.lookup("training.get_person", {"person": "person"}, "agency_id", keep="post")
# a person's agency from the roster (the owner of staff), kept GATEWAY_SCOPE_SECONDS (a transfer)
STAFF_AGENCY = Scope.lookup("roster.get_staff", {"person": "person"}, "agency", keep="post")

HEALTH = [
    Route("GET", f"/health/{name}", f"{name}.health", f"Health of the {name} service",
          "{service, version, status, database (reachable), database_kind, outbox_backlog: n, "
          "outbox_oldest_age_seconds, outbox_published: n}: name, version, status, database reachability and "
          "outbox backlog", tag="health",
          errors=(), no_args=True)
    for name in SERVICES
]

SURVEY = [
    Route("POST", "/survey/campaigns", "survey.create_campaign", "Open a satisfaction campaign",
          CAMPAIGN_DOC + " (`created`; the same payload again gives the same answer)",
          body=survey.CreateCampaign(), scope=Scope.at("owner"), tag="survey", errors=(400, 409)),
    Route("GET", "/survey/campaigns", "survey.list_campaigns", "The campaigns of the token's units (a page)",
          "{campaigns: [{campaign_id, kind, period, owner, title, status, groups, questionnaire, closed_at}], "
          "next}: in id order; `next` is the `after` of the next page (null on the last)",
          query=gateway.CampaignsPage(), scope=Scope.filtered("owners"), tag="survey", errors=(400,),
          description="Paged: `limit` (1 to 500, default 100) campaigns whose id comes after `after`. "
                      "A bad `limit` or `after` is a 400 naming it."),
    Route("GET", "/survey/campaigns/{campaign_id}", "survey.get_campaign", "A campaign",
          CAMPAIGN_DOC + ": the campaign, its subjects and forms counted",
          scope=CAMPAIGN_OWNER,
          tag="survey"),
    Route("POST", "/survey/campaigns/{campaign_id}/batches", "survey.submit_batch",
          "Send a batch of paper or online forms",
          survey.BATCH_RESULT_DOC.replace("\n", " ") + " (re-sending a batch_id with the same forms returns "
          "the first answer; with other forms: 409 naming `batch_id`)",
          body=survey.SubmitBatch(exclude=("campaign_id",)), scope=CAMPAIGN_OWNER, tag="survey",
          errors=(400, 404, 409, 422),
          description="Forms are checked one by one; a bad form is reported in `errors` and does not "
                      "fail the others unless `strict`. Send an `Idempotency-Key` header to make "
                      "retries safe: the key is the caller's own, bound to this request (the same key "
                      "with another request is a 409 naming `idempotency_key`)."),
    Route("POST", "/survey/campaigns/{campaign_id}/forms", "survey.submit_batch",
          "Upload forms in bulk (CSV or NDJSON, streamed)",
          "{received: n, accepted: n, rejected: n, duplicates: n, upload: str, batches: n, bad_rows: n, "
          "errors: [error], errors_listed: n}: totals over the batches, `batches`, and the refused "
          "forms with their line in the file (at most 1000 listed, `bad_rows` counts all)",
          query=gateway.FormsUpload(), scope=CAMPAIGN_OWNER, tag="survey", errors=(400, 404, 409, 413, 415, 422),
          upload=Upload("forms", "items", batch_size=5000,
                        counts=("received", "accepted", "rejected", "duplicates")),
          operation="survey_upload_forms",
          description=UPLOAD_DOC.format(n=5000) + "Columns: serial, subject, group, answers. Batch ids are "
                      "`<upload>:<n>`: sending the same upload again counts nothing twice."),
    Route("GET", "/survey/campaigns/{campaign_id}/rates", "survey.get_rates",
          "Satisfaction rates of a campaign",
          RATES_DOC + ": per subject, per dimension, per respondent group, and totals (rates as decimal strings)",
          scope=CAMPAIGN_OWNER, tag="survey"),
    Route("GET", "/survey/campaigns/{campaign_id}/rates.xlsx", "survey.rates_xlsx",
          "Satisfaction rates as a workbook (streamed)", "an .xlsx workbook, one sheet per subject kind",
          scope=CAMPAIGN_OWNER, export=Export("xlsx"), tag="survey"),
    Route("GET", "/survey/campaigns/{campaign_id}/progress", "survey.progress",
          "Forms received so far, per subject and respondent group",
          "{campaign_id, status, forms, groups: {group: n}, subjects: [{subject, kind, name, forms, groups}]}",
          scope=CAMPAIGN_OWNER, tag="survey"),
    Route("POST", "/survey/campaigns/{campaign_id}/serials-used", "survey.serials_used",
          "Which of these serials the campaign has already received (nothing is written)",
          "{campaign_id, used: [serial]}", body=survey.SerialsQuery(exclude=("campaign_id",)),
          scope=CAMPAIGN_OWNER, tag="survey"),
]

TRAINING = [
    Route("POST", "/training/results", "training.import_results",
          "Upload training results in bulk (CSV or NDJSON, streamed; all or nothing)",
          "{rows: n, created: n, unchanged: n, batches: n, bad_rows: n, dry_run, committed, errors: [error], "
          "errors_listed: n}: the import report summed over the batches, errors by file line",
          query=gateway.RowsUpload(), scope=Scope.everything(), tag="training",
          errors=(400, 413, 415), upload=TRAINING_RESULTS,
          description=UPLOAD_DOC.format(n=5000) + "Every batch is checked first; nothing is written "
                      "unless every row is good (a result given twice in the upload, in any batch, is "
                      "refused at its line, however its date is written). Columns as `lianbao import training`."),
    Route("GET", "/training/people/{person}/results", "training.results_of",
          "A person's training results", "{person, person_id, results: [result]} (pass / fail per course; person_id deprecated)",
          scope=PERSON_AGENCY, tag="training", answer=gateway.TrainingResultsAnswer()),
]

ROSTER = [
    Route("POST", "/roster/staff", "roster.import_roster",
          "Upload roster rows in bulk (CSV or NDJSON, streamed; all or nothing)",
          "{rows: n, created: n, changed: n, unchanged: n, batches: n, bad_rows: n, dry_run, committed, "
          "errors: [error], errors_listed: n}: the import report summed over the batches, errors by file line",
          query=gateway.RosterRowsUpload(), scope=Scope.everything(), tag="roster",
          errors=(400, 413, 415), upload=ROSTER_ROWS,
          description=UPLOAD_DOC.format(n=5000) + "Every batch is checked first; nothing is written "
                      "unless every row is good (a person given twice in the upload, in any batch, is "
                      "refused at its line). Columns as `lianbao import roster`."),
    Route("GET", "/roster/agencies/{agency}/people", "roster.people_of_agency",
          "Everyone of an agency on a date (streamed, one JSON line per person)",
          "NDJSON: one line per person with position, section, join date, status, mentor and spells",
          query=roster.AgencyOnDate(exclude=("agency",)), scope=Scope.at("agency"),
          export=Export("ndjson", items="people"), tag="roster"),
]

def _person_as_subject(merged: dict) -> tuple:
    """``scoring.explanation`` names the person ``subject``."""
    payload = {k: v for k, v in merged.items() if k != "person"}
    payload["subject"] = merged["person"]
    return (payload,)


SCORING = [
    Route("GET", "/scoring/people/{person}/history", "scoring.person_history",
          "A person's monthly evaluations of a year",
          "{subject, kind, months: [{month, state, score, late, ...}]}",
          query=gateway.PersonYearQuery(), scope=STAFF_AGENCY, tag="scoring"),
    Route("GET", "/scoring/people/{person}/daily-logs", "scoring.daily_logs_of",
          "A person's daily logs of a month, each with its mentor and review",
          "{person, month, logs: [{date, text, mentor, reviewed_by, reviewed_on, comment}]}",
          query=scoring.LogsOf(exclude=("person",)), scope=STAFF_AGENCY, tag="scoring"),
    Route("GET", "/scoring/people/{person}/waiting", "scoring.waiting_for",
          "What waits for a person: evaluations to review (as mentor; each with `sent_back`, who sent it "
          "back from the approval, when and why, or null), to approve (as a member of the "
          "leading group), the mentees' daily logs not yet reviewed",
          "{person, as_of, group, review: [evaluation], approve: [evaluation], logs: [{person, date, text}]}",
          query=scoring.WaitingFor(exclude=("person",)), scope=STAFF_AGENCY, tag="scoring"),
    Route("GET", "/scoring/people/{person}/explanation", "scoring.explanation",
          "The explanation of a person's latest rating (or of a period's)",
          "{rating_id, period, kind, id, status, score, stars, reasons: [str], explanation: [{rule, points, "
          "text}], settlement: [line]}: the person's result in that rating, why, and what it settles",
          query=scoring.ExplanationQuery(exclude=("subject",)), scope=STAFF_AGENCY, tag="scoring",
          build=_person_as_subject),
    Route("POST", "/ratings/preview", "scoring.rate_snapshot", "Rate a snapshot (nothing is stored)",
          "the rating result of RATING.md §5: stars, statuses, explanations, settlement lines",
          body=rating.SnapshotSchema(), validate=rating.validate_snapshot,
          scope=Scope.at("agencies[].id", "officers[].agency", "sections[].agency"), tag="scoring",
          description="The snapshot of RATING.md §1 (officers, sections, agencies, rules) is checked "
                      "field by field; every unit it names must be visible to the token."),
    Route("GET", "/scoring/objections", "scoring.objections",
          "The public's objections to an evaluating body's notices (its leading group's queue)",
          "{evaluator, objections: [{objection_id, month, kind, subject, name, text, contact, received_on, "
          "state, answer, upheld, answered_by, answered_on, reopened}]}",
          query=scoring.ObjectionsQuery(), scope=Scope.at("evaluator"), tag="scoring"),
    Route("POST", "/scoring/objections/{objection_id}/answer", "scoring.answer_objection",
          "Answer an objection of the public (a member of the body's leading group)",
          "{objection_id, evaluator, month, kind, subject, name, text, contact, received_on, state, answer, "
          "upheld: bool?, answered_by, answered_on, reopened}: the objection, answered; upheld while on notice: "
          "the evaluation is back in review (`reopened`)", body=scoring.AnswerObjectionIn(exclude=("objection_id",)),
          scope=Scope.at("evaluator"), tag="scoring", errors=(400, 403, 404, 409)),
]

def _rename(**names):
    """Path/query names -> the RPC's payload names (``_rename(unit="unit_id")``)."""
    def build(merged: dict) -> tuple:
        return ({names.get(k, k): v for k, v in merged.items()},)
    return build


# -- the read routes of issue 21 (each visible to the units it concerns) ---------------------------
ROSTER_READS = [
    Route("GET", "/roster/units", "roster.get_units", "The unit tree (committees, agencies, sections)",
          "{units: [{id, name, kind, parent, agency_type, rank, supervising_unit, agency, level}]}", query=roster.UnitsQuery(), tag="roster"),
    Route("GET", "/roster/people/{person}", "roster.get_staff", "A person of the roster",
          "{id, name, unit, agency, section, position, joined, titles, supervises}", scope=STAFF_AGENCY,
          tag="roster", answer=gateway.StaffAnswer()),
    Route("GET", "/roster/people/{person}/spells", "roster.spells_of", "A person's spells (leave, secondment, ...)",
          "{person, spells: [spell]}", scope=STAFF_AGENCY, tag="roster"),
    Route("GET", "/roster/people/{person}/mentor", "roster.mentor_of", "A person's mentor on a date",
          "{person, date, mentor}", query=roster.PersonOnDate(exclude=("person",)), scope=STAFF_AGENCY,
          tag="roster"),
    Route("GET", "/roster/people/{person}/mentees", "roster.mentees_of", "A mentor's mentees on a date",
          "{person, date, mentees: [person]}", query=roster.PersonOnDate(exclude=("person",)),
          scope=STAFF_AGENCY, tag="roster"),
    Route("GET", "/roster/people/{person}/evaluator", "roster.evaluator_of",
          "Who evaluates a person's month on a date", "{person, date, group (the evaluating body), rule, mark, unit, position, status, secondment (the spell's "
          "id), six_month_mark, daily_logs (who reviews them: the mentor), ...}",
          query=roster.PersonOnDate(exclude=("person",)), scope=STAFF_AGENCY, tag="roster"),
    Route("GET", "/roster/people/{person}/cases", "roster.cases_of", "A person's ban violations and cases",
          "{person, cases: [case]}", scope=STAFF_AGENCY, tag="roster"),
    Route("GET", "/roster/units/{unit}/members", "roster.members_of", "The members of a unit on a date",
          "{unit, date, members: [{id, name, unit, agency, section, position, joined, titles, supervises, status}]}", query=roster.UnitOnDate(exclude=("unit",)), scope=Scope.at("unit"),
          tag="roster"),
    Route("GET", "/roster/units/{unit}/coverage", "roster.mentoring_coverage",
          "Mentoring coverage of a unit on a date", "{unit, date, by_agency: {agency: {position: {total, covered, share, without: [person]}}}, ...}: and "
          "at the top, per position, {total, covered, share, without: [person]}",
          query=roster.CoverageQuery(exclude=("unit",)), scope=Scope.at("unit"), tag="roster"),
    Route("GET", "/roster/agencies/{agency}/discipline-facts", "roster.discipline_facts",
          "An agency's discipline facts (of a year, of a kind)", "{facts: [fact]}",
          query=gateway.DisciplineFactsQuery(), scope=Scope.at("agency"), tag="roster"),
]

SCORING_READS = [
    Route("GET", "/scoring/template", "scoring.template", "The monthly evaluation template (criteria) in force",
          "{kind, version, total, sources, dimensions: [{id, label, max, items: [{id, label, max}]}]}",
          query=scoring.TemplateQuery(), tag="scoring"),
    Route("GET", "/scoring/calendar", "scoring.calendar_year", "A year's working-day calendar",
          "{year, source (package, loaded or weekdays), holidays: [{date, name}], ...}", query=gateway.YearQuery(), tag="scoring"),
    Route("GET", "/scoring/calendar/status", "scoring.calendar_status",
          "Which years have a working-day calendar", "{as_of, years: [{year, source}], missing: [year]}",
          query=gateway.AsOfQuery(), tag="scoring"),
    Route("GET", "/scoring/working-days", "scoring.working_days", "Working days between two dates",
          "{start, end, working_days: [date], sources: {year: source}, notice_end_if_posted_on_start}",
          query=gateway.DateRangeQuery(), tag="scoring"),
    Route("GET", "/scoring/evaluators/{evaluator}/referrals", "scoring.referrals",
          "An evaluating body's referrals (good or poor twice running)", "{count, referrals: [referral]}",
          query=gateway.ReferralsQuery(), scope=Scope.at("evaluator"), tag="scoring"),
    Route("GET", "/scoring/evaluators/{evaluator}/poor-followups/{month}", "scoring.poor_followups",
          "The follow-ups of a month's poor results (三帮一, study classes)", "{month, count, poor: [{subject, helpers, study classes, ...}]}",
          scope=Scope.at("evaluator"), tag="scoring"),
    Route("GET", "/scoring/evaluators/{evaluator}/followup-tasks", "scoring.followup_tasks",
          "An evaluating body's follow-up tasks (collective talks)", "{as_of, count, overdue, tasks: [task]}",
          query=gateway.FollowupTasksQuery(), scope=Scope.at("evaluator"), tag="scoring"),
    Route("GET", "/scoring/owners/{owner}/recognition/{period}", "scoring.recognition_results",
          "A half year's recognition poll results (公认度)", "{period, results: [result]}",
          scope=Scope.at("owner"), tag="scoring"),
    Route("GET", "/scoring/agencies/{agency}/packs", "scoring.pack_history", "An agency's rule packs, in order",
          "{agency, versions: [pack version]}", scope=Scope.at("agency"), tag="rule packs"),
    Route("GET", "/scoring/agencies/{agency}/packs/{period}", "scoring.effective_pack",
          "The rule pack in force for an agency and a period", "{agency, period, pack (null: none), rules, plugins}",
          scope=Scope.at("agency"), tag="rule packs"),
    Route("POST", "/scoring/agencies/{agency}/packs/check", "scoring.validate_pack",
          "Check a rule pack (nothing is stored)", "{ok, label, notes: [note]}: the pack checked; a bad one is 400 with every violation by field in `details`",
          body=packs.RegisterPack(exclude=("agency",)), scope=Scope.at("agency"), tag="rule packs",
          errors=(400, 422)),
    Route("POST", "/scoring/agencies/{agency}/packs/preview", "scoring.preview_pack",
          "Preview a rule pack on a period's snapshot (nothing is stored)",
          "{agency, period, base: str, candidate: str, rated: {officers: n, sections: n}, changes: [{kind, id, "
          "changes: [str], before: obj, after: obj, why: [obj], no_longer: [obj]}], settlement: {added: [obj], "
          "removed: [obj], money: obj}, notes: [{field, message}], incidents: [obj]}: the rating with and without "
          "the pack, side by side", body=packs.PreviewPack(exclude=("agency",)),
          scope=Scope.at("agency"), tag="rule packs", errors=(400, 404, 422)),
    Route("GET", "/scoring/people/{person}/evaluations/{month}", "scoring.evaluation",
          "A person's monthly evaluation with its trail",
          "EVALUATION: {id, kind, subject, month, state, score, self_score, items, deductions, evaluator, "
          "notice_end, filed_on, late, objections, trail}", scope=STAFF_AGENCY, tag="scoring",
          build=_person_as_subject),
    Route("GET", "/scoring/evaluators/{evaluator}/rankings/{month}", "scoring.ranking_of_month",
          "An evaluating body's ranking of a month",
          "{evaluator, month, groups: {group: [{subject, score, rank, class}]}, rectifications (owed by "
          "the month's poor): [{subject, group, state}]}",
          scope=Scope.at("evaluator"), tag="scoring"),
    Route("GET", "/scoring/evaluators/{evaluator}/rectifications", "scoring.rectifications",
          "An evaluating body's rectifications (owed, submitted, filed)", "{rectifications: [rectification]}",
          query=scoring.RectificationQuery(exclude=("evaluator",)), scope=Scope.at("evaluator"), tag="scoring"),
    Route("GET", "/scoring/agencies/{agency}/overdue", "scoring.overdue_evaluations",
          "An agency's overdue monthly evaluations",
          "{month, deadline, as_of, deadline_passed, overdue: [{kind, subject, agency, state, filed_on}], by_agency: {agency: {due: n, filed_on_time: n, overdue: n, rate: number?}}}",
          query=gateway.OverdueQuery(), scope=Scope.at("agency"), tag="scoring"),
    Route("GET", "/scoring/agencies/{agency}/unreviewed-logs", "scoring.unreviewed_logs",
          "Daily logs of an agency not yet reviewed by the mentor", "{as_of, count, logs: [log], by_mentor: {mentor: n}}",
          query=gateway.UnreviewedQuery(), scope=Scope.at("agency"), tag="scoring"),
    Route("GET", "/scoring/units/{unit}/results/{period}", "scoring.unit_results",
          "A unit's rating results of a period (stars, statuses)", "{unit, period, rating_id, officers: [result], sections: [result], agencies: [result]}: the unit's results in "
          "the latest rating of the period that rated it (404 `unit` before any)",
          scope=Scope.at("unit"), tag="scoring"),
]

TRAINING_READS = [
    Route("GET", "/training/courses", "training.list_courses", "The registered courses",
          "{courses: [course]}", tag="training", no_args=True),
    Route("GET", "/training/people/{person}", "training.get_person", "A person as training knows them",
          "{id, unit_id, agency_id, position, joined, left_on, status}", scope=PERSON_AGENCY, tag="training"),
    Route("GET", "/training/people/{person}/certifications", "training.certifications",
          "A person's certifications on a date", "{as_of, certifications: [certification]}",
          query=training.CertQuery(exclude=("person",)), scope=PERSON_AGENCY, tag="training",
          answer=gateway.CertificationsAnswer()),
    Route("GET", "/training/people/{person}/allowances", "training.allowances_of",
          "A person's allowance months and amounts of a year (read only)", "{person, person_id, year, as_of, amount_each, months: [month], total} (person_id deprecated)",
          query=gateway.AllowanceYearQuery(), scope=PERSON_AGENCY, tag="training", answer=gateway.AllowancesAnswer()),
    Route("GET", "/training/people/{person}/can-take-post", "training.can_take_post",
          "Whether a person may take a post on a date (pre-service training)", "{person, person_id, date, allowed, passed_on, reason} (person_id deprecated)",
          query=training.PersonOnDate(exclude=("person",)), scope=PERSON_AGENCY, tag="training",
          answer=gateway.CanTakePostAnswer()),
    Route("GET", "/training/units/{unit}/study", "training.study_report", "A unit's study days of a month",
          "{month, required_days, required, met_count, shortfall_count, units: [{unit_id, people: [{person, person_id, position, days, met, missing}], shortfalls: [...]}]} (person_id deprecated)", query=training.StudyQuery(exclude=("unit_id",)),
          scope=Scope.at("unit"), tag="training", build=_rename(unit="unit_id"), answer=gateway.StudyReportAnswer()),
    Route("GET", "/training/units/{unit}/rotation", "training.rotation_report", "A unit's rotation of a year",
          "{year, as_of, counts, people: [person]}", query=gateway.RotationQuery(), scope=Scope.at("unit"), tag="training",
          build=_rename(unit="unit_id"), answer=gateway.RotationReportAnswer()),
]

TRAINING_REPORTS = [
    Route("GET", "/training/reports/central-group", "training.central_group_report",
          "The central groups' study of a quarter (every unit)", "{quarter, units: [{unit_id, met: bool, longest_session_days: n, sessions: [session]}]}",
          query=training.QuarterQuery(), scope=Scope.everything(), tag="training"),
    Route("GET", "/training/reports/frontline", "training.frontline_report",
          "Front-line posts and who holds them (every unit)", "{as_of, people: [person]}", query=training.AsOf(),
          scope=Scope.everything(), tag="training", answer=gateway.FrontlineReportAnswer()),
    Route("GET", "/training/reports/pass-rate", "training.pass_rate", "Pass rates between two dates (every unit)",
          "{start, end, target, city: {passed, taken, rate, meets_target}, units: [{unit_id, passed, taken, rate, "
          "meets_target}]}", query=gateway.PassRateQuery(), scope=Scope.everything(), tag="training"),
]

SURVEY_MORE = [
    Route("GET", "/survey/questionnaires/{key}", "survey.get_questionnaire", "A questionnaire (latest or a version)",
          "{key, version, items: [{number, dimension, text}]}", query=gateway.QuestionnaireQuery(), tag="survey"),
    Route("GET", "/survey/campaigns/{campaign_id}/subjects", "survey.campaign_subjects",
          "The subjects of a campaign (agencies and sections)", "{campaign_id, subjects: [{id, kind, name}]}",
          scope=CAMPAIGN_OWNER, tag="survey"),
    Route("POST", "/survey/campaigns/{campaign_id}/close", "survey.close_campaign", "Close a campaign",
          RATES_DOC + ": the campaign's final rates (status closed; `event_id`, `already_closed`)", scope=CAMPAIGN_OWNER, tag="survey", errors=(404, 409)),
    Route("POST", "/survey/campaigns/{campaign_id}/publish", "survey.publish_rates",
          "Publish a closed campaign's rates (to scoring)", RATES_DOC + ": the published rates (`event_id`)", scope=CAMPAIGN_OWNER,
          tag="survey", errors=(404, 409, 422)),
]

REWARDS = [
    Route("GET", "/rewards/ledger", "rewards.ledger", "The ledger, a page at a time (every unit)",
          "{total, lines: [ledger line]} (the page of `limit` lines from `offset`, in the chain's order)", query=gateway.LedgerPage(), scope=Scope.everything(),
          tag="rewards"),
    Route("GET", "/rewards/units/{paying_unit}/ledger", "rewards.ledger",
          "A paying unit's ledger, a page at a time", "{total, lines: [ledger line]} (the page of `limit` lines from `offset`, in the chain's order)",
          query=gateway.LedgerPage(), scope=Scope.at("paying_unit"), tag="rewards", operation="rewards_unit_ledger"),
    Route("GET", "/rewards/periods/{period}/notice", "rewards.notice", "A period's notice of rewards",
          "{period, headers, sheets: {sheet: [row]}}", scope=Scope.everything(), tag="rewards"),
    Route("GET", "/rewards/periods/{period}/reconciliation", "rewards.reconcile",
          "A period's reconciliation of the lines in force", "{period, ok, expected, ledger, lines, reversals, missing, extra, different, problems, ratings, allowances}", scope=Scope.everything(),
          tag="rewards"),
    Route("GET", "/rewards/chain", "rewards.verify_chain", "Verify the ledger's hash chain",
          "{ok, lines, last_seq, problems}", scope=Scope.everything(), tag="rewards", no_args=True),
    Route("GET", "/rewards/tasks", "rewards.tasks", "Talks and rectification tasks (every unit)",
          "{today, overdue, tasks: [task]}", query=gateway.TasksQuery(), scope=Scope.everything(), tag="rewards"),
    Route("GET", "/rewards/agencies/{agency}/schedules", "rewards.schedules", "An agency's payment schedules",
          "{schedules: [schedule]}", scope=Scope.at("agency"), tag="rewards"),
]



# -- the commands of issue 21: any verified caller reaches the service, whose policy table decides ---
POLICY = Scope.policy()
WRITE_ERRORS = (400, 403, 404, 409, 422)
IDEMPOTENT = ("Send an `Idempotency-Key` header to make a retry safe (the first answer is returned, "
              "the effect happens once). ")
ACTOR = "`actor` names the person who acts (a signed-in person: themself). "


def _write(path, target, summary, response, body, *, build=None, description="", tag=None, operation=None,
           answer=None):
    return Route("POST", path, target, summary, response, body=body, scope=POLICY,
                 tag=tag or target.split(".", 1)[0], errors=WRITE_ERRORS, build=build,
                 description=IDEMPOTENT + description, operation=operation, answer=answer)


_EVALUATION_PATH = "/scoring/people/{person}/evaluations/{month}"
_subject = _rename(person="subject")
EVALUATION_DOC = ("EVALUATION: {id, kind, subject, month, state, score, self_score, items, deductions, "
                  "evaluator, notice_end, filed_on, late, objections}")
BATCH_DOC = ("{done: n, unchanged: n, ids: [id], errors: [{index, field, error, message}]} (a bad item does not "
             "stop the others; `ids` the evaluations done)")

SCORING_WRITES = [
    _write(f"{_EVALUATION_PATH}/self-assessment", "scoring.submit_self_assessment",
           "Submit a month's self-assessment (the subject, or the chief of the subject section)",
           EVALUATION_DOC + " in state `submitted`", scoring.SubmitOne(exclude=("subject", "month")),
           build=_subject, description=ACTOR + "`kind` is `officer` (default) or `section`."),
    _write(f"{_EVALUATION_PATH}/review", "scoring.review", "Review a month's evaluation (the subject's mentor)",
           EVALUATION_DOC + " in state `reviewed`", scoring.ReviewOne(exclude=("subject", "month")),
           build=_subject, description=ACTOR),
    _write(f"{_EVALUATION_PATH}/approval", "scoring.approve",
           "Approve a month's evaluation (another member of the evaluating leading group)",
           EVALUATION_DOC + " in state `approved`", scoring.StepOne(exclude=("subject", "month")),
           build=_subject, description=ACTOR),
    _write(f"{_EVALUATION_PATH}/send-back", "scoring.send_back",
           "Send an evaluation waiting for approval back to the mentor's review, with a reason "
           "(whoever may approve it)",
           EVALUATION_DOC + " in state `submitted`, the send-back and its reason in its trail",
           scoring.SendBackOne(exclude=("subject", "month")), build=_subject,
           description=ACTOR + "`reason` is required."),
    _write(f"{_EVALUATION_PATH}/objections", "scoring.raise_objection",
           "Object to an evaluation on public notice (staff; never one's own)",
           EVALUATION_DOC + ": back in review, the objection in its trail",
           scoring.Objection(exclude=("subject", "month")), build=_subject, description=ACTOR),
    _write("/scoring/self-assessments", "scoring.submit_self_assessments", "Submit self-assessments in a batch",
           BATCH_DOC, scoring.SubmitBatch(), description="Each item names its `actor`."),
    _write("/scoring/reviews", "scoring.review_batch", "Review evaluations in a batch", BATCH_DOC,
           scoring.ReviewBatch(), description="Each item names its `actor`."),
    _write("/scoring/approvals", "scoring.approve_batch", "Approve evaluations in a batch", BATCH_DOC,
           scoring.StepBatch(), description="Each item names its `actor`."),
    _write("/scoring/send-backs", "scoring.send_back_batch",
           "Send evaluations waiting for approval back to review in a batch", BATCH_DOC,
           scoring.SendBackBatch(), description="Each item names its `actor` and its `reason`."),
    _write("/scoring/evaluators/{evaluator}/notices/{month}", "scoring.publish_notice",
           "Post an evaluating body's month on public notice (three working days)",
           "{posted: n, notice_start, notice_end}", scoring.BodyMonth(exclude=("evaluator", "month")),
           description=ACTOR),
    _write("/scoring/evaluators/{evaluator}/filings/{month}", "scoring.file_month",
           "File an evaluating body's month once its notice has ended", "{filed, late, waiting: [id]}",
           scoring.BodyMonth(exclude=("evaluator", "month")), description=ACTOR),
    _write("/scoring/evaluators/{evaluator}/rankings/{month}", "scoring.rank_month",
           "Rank a filed month (good, middle, poor) and store it for the notice",
           "{evaluator, month, groups: {group: [{subject, score, rank, class}]}, rectifications (owed by "
          "the month's poor): [{subject, group, state}]}",
           scoring.BodyMonth(exclude=("evaluator", "month")), description=ACTOR),
    _write("/scoring/daily-logs", "scoring.write_daily_logs", "Write daily logs (each person their own)",
           "{done: n, unchanged: n, ids: [id], errors: [{index, field, error, message}]}", scoring.LogBatch()),
    _write("/scoring/daily-logs/reviews", "scoring.review_daily_logs",
           "Review daily logs (the person's mentor)", "{done: n, unchanged: n, ids: [id], errors: [{index, field, error, message}]}", scoring.LogReviewBatch()),
    _write("/scoring/rectifications", "scoring.submit_rectification",
           "Submit a rectification of a poor month (the subject)", RECTIFICATION_DOC,
           scoring.RectificationIn(), description=ACTOR),
    _write("/scoring/rectifications/filings", "scoring.file_rectification",
           "File a rectification (a member of the evaluating body)", RECTIFICATION_DOC + ": filed",
           scoring.RectificationFile(), description=ACTOR),
    _write("/scoring/honours", "scoring.record_honours", "Record honours (rating facts)",
           "{created, unchanged}", scoring.RecordHonours()),
    _write("/scoring/facts", "scoring.record_facts", "Record facts that veto or lower a rating",
           "{created, unchanged}", scoring.RecordFacts()),
    _write("/scoring/absences", "scoring.record_absences", "Record unexcused absences",
           "{created, unchanged}", scoring.RecordAbsences()),
    _write("/scoring/agencies/{agency}/evaluations", "scoring.record_agency_evaluation",
           "Record an agency's year-end evaluation (the committee)", "{agency, year, score: number}: the agency evaluation with its class",
           scoring.AgencyEvaluationIn(exclude=("agency",)), description=ACTOR),
    _write("/scoring/ratings", "scoring.run_rating", "Run and publish a rating of a period and scope (the committee)",
           "{rating_id, published, unchanged, skipped, result}", scoring.RunRating(),
           description="A rating is published as it is stored (rewards settles it through the event); "
                       "the same data again is `unchanged`."),
]


SCORING_MORE = [
    _write("/scoring/agencies/{agency}/packs", "scoring.register_pack",
           "Register a rule pack for an agency (its leading group or the committee's office)",
           "{agency, version: n, effective_from, created: bool, label, notes: [note]}: the pack version registered "
           "(the same pack again: `created` false)", packs.RegisterPack(exclude=("agency",)),
           tag="rule packs", description="The pack is checked first (a bad one: 400 with every violation "
                                         "by field in `details`)."),
    _write("/scoring/agencies/{agency}/criteria-packs", "scoring.register_criteria_pack",
           "Register an agency's monthly evaluation criteria (the committee's office)", "{kind, version, total, sources, dimensions: [{id, label, max, items: [{id, label, max}]}]}: the "
           "template in force",
           scoring.CriteriaPack(exclude=("agency",)), tag="rule packs"),
    _write("/scoring/agencies/{agency}/subject-data/{period}", "scoring.record_subject_data",
           "Record the facts an agency's rule pack or plug-ins rate on", "{agency, period, recorded: n}",
           packs.SubjectDataSchema(exclude=("agency", "period")), tag="rule packs"),
    Route("POST", "/scoring/agencies/{agency}/packs/rate", "scoring.rate_adapted",
          "Rate a snapshot with the agency's rule pack and plug-ins (nothing is stored)",
          "{result, adaptation}: the rating result with the adaptation applied", body=packs.RateAdapted(exclude=("agency",)),
          scope=Scope.at("agency"), tag="rule packs", errors=(400, 404, 422)),
    _write("/scoring/ratings/preview", "scoring.preview_rating",
           "What a rating run would publish now (nothing stored): the result, its digest, each subject's "
           "agency and name, and whether it equals the rating stored last",
           "{period, scope, rating_date, digest, skipped, unchanged, published (null: none stored yet; else "
           "{rating_id, digest}), subjects: {subject: {agency, name}}, result}",
           scoring.PreviewRating(), operation="scoring_preview_rating",
           description="Send the preview's `digest` to POST /scoring/ratings to publish exactly that rating "
                       "(409 naming `digest` once the facts changed since). "),
    Route("GET", "/scoring/committees/{committee}/board", "scoring.committee_board",
          "A committee's agencies in one answer: the month's filing against the 15th, target 1, the latest stars",
          "{committee, month, deadline, deadline_passed, as_of, year, agencies: [{agency, filing, overdue: "
          "[evaluation], target_1, rating}]}", query=scoring.CommitteeBoard(exclude=("committee",)),
          scope=POLICY, tag="scoring", errors=(400, 403, 404)),
    Route("GET", "/scoring/units/{scope}/snapshots/{period}", "scoring.snapshot",
          "The stored snapshot a period's rating of a unit was computed from",
          "the snapshot of RATING.md §1: {period, rating_date, officers: [officer], sections: [section], "
          "agencies: [agency], ...}", query=gateway.SnapshotDateQuery(),
          scope=Scope.at("scope"), tag="scoring"),
    Route("GET", "/scoring/evaluators/{evaluator}/referrals.xlsx", "scoring.referrals_export",
          "An evaluating body's referrals as a workbook (streamed)", "an .xlsx workbook",
          query=gateway.ReferralExportQuery(), scope=Scope.at("evaluator"),
          export=Export("xlsx"), tag="scoring"),
    _write(f"{_EVALUATION_PATH}/helpers", "scoring.name_helpers",
           "Name the three helpers (三帮一) of a poor month", FOLLOWUP_DOC + ": the follow-up of the subject's month",
           followups.NameHelpers(exclude=("subject", "month")), build=_subject, description=ACTOR),
    _write(f"{_EVALUATION_PATH}/study-classes", "scoring.record_study_class",
           "Record a study class attended (or not) after a poor month", FOLLOWUP_DOC + ": the follow-up of the subject's month",
           followups.StudyClassIn(exclude=("subject", "month")), build=_subject, description=ACTOR),
    _write("/scoring/referrals/{referral_id}/minutes", "scoring.record_referral_minutes",
           "Record the committee meeting's minutes of a referral", "{id, evaluator, month, group, subject, name, class, state, meeting_date: date?, minutes: str?, "
           "addressees: [str], recorded_by: str?}: the referral, minuted",
           followups.ReferralMinutes(exclude=("referral_id",)), description=ACTOR),
    _write("/scoring/tasks/{task_id}/done", "scoring.complete_task",
           "Record a follow-up task (collective talk) as held", "{id, kind, evaluator, month, subject, opened_on: date, due: date, state, done_on, done_by: str?, "
           "record: str?, overdue: bool}: the task, done",
           followups.CompleteTask(exclude=("task_id",)), description=ACTOR),
]

_mentee = _rename(person="mentee")
ROSTER_WRITES = [
    _write("/roster/units", "roster.save_units", "Save units of the tree (the committee's office)",
           "{created, changed, unchanged}", roster.SaveUnits()),
    _write("/roster/units/{unit}/move", "roster.move_unit", "Move a unit under another parent from a date",
           "{unit, changed, versions}: the unit's new version, and all its versions", roster.MoveUnit(exclude=("unit",))),
    _write("/roster/units/{unit}/rename", "roster.rename_unit", "Rename a unit from a date", "{unit, changed, versions}: the unit's new version, and all its versions",
           roster.RenameUnit(exclude=("unit",))),
    _write("/roster/units/{unit}/dissolve", "roster.dissolve_unit", "Dissolve a unit from a date",
           "{unit, dissolved, changed: bool, versions: [version]}: the unit, dissolved", roster.DissolveUnit(exclude=("unit",))),
    Route("GET", "/roster/units/{unit}/history", "roster.unit_history", "A unit's dated versions",
          "{unit, versions: [{id, name, kind, parent, since, until, ...}], dissolved}", scope=Scope.at("unit"), tag="roster"),
    Route("GET", "/roster/units/{unit}/evaluator", "roster.evaluator_of_section",
          "Who evaluates a section's month on a date", "{unit, date, group, rule, ...}",
          query=roster.UnitOnOptionalDate(exclude=("unit",)), scope=Scope.at("unit"), tag="roster"),
    _write("/roster/people", "roster.create_staff", "Add people to the roster", "{created, unchanged, ...}",
           roster.CreateStaff()),
    _write("/roster/people/{person}/changes", "roster.change_staff", "Change a person's post from a date",
           "{staff, unassigned, changed}: the person's new version, the mentoring it ended", roster.ChangeStaff(exclude=("person",))),
    _write("/roster/people/{person}/spells", "roster.record_spell", "Record a spell (leave, secondment, ...)",
           "{spell, unassigned}: the spell with its `id`, the mentoring it ended", roster.RecordSpell(exclude=("person",))),
    _write("/roster/spells/{spell_id}/end", "roster.end_spell", "End a spell on a date", "{spell}: the spell, ended",
           roster.EndSpell(exclude=("spell_id",))),
    _write("/roster/people/{person}/mentor", "roster.assign_mentor", "Assign a person's mentor from a date",
           "{pair: {pair_id, mentor, mentee, start, end}} (`replayed`: the same command again)", roster.AssignMentor(exclude=("mentee",)), build=_mentee),
    _write("/roster/people/{person}/mentor/reassign", "roster.reassign_mentor",
           "Give a person another mentor from a date", "{pair: {pair_id, mentor, mentee, start, end}, unassigned: [pair ended, with its reason]}",
           roster.AssignMentor(exclude=("mentee",)), build=_mentee, operation="roster_reassign_mentor"),
    _write("/roster/people/{person}/mentor/end", "roster.unassign_mentor", "End a person's mentoring on a date",
           "{unassigned: [pair ended, with its reason]}", roster.UnassignMentor(exclude=("mentee",)), build=_mentee),
    _write("/roster/mentors", "roster.assign_mentors", "Assign mentors in a batch", "{assigned, replayed: n, errors: [{index, field, message}]}",
           roster.AssignMentors()),
    _write("/roster/people/{person}/return-to-team", "roster.return_to_team",
           "Return a removed person to the team (a post from a date)", "{staff, exit}: the person, and the spell that ended", roster.ReturnToTeam(exclude=("person",))),
    _write("/roster/people/{person}/cases", "roster.record_ban_violation",
           "Record a violation of one of the ten bans", "{violation, suspension, cases: [case], unassigned: [pair]}: the case, and its consequences",
           roster.RecordBanViolation(exclude=("person",))),
    _write("/roster/discipline-facts", "roster.record_discipline_fact", "Record a discipline fact",
           "{fact}: the fact with its `id`", roster.RecordDisciplineFact()),
    _write("/roster/discipline-facts/{fact_id}/investigation", "roster.investigate",
           "Record that a discipline fact was investigated", "{fact}: the fact", roster.Investigate(exclude=("fact_id",))),
]

_unit_id = _rename(unit="unit_id")
TRAINING_WRITES = [
    _write("/training/courses", "training.register_courses", "Register courses", "{created, unchanged, courses: [course]}",
           training.RegisterCourses()),
    _write("/training/people/{person}/results", "training.record_result", "Record a person's training result",
           "{result, events}", training.RecordResult(exclude=("person",)), answer=gateway.RecordResultAnswer()),
    _write("/training/study-days", "training.record_study", "Record study days", "{recorded, unchanged}",
           training.RecordStudy()),
    _write("/training/units/{unit}/sessions", "training.record_session",
           "Record a unit's central-group study session", "{unit_id, start, days: n, end}: the session",
           training.RecordSession(exclude=("unit_id",)), build=_unit_id),
    _write("/training/people/{person}/frontline-post", "training.set_frontline_post",
           "Set a person's front-line post", "{person, person_id, start, left_on, completes_on, status}: the post",
           training.FrontlinePost(exclude=("person",)), answer=gateway.FrontlineAnswer()),
]

SURVEY_WRITES = [
    _write("/survey/questionnaires", "survey.define_questionnaire", "Define a questionnaire (a new version)",
           "{key, version, items}", survey.DefineQuestionnaire()),
    _write("/survey/campaigns/{campaign_id}/questionnaire", "survey.set_campaign_questionnaire",
           "Set the questionnaire of a campaign not yet receiving forms", CAMPAIGN_DOC,
           survey.SetCampaignQuestionnaire(exclude=("campaign_id",))),
]

REWARDS_WRITES = [
    _write("/rewards/tasks/done", "rewards.complete_task", "Record a talk or rectification task as done",
           "{key, subject, kind, period, paying_unit, opened, due: date, done: date, revoked, overdue: bool}: the task",
           rewards.CompleteTask(), operation="rewards_complete_task",
           description="The task's `key` is in the body (a ledger line's key holds `|`, no path id)."),
]

ROUTES = (HEALTH + SURVEY + SURVEY_MORE + TRAINING + TRAINING_READS + TRAINING_REPORTS + ROSTER + ROSTER_READS + SCORING
          + SCORING_READS + REWARDS + SCORING_WRITES + SCORING_MORE + ROSTER_WRITES
          + TRAINING_WRITES + SURVEY_WRITES + REWARDS_WRITES)
