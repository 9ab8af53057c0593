"""Persons have the role of their post in the survey (issue 18, the policy table): the survey keeps
the roster's positions, so a county committee's office closes its campaign and an officer may not;
a campaign above one's units answers as a missing one."""
import eventlet
import pytest

from shared.errors import Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.timeout(60)


def _fed(survey):
    survey.dispatch("roster", "units_saved", {"event_id": "u1", "units": [
        {"id": "k2", "name": "县委政法委", "kind": "committee", "parent": None, "agency": "k2", "level": "county"},
        {"id": "a9", "name": "县法院", "kind": "agency", "parent": "k2", "agency": "a9", "level": "county"},
        {"id": "s9", "name": "民一庭", "kind": "section", "parent": "a9", "agency": "a9", "level": "county"}]})
    survey.dispatch("roster", "staff_joined", {"event_id": "p1", "staff": [
        {"id": "kc", "name": "办公室主任", "unit": "k2", "agency": "k2", "position": "chief", "joined": "2020-01-01",
         "titles": [], "supervises": []},
        {"id": "ah", "name": "院长", "unit": "a9", "agency": "a9", "position": "head", "joined": "2020-01-01",
         "titles": [], "supervises": []},
        {"id": "ao", "name": "王五", "unit": "s9", "agency": "a9", "position": "officer", "joined": "2020-01-01",
         "titles": [], "supervises": []}]})
    deadline = eventlet.hubs.get_hub().clock() + 10
    with survey.rpc(as_operator="ops") as rpc:
        while True:
            try:
                out = rpc.survey.create_campaign({"campaign_id": "c9", "period": "2026H2", "owner": "k2"})
                if out["subjects"] == {"agency": 1, "section": 1, "officer": 2}:
                    return
            except ValidationFailed:
                pass
            assert eventlet.hubs.get_hub().clock() < deadline, "read model not fed"
            eventlet.sleep(0.05)


def test_the_committee_office_closes_its_campaign_an_officer_may_not(survey):
    _fed(survey)
    with survey.rpc(as_person="ao") as rpc:           # an officer: not his role
        with pytest.raises(Forbidden) as err:
            rpc.survey.close_campaign({"campaign_id": "c9"})
        assert err.value.field == "actor" and "officer" in err.value.message
    with survey.rpc(as_person="ah") as rpc:           # the court's head: k2's campaign lies above his units
        with pytest.raises(NotFound) as err:
            rpc.survey.close_campaign({"campaign_id": "c9"})
        assert (err.value.message, err.value.field) == ("no campaign 'c9'", "campaign_id")
    with survey.rpc(as_operator="ops") as rpc:
        assert rpc.survey.get_campaign({"campaign_id": "c9"})["status"] == "open"   # nothing written
    with survey.rpc(as_person="kc") as rpc:           # the control: k2's committee office
        assert rpc.survey.close_campaign({"campaign_id": "c9"})["already_closed"] is False


def test_a_person_lists_the_campaigns_of_the_units_their_post_covers(survey):
    _fed(survey)
    with survey.rpc(as_operator="ops") as rpc:
        rpc.survey.create_campaign({"campaign_id": "c8", "period": "2026H2", "owner": "a9",
                                    "subjects": [{"id": "a9", "kind": "agency", "name": "县法院"}]})
    with survey.rpc(as_person="kc") as rpc:           # k2's office: k2 and the court below it
        assert [c["campaign_id"] for c in rpc.survey.list_campaigns({})["campaigns"]] == ["c8", "c9"]
        # asking for other owners gives no more than the post covers
        assert [c["campaign_id"] for c in rpc.survey.list_campaigns({"owners": ["a9", "zz"]})["campaigns"]] == ["c8"]
    with survey.rpc(as_person="ah") as rpc:           # the court's head: the court's only, not k2's above it
        assert [c["campaign_id"] for c in rpc.survey.list_campaigns({})["campaigns"]] == ["c8"]


def test_a_calling_system_lists_its_units_campaigns_whatever_owners_it_sends(survey):
    """Called directly (not through the gateway, which passes ``owners``), a county's system lists the
    campaigns of its units and the units below them, never another county's."""
    _fed(survey)
    with survey.rpc(as_operator="ops") as rpc:
        rpc.survey.create_campaign({"campaign_id": "c8", "period": "2026H2", "owner": "a9",
                                    "subjects": [{"id": "a9", "kind": "agency", "name": "县法院"}]})
        rpc.survey.create_campaign({"campaign_id": "x1", "period": "2026H2", "owner": "elsewhere",
                                    "subjects": [{"id": "zz", "kind": "agency", "name": "外县法院"}]})
    with survey.rpc(as_system="k2-system", units={"k2"}) as rpc:
        assert [c["campaign_id"] for c in rpc.survey.list_campaigns({})["campaigns"]] == ["c8", "c9"]
        assert [c["campaign_id"] for c in
                rpc.survey.list_campaigns({"owners": ["elsewhere", "a9"]})["campaigns"]] == ["c8"]
    with survey.rpc(as_system="court-system", units={"a9"}) as rpc:
        assert [c["campaign_id"] for c in rpc.survey.list_campaigns({})["campaigns"]] == ["c8"]
    with survey.rpc(as_system="city-system") as rpc:          # the whole city ("*")
        assert {"c8", "c9", "x1"} <= {c["campaign_id"] for c in rpc.survey.list_campaigns({})["campaigns"]}


