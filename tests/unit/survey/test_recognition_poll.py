"""The committee leaders' recognition poll (公认度测评, 001 §一4): subjects, group, questionnaire."""
import pytest

from services.survey.domain import poll
from services.survey.domain.vocabulary import ALL_GROUPS, RESPONDENT_GROUPS
from shared.errors import ValidationFailed

pytestmark = pytest.mark.timeout(30)


def test_the_poll_has_its_own_questionnaire_and_group():
    q = poll.default_questionnaire()
    assert q.key == "recognition" and q.item_count == 6 and len(set(q.dimensions)) == 6
    assert poll.validate_groups(None) == ("leading_group_members",)
    assert "leading_group_members" not in RESPONDENT_GROUPS            # not one of the ten
    assert ALL_GROUPS.index("leading_group_members") == 10             # stored after the ten


def test_subjects_are_leaders_each_once():
    assert poll.validate_subjects([{"id": "s", "kind": "leader"}, {"id": "d", "kind": "leader"}]) == {
        "s": "leader", "d": "leader"}
    for subjects, field in (([], "subjects"), ([{"id": "a", "kind": "agency"}], "subjects[0].kind"),
                            ([{"id": "s", "kind": "leader"}, {"id": "s", "kind": "leader"}],
                             "subjects[1].id")):
        with pytest.raises(ValidationFailed) as err:
            poll.validate_subjects(subjects)
        assert err.value.field == field
    with pytest.raises(ValidationFailed) as err:
        poll.validate_groups(["leading_group_members", "parents"])
    assert err.value.field == "groups[1]"


def test_results_name_recognised_basic_and_not():
    report = {"subjects": [{"id": "s", "satisfied": 5, "basic": 1, "dissatisfied": 2, "answered": 8,
                            "rate": "0.7500", "forms": 2}]}
    assert poll.results(report) == [{"subject": "s", "recognised": 5, "basic": 1, "not_recognised": 2,
                                     "answered": 8, "rate": "0.7500", "forms": 2}]
