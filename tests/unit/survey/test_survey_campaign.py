"""Rules of campaigns (001 §一2, issue 7)."""
import pytest

from services.survey.domain import (CLOSED, RESPONDENT_GROUPS, Campaign, close_campaign,
                                    ensure_open_for_forms, validate_groups, validate_period,
                                    validate_subjects)
from shared.errors import RuleViolation, ValidationFailed

pytestmark = pytest.mark.timeout(10)


@pytest.mark.parametrize("period", ["2026H1", "2026H2"])
def test_campaign_period_is_a_half_year(period):
    assert validate_period(period) == period


@pytest.mark.parametrize("period", ["2026", "2026H3", "2026H0", "26H1", "2026-H1", 2026, None])
def test_campaign_period_refuses_anything_but_a_half_year(period):
    with pytest.raises(ValidationFailed) as err:
        validate_period(period)
    assert err.value.field == "period"


def test_subjects_are_agencies_sections_and_officers():
    assert validate_subjects([{"id": "a1", "kind": "agency"}, {"id": "s1", "kind": "section"},
                              {"id": "o1", "kind": "officer"}]) == {
        "a1": "agency", "s1": "section", "o1": "officer"}


def test_subject_kind_outside_the_three_is_refused():
    with pytest.raises(ValidationFailed) as err:
        validate_subjects([{"id": "a1", "kind": "agency"}, {"id": "x", "kind": "village"}])
    assert err.value.field == "subjects[1].kind"


def test_subject_id_given_twice_is_reported_at_the_later_one():
    with pytest.raises(ValidationFailed) as err:
        validate_subjects([{"id": "o1", "kind": "officer"}, {"id": "o2", "kind": "officer"},
                           {"id": "o1", "kind": "section"}])
    assert err.value.field == "subjects[2].id"


def test_campaign_needs_a_subject():
    with pytest.raises(ValidationFailed) as err:
        validate_subjects([])
    assert err.value.field == "subjects"


def test_respondent_groups_default_to_the_ten():
    assert validate_groups(None) == RESPONDENT_GROUPS
    assert len(RESPONDENT_GROUPS) == 10


def test_respondent_groups_keep_the_seed_order():
    assert validate_groups(["officers", "parents"]) == ("parents", "officers")


def test_respondent_group_outside_the_ten_is_refused():
    with pytest.raises(ValidationFailed) as err:
        validate_groups(["parents", "tourists"])
    assert err.value.field == "groups[1]"


def test_respondent_group_given_twice_is_refused():
    with pytest.raises(ValidationFailed) as err:
        validate_groups(["parents", "parents"])
    assert err.value.field == "groups[1]"


def _campaign():
    return Campaign("c1", "2026H1", "county-1", {"o1": "officer"})


def test_forms_after_close_are_refused():
    campaign = _campaign()
    ensure_open_for_forms(campaign)
    assert close_campaign(campaign) is True
    assert campaign.status == CLOSED
    with pytest.raises(RuleViolation) as err:
        ensure_open_for_forms(campaign)
    assert err.value.field == "campaign_id"


def test_closing_twice_changes_nothing():
    campaign = _campaign()
    close_campaign(campaign)
    assert close_campaign(campaign) is False
    assert campaign.status == CLOSED


def test_the_public_sees_the_subjects_of_an_open_campaign_only():
    from services.survey.domain.campaign import OPEN, public_sees_subjects

    assert public_sees_subjects(OPEN) is True
    assert public_sees_subjects(CLOSED) is False