def test_a_person_who_has_left_holds_no_role_in_the_survey(survey):
    """The survey kept the post of a person the roster says has left (``staff_left``): a dismissed
    office chief of k2 still closed k2's campaign (fails on the code before). Since, he has no role
    there, as the survey's own subjects already count him out; the operator closes it."""
    _fed(survey)
    survey.dispatch("roster", "staff_left", {"event_id": "left-kc", "person": "kc", "kind": "dismissed",
                                             "date": "2026-05-01", "spell_id": "x-kc"})
    survey.wait_quiet(timeout=30)
    with survey.rpc(as_person="kc") as rpc, pytest.raises(Forbidden) as err:
        rpc.survey.close_campaign({"campaign_id": "c9"})
    assert err.value.field == "actor"
    with survey.rpc(as_operator="ops") as rpc:
        assert rpc.survey.get_campaign({"campaign_id": "c9"})["status"] == "open"   # nothing written
        assert rpc.survey.close_campaign({"campaign_id": "c9"})["already_closed"] is False


def test_nobody_holds_a_survey_role_before_his_first_post(survey):
    """A chief of k2's office appointed from a later day held the role today: the survey fell back to
    his record when no post had begun yet (fails on the code before). Now, as scoring, training and
    the roster, he has no post, and so no role, until his first post begins."""
    _fed(survey)
    survey.dispatch("roster", "staff_joined", {"event_id": "p2", "staff": [
        {"id": "kf", "name": "新主任", "unit": "k2", "agency": "k2", "position": "chief", "joined": "2099-01-01",
         "titles": [], "supervises": []}]})
    survey.wait_quiet(timeout=30)
    with survey.rpc(as_person="kf") as rpc, pytest.raises(Forbidden) as err:
        rpc.survey.close_campaign({"campaign_id": "c9"})
    assert err.value.field == "actor"
    with survey.rpc(as_operator="ops") as rpc:
        assert rpc.survey.get_campaign({"campaign_id": "c9"})["status"] == "open"   # nothing written
    with survey.rpc(as_person="kc") as rpc:           # the control: the chief in post today
        assert rpc.survey.close_campaign({"campaign_id": "c9"})["already_closed"] is False


def test_a_person_back_on_the_team_has_the_role_of_his_post_again_and_a_departure_counts_from_its_day(survey):
    """The survey kept no date of a departure (``staff_left``), only that the person had left: one back
    through the roster's ``return_to_team`` (a ``staff_changed`` with his new post from the day of his
    return) never had a survey role again, and a departure recorded ahead of its day took the role at
    once (both fail on the code before). Now the survey keeps each departure with its date: a person has
    no role from his departure until a post begins after it, in whatever order the events arrive."""
    _fed(survey)
    # kc is transferred out on 1 May 2026 and returns to k2's office on 1 September 2026
    survey.dispatch("roster", "staff_left", {"event_id": "left-kc", "person": "kc", "kind": "transferred_out",
                                             "date": "2026-05-01", "spell_id": "x-kc"})
    survey.wait_quiet(timeout=30)
    with survey.rpc(as_person="kc") as rpc, pytest.raises(Forbidden):
        rpc.survey.close_campaign({"campaign_id": "c9"})              # away: no role
    survey.dispatch("roster", "staff_changed", {"event_id": "back-kc", "effective": "2026-09-01", "staff": [
        {"id": "kc", "name": "办公室主任", "unit": "k2", "agency": "k2", "position": "chief",
         "joined": "2020-01-01", "since": "2026-09-01", "titles": [], "supervises": []}]})
    # ah's return reaches the survey before his departure (events of two kinds, in any order)
    survey.dispatch("roster", "staff_changed", {"event_id": "back-ah", "effective": "2026-09-01", "staff": [
        {"id": "ah", "name": "院长", "unit": "a9", "agency": "a9", "position": "head",
         "joined": "2020-01-01", "since": "2026-09-01", "titles": [], "supervises": []}]})
    survey.dispatch("roster", "staff_left", {"event_id": "left-ah", "person": "ah", "kind": "transferred_out",
                                             "date": "2026-05-01", "spell_id": "x-ah"})
    # ao is to be dismissed in 2099: he is in post until then
    survey.dispatch("roster", "staff_left", {"event_id": "left-ao", "person": "ao", "kind": "dismissed",
                                             "date": "2099-01-01", "spell_id": "x-ao"})
    survey.wait_quiet(timeout=30)
    with survey.rpc(as_operator="ops") as rpc:
        rpc.survey.create_campaign({"campaign_id": "c8", "period": "2026H2", "owner": "a9",
                                    "subjects": [{"id": "a9", "kind": "agency", "name": "县法院"}]})
    with survey.rpc(as_person="ah") as rpc:           # back as the court's head: he closes its campaign
        assert rpc.survey.close_campaign({"campaign_id": "c8"})["already_closed"] is False
    with survey.rpc(as_person="ao") as rpc:           # an officer still (not gone yet): his role, and no more
        assert [c["campaign_id"] for c in rpc.survey.list_campaigns({})["campaigns"]] == ["c8"]
        with pytest.raises(Forbidden) as err:
            rpc.survey.close_campaign({"campaign_id": "c9"})
        assert "officer" in err.value.message
    with survey.rpc(as_person="kc") as rpc:           # back in k2's office: he closes k2's campaign
        assert rpc.survey.close_campaign({"campaign_id": "c9"})["already_closed"] is False
