"""The output contracts of rewards, training and survey (issue 21 item 3) describe what the services'
code makes, checked without services: the answers their handlers assemble from the domain's own
functions — a reconciliation that finds every kind of difference, a chain with an edited and a
missing line, a notice, a campaign's rates — are valid against the operation's answer in
/openapi.json (the check the gateway's service tests run on every answer they receive, which seldom
see these lists filled)."""
import sys
from pathlib import Path

import pytest

from tests.unit.gateway.documented import problems

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "rewards"))
from rewards_ratings import agency, officer, rating, section  # noqa: E402

pytestmark = pytest.mark.timeout(60)

def _ledger_rows(lines):
    from services.rewards.domain import chain

    return chain.chain([dict(line, recorded_at="2027-01-08T09:00:00.000001") for line in lines])


def _expected():
    from services.rewards.domain.settlement import settle

    return [line.to_dict() for line in settle(rating(
        officers=[officer("o1", stars=5, score=97.0), officer("o2", stars=2, score=72.0)],
        sections=[section("s1", stars=1, score=60.0)], agencies=[agency("a1", klass=1, score=92.0)]))]


def test_a_reconciliation_with_every_kind_of_difference_is_as_documented():
    from services.rewards.domain.reconcile import diff

    expected = _expected()
    ledger = [dict(expected[0], amount=999)] + expected[2:]                  # different, missing
    ledger += [dict(expected[0], key="2026|o9|bonus|1", subject="o9")]       # extra
    ledger += [dict(expected[2], key=expected[2]["key"][:-1] + "7")]         # doubled
    ledger += [dict(expected[0], key="2026|o1|bonus|2", amount=-5, reverses="2026|o1|bonus|8")]   # reversal
    report = diff(expected, _ledger_rows(ledger))
    assert report["missing"] and report["extra"] and report["different"]
    assert {p["problem"] for p in report["problems"]} >= {"doubled", "reversal"}
    answer = {"period": "2026", **report, "ratings": 1, "allowances": 0}
    assert problems("GET", "/rewards/periods/{period}/reconciliation", answer) == []
    assert problems("GET", "/rewards/periods/{period}/reconciliation",
                    dict(answer, different=[dict(report["different"][0], expected={"amount": "999"})]))


def test_a_broken_chain_and_the_ledger_are_as_documented():
    from services.rewards.domain import chain

    rows = _ledger_rows(_expected())
    assert problems("GET", "/rewards/ledger", {"total": len(rows), "lines": rows}) == []
    assert problems("GET", "/rewards/units/{paying_unit}/ledger", {"total": len(rows), "lines": rows[:1]}) == []
    broken = [dict(rows[0], amount=5)] + rows[2:]
    report = chain.verify(broken, (rows[-1]["seq"] + 1, rows[-1]["hash"]))
    assert {p["problem"] for p in report["problems"]} >= {"edited", "missing", "head"}
    assert problems("GET", "/rewards/chain", report) == []
    assert problems("GET", "/rewards/ledger", {"total": 1, "lines": [dict(rows[0], effective="08/01/2027")]})


def test_a_notice_is_as_documented():
    from services.rewards.domain.notice import HEADERS, SUMMARY_HEADERS, notice_tables

    rated = rating(officers=[officer("o1", stars=5, score=97.0), officer("o3", status="disqualified")],
                   sections=[section("s1", stars=1, score=60.0)], agencies=[agency("a1", klass=1, score=92.0)])
    tables = notice_tables([rated], _ledger_rows(_expected()))
    answer = {"period": "2026", "headers": list(HEADERS), "sheets": {
        unit: [list(row) for row in rows] for unit, rows in tables["sheets"].items()},
        "summary_headers": list(SUMMARY_HEADERS), "summary": [list(r) for r in tables["summary"]]}
    assert any(None in row for rows in answer["sheets"].values() for row in rows)
    assert problems("GET", "/rewards/periods/{period}/notice", answer) == []
    assert problems("GET", "/rewards/periods/{period}/notice", dict(answer, sheets={"a1": [[{"stars": 5}]]}))


def test_a_campaigns_rates_are_as_documented():
    from services.survey import domain
    from services.survey.domain.rates import rate_report_pooled, tally_by_key

    questionnaire = domain.default_questionnaire()
    items = questionnaire.item_count
    forms = [("o1", "parents", "S" * items), ("o1", "officers", "B" * (items - 1) + "D"), ("a1", "parents", "N" * items)]
    dims, pooled = tally_by_key(forms, questionnaire)
    report = rate_report_pooled({"o1": "officer", "a1": "agency", "s9": "section"}, dims, pooled,
                                groups=("parents", "officers"), names={"o1": "干警1"})
    assert report["totals"]["rate"] is not None and report["subjects"][2]["rate"] is None
    answer = {"campaign_id": "c1", "kind": "satisfaction", "period": "2026H1", "owner": "cnty", "status": "open",
              "final": False, "questionnaire": {"key": questionnaire.key, "version": questionnaire.version}, **report}
    assert problems("GET", "/survey/campaigns/{campaign_id}/rates", answer) == []
    assert problems("POST", "/survey/campaigns/{campaign_id}/close", dict(answer, already_closed=True)) == []
    bad = dict(answer, totals=dict(report["totals"], groups={"parents": {"rate": 0.9}}))
    assert problems("GET", "/survey/campaigns/{campaign_id}/rates", bad)


def test_a_type_may_be_an_output_contract_a_list_of_one_or_a_map():
    """ANSWER_TYPES_OF's entries beside the type words, every contract named one way: ``rewards.TaskOut``
    (its answer schema, made once, taking what a newer service adds), ``arr<rewards.LineOut>?``,
    ``map<int>``; and an element word of the route table (``[task]``) is the RPC's own."""
    from marshmallow import INCLUDE, fields

    from services.gateway import answers
    from services.gateway.routing import Route
    from shared.contracts import gateway as contract
    from shared.contracts import rewards, scoring

    nested = answers.typed_field("rewards.TaskOut")
    assert isinstance(nested, fields.Nested) and nested.nested is contract.answer_schema(rewards.TaskOut)
    assert nested.nested is not rewards.TaskOut and nested.nested.opts.unknown == INCLUDE
    listed = answers.typed_field("arr<rewards.LineOut>?")
    assert isinstance(listed, fields.List) and listed.inner.nested is contract.answer_schema(rewards.LineOut)
    assert listed.allow_none
    assert answers.typed_field("scoring.TaskOut").nested is scoring.TaskOut      # open already: itself
    specs = [*contract.ANSWER_ITEMS.values(), *(s for types in contract.ANSWER_TYPES_OF.values()
                                                for s in types.values())]
    assert specs and all(isinstance(spec, str) for spec in specs)               # one way to name them
    counts = answers.typed_field("map<int>")
    assert isinstance(counts, fields.Dict) and isinstance(counts.value_field, fields.Integer)
    rewards_tasks = answers.answer_of(Route("GET", "/r/tasks", "rewards.tasks", "t", "{today, tasks: [task]}"))
    scoring_tasks = answers.answer_of(Route("GET", "/s/tasks", "scoring.followup_tasks", "t", "{tasks: [task]}"))
    assert rewards_tasks._declared_fields["tasks"].inner.nested is contract.answer_schema(rewards.TaskOut)
    assert getattr(scoring_tasks._declared_fields["tasks"].inner, "nested", None) is not \
        contract.answer_schema(rewards.TaskOut)                                          # not rewards' task
