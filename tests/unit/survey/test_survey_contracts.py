"""The survey contracts: payloads validated with the names of the bad fields."""
import pytest

from services.survey.domain import (DIMENSIONS, RESPONDENT_GROUPS, SUBJECT_KINDS, default_questionnaire,
                                    event_subjects, rate_report, tally_forms)
from services.survey.domain.vocabulary import ANSWER_CODES
from shared.contracts import survey as contract
from shared.errors import ValidationFailed
from shared.schemas import load

pytestmark = pytest.mark.timeout(10)


def test_contract_vocabulary_matches_the_domain():
    assert contract.DIMENSIONS == DIMENSIONS
    assert contract.RESPONDENT_GROUPS == RESPONDENT_GROUPS
    assert contract.SUBJECT_KINDS == SUBJECT_KINDS
    assert contract.ANSWER_CODES == ANSWER_CODES


def test_submit_batch_defaults_and_unknown_field():
    data = load(contract.SubmitBatch(), {"campaign_id": "c1", "batch_id": "b1", "forms": [{}]})
    assert (data["strict"], data["dry_run"]) == (False, False)
    with pytest.raises(ValidationFailed) as err:
        load(contract.SubmitBatch(), {"campaign_id": "c1", "batch_id": "b1", "forms": [{}], "x": 1})
    assert err.value.field == "x"


def test_submit_batch_forms_must_be_a_non_empty_list():
    for forms in ({}, []):
        with pytest.raises(ValidationFailed) as err:
            load(contract.SubmitBatch(), {"campaign_id": "c1", "batch_id": "b1", "forms": forms})
        assert err.value.field == "forms"


def test_create_campaign_names_the_bad_subject_kind():
    with pytest.raises(ValidationFailed) as err:
        load(contract.CreateCampaign(), {"campaign_id": "c1", "period": "2026H1", "owner": "k",
                                         "subjects": [{"id": "o1", "kind": "person"}]})
    assert err.value.field == "subjects[0].kind"


def test_published_event_payload_matches_its_schema():
    cells, received = tally_forms([("o1", "parents", "S" * 35)], default_questionnaire())
    report = rate_report({"o1": "officer"}, cells, received)
    totals = {k: v for k, v in report["totals"].items() if k not in ("dimensions", "groups")}
    payload = {"event_id": "e1", "occurred_at": "2026-07-01T00:00:00Z", "campaign_id": "c1",
               "period": "2026H1", "owner": "k", "final": True,
               "questionnaire": {"key": "default", "version": 1}, "totals": totals,
               "subjects": event_subjects(report)}
    assert load(contract.SatisfactionRatesPublished(), payload)["subjects"][0]["rate"] == "1.0000"
