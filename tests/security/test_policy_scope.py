"""Writes stay inside the writer's scope, on the real broker (issue 18 items 4 and 8).

The attack of the issue: a calling system of county k1 opened a campaign about county k2's
public-security bureau and posted 600 all-不满意 forms; the bureau's target 8 went from met to
missed.  Here the campaign is refused (its subject lies outside its owner's units: ``Forbidden``
naming the subject), nothing is stored, the 600 forms find no campaign, and k2's target 8 is the
same before and after.  Target 8 pools closed campaigns only: 600 forms in a campaign still open
change nothing until it closes.  The control: k1's campaign about its own bureau is opened."""
import pytest

from shared.errors import Conflict, Forbidden, NotFound
from shared.runner import Suite

pytestmark = [pytest.mark.broker, pytest.mark.timeout(180)]

UNITS = [
    {"id": "city", "name": "市委政法委", "kind": "committee", "parent": None, "agency": "city", "level": "city"},
    {"id": "k1", "name": "一县委政法委", "kind": "committee", "parent": "city", "agency": "k1", "level": "county"},
    {"id": "k2", "name": "二县委政法委", "kind": "committee", "parent": "city", "agency": "k2", "level": "county"},
    {"id": "k1ps", "name": "一县公安局", "kind": "agency", "parent": "k1", "agency": "k1ps", "level": "county"},
    {"id": "k2ps", "name": "二县公安局", "kind": "agency", "parent": "k2", "agency": "k2ps", "level": "county"},
]


def form(serial, subject, answers):
    return {"serial": serial, "subject": subject, "group": "parents", "answers": answers}


@pytest.fixture
def survey_real(real_config):
    real_config["OUTBOX_POLL_SECONDS"] = 0.2
    suite = Suite(real_config, names=("survey",)).start()
    try:
        suite.dispatch("roster", "units_saved", {"event_id": "units-1", "units": UNITS})
        suite.wait_quiet(timeout=60)
        yield suite
    finally:
        suite.stop()


def target8(sv):
    return {t["agency"]: t["value"] for t in sv.targets({"year": 2026})["targets"]}


def test_a_county_cannot_open_a_campaign_about_another_countys_bureau(survey_real):
    with survey_real.rpc() as rpc:
        sv = rpc.survey
        # k2's own campaign about its bureau: 13 of 14 satisfied, closed: target 8 met
        sv.create_campaign({"campaign_id": "k2-h1", "period": "2026H1", "owner": "k2",
                            "subjects": [{"id": "k2ps", "kind": "agency", "name": "二县公安局"}]})
        sv.submit_batch({"campaign_id": "k2-h1", "batch_id": "k2-b1", "forms": [
            form(f"k2-{i}", "k2ps", "S" * 35 if i < 13 else "D" * 35) for i in range(14)]})
        sv.close_campaign({"campaign_id": "k2-h1"})
        before = target8(sv)
        assert before["k2ps"] == round(13 / 14, 4)
        # the attack: k1 opens a campaign about k2's bureau ...
        with pytest.raises(Forbidden) as refused:
            sv.create_campaign({"campaign_id": "evil", "period": "2026H2", "owner": "k1",
                                "subjects": [{"id": "k2ps", "kind": "agency", "name": "二县公安局"}]})
        assert refused.value.field == "subjects[0]"
        assert refused.value.message.startswith("survey.create_campaign:") and "k2ps" in refused.value.message
        # ... nothing is stored, and its 600 all-不满意 forms find no campaign
        with pytest.raises(NotFound):
            sv.get_campaign({"campaign_id": "evil"})
        for b in range(6):
            with pytest.raises(NotFound):
                sv.submit_batch({"campaign_id": "evil", "batch_id": f"evil-{b}", "forms": [
                    form(f"e-{b}-{i}", "k2ps", "D" * 35) for i in range(100)]})
        assert target8(sv) == before
        # k2's own campaign of the second half, still open, with 600 all-不满意 forms: target 8
        # pools closed campaigns only, so nothing changes while forms may still arrive
        sv.create_campaign({"campaign_id": "k2-h2", "period": "2026H2", "owner": "k2",
                            "subjects": [{"id": "k2ps", "kind": "agency", "name": "二县公安局"}]})
        for b in range(6):
            out = sv.submit_batch({"campaign_id": "k2-h2", "batch_id": f"k2-h2-{b}", "forms": [
                form(f"h2-{b}-{i}", "k2ps", "D" * 35) for i in range(100)]})
            assert out["accepted"] == 100, out
        assert target8(sv) == before
        with pytest.raises(Conflict):                     # nor are its rates published to scoring
            sv.publish_rates({"campaign_id": "k2-h2"})
        # the control: k1 opens a campaign about its own bureau
        own = sv.create_campaign({"campaign_id": "k1-h2", "period": "2026H2", "owner": "k1",
                                  "subjects": [{"id": "k1ps", "kind": "agency", "name": "一县公安局"}]})
        assert own["created"] is True
