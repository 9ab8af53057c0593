"""The policy table, enforced at every entry point, on the real broker (issue 18 items 2 and 8).

Each attack is a verified actor calling what its role may not (or about what lies outside its units):
refused with ``Forbidden`` naming ``actor`` and the rule (the message starts with ``service.method``),
nothing runs, nothing is written; each is followed by its control (the right role succeeds)."""
import pytest

from shared.entrypoints import rpc
from shared.errors import Forbidden, NotFound
from shared.identity import ALL_UNITS, Actor
from shared.runner import Suite, service_class
from tests.service.scoring.conftest import EVALUATORS, PEOPLE, UNITS, resolve_evaluators

pytestmark = [pytest.mark.broker, pytest.mark.timeout(240)]

FEB = "2026-02"
#: a second county for the survey: k1 and k2 under the city
SURVEY_UNITS = [
    {"id": "city", "name": "市委政法委", "kind": "committee", "parent": None, "agency": "city", "level": "city"},
    {"id": "k1", "name": "一县委政法委", "kind": "committee", "parent": "city", "agency": "k1", "level": "county"},
    {"id": "k2", "name": "二县委政法委", "kind": "committee", "parent": "city", "agency": "k2", "level": "county"},
    {"id": "k1ps", "name": "一县公安局", "kind": "agency", "parent": "k1", "agency": "k1ps", "level": "county"},
    {"id": "k2ps", "name": "二县公安局", "kind": "agency", "parent": "k2", "agency": "k2ps", "level": "county"},
]
RAN: list = []


class RewardsWithAStrayRpc(service_class("rewards")):
    """rewards with one RPC the policy table has no row for (``rewards.wipe``)."""

    @rpc
    def wipe(self, payload):
        RAN.append(payload)
        return {"wiped": True}


@pytest.fixture
def city(private_config):
    private_config["AUDITORS"] = "aud"
    suite = Suite(private_config, names=(), classes=[service_class("scoring"), service_class("survey"),
                                                     RewardsWithAStrayRpc]).start()
    try:
        with suite.rpc(as_operator="ops") as rpc:
            rpc.scoring.save_units({"units": UNITS})
            rpc.scoring.upsert_people({"people": PEOPLE})
        resolve_evaluators(suite, PEOPLE, EVALUATORS)
        suite.dispatch("roster", "units_saved", {"event_id": "units-k", "units": SURVEY_UNITS})
        suite.wait_quiet(timeout=60)
        RAN.clear()
        yield suite
    finally:
        suite.stop()


def refused(call, payload, rule, *words):
    with pytest.raises(Forbidden) as err:
        call(payload)
    assert err.value.field == "actor", err.value
    assert err.value.message.startswith(rule + ":"), err.value.message
    for word in words:
        assert word in err.value.message, err.value.message
    return err.value.message


def reviewed(suite, subject, mentor):
    with suite.rpc() as rpc:
        rpc.scoring.submit_self_assessment({"actor": subject, "subject": subject, "month": FEB,
                                            "as_of": "2026-03-02"})
        return rpc.scoring.review({"actor": mentor, "subject": subject, "month": FEB, "as_of": "2026-03-02"})


def test_an_officer_or_a_chief_may_not_approve_a_leader_does(city):
    assert reviewed(city, "o2", "c1")["state"] == "reviewed"
    with city.rpc() as rpc:
        before = rpc.scoring.evaluation({"subject": "o2", "month": FEB})
        # the attack: an officer, then the chief (o2's mentor is c1: the domain would say "mentor",
        # but the table says first that a chief never approves), approve o2's evaluation
        refused(rpc.scoring.approve, {"actor": "o1", "subject": "o2", "month": FEB, "as_of": "2026-03-03"},
                "scoring.approve", "person o1 (officer) may not")
        refused(rpc.scoring.approve, {"actor": "c2", "subject": "o2", "month": FEB, "as_of": "2026-03-03"},
                "scoring.approve", "(chief) may not")
        assert rpc.scoring.evaluation({"subject": "o2", "month": FEB}) == before       # nothing written
        # the control: a leader of the bureau approves
        out = rpc.scoring.approve({"actor": "l2", "subject": "o2", "month": FEB, "as_of": "2026-03-03"})
        assert out["state"] == "approved" and out["trail"][-1]["actor"] == "l2"


def test_a_person_acts_only_as_themself_inside_a_batch(city):
    reviewed(city, "o1", "c1")
    with city.rpc(as_person="l1") as rpc:
        before = rpc.scoring.evaluation({"subject": "o1", "month": FEB})
        refused(rpc.scoring.approve_batch, {"items": [{"actor": "l2", "subject": "o1", "month": FEB}],
                                            "as_of": "2026-03-03"},
                "scoring.approve_batch", "person l1 may not act as l2")
        assert rpc.scoring.evaluation({"subject": "o1", "month": FEB}) == before
        out = rpc.scoring.approve_batch({"items": [{"actor": "l1", "subject": "o1", "month": FEB}],
                                         "as_of": "2026-03-03"})
        assert out["errors"] == [] and rpc.scoring.evaluation({"subject": "o1", "month": FEB})["state"] == "approved"


def test_an_auditor_reads_and_writes_nothing(city):
    reviewed(city, "o3", "c2")
    with city.rpc(as_person="aud") as rpc:
        before = rpc.scoring.evaluation({"subject": "o3", "month": FEB})    # the control: reads
        assert before["state"] == "reviewed"
        refused(rpc.scoring.approve, {"actor": "aud", "subject": "o3", "month": FEB, "as_of": "2026-03-03"},
                "scoring.approve", "reads only")
        refused(rpc.scoring.record_honours, {"honours": [{"id": "hx", "subject": "o3", "title": "x",
                                                          "level": "city", "date": "2026-02-01"}]},
                "scoring.record_honours", "reads only")
        refused(rpc.survey.create_campaign, {"campaign_id": "aud-c", "period": "2026H1", "owner": "k1",
                                             "subjects": [{"id": "k1ps", "kind": "agency", "name": "x"}]},
                "survey.create_campaign", "reads only")
        refused(rpc.rewards.set_schedule, {"agency": "ps", "effective_from": "2026"}, "rewards.set_schedule",
                "reads only")
        assert rpc.scoring.evaluation({"subject": "o3", "month": FEB}) == before
    with city.rpc(as_operator="ops") as rpc:
        assert rpc.survey.list_campaigns({})["campaigns"] == []


def test_a_system_of_one_unit_writes_nothing_about_another(city):
    form = {"serial": "f1", "subject": "k2ps", "group": "parents", "answers": "D" * 35}
    with city.rpc(as_operator="ops") as rpc:
        rpc.survey.create_campaign({"campaign_id": "k2-h1", "period": "2026H1", "owner": "k2",
                                    "subjects": [{"id": "k2ps", "kind": "agency", "name": "二县公安局"}]})
    k1 = Actor("k1-sys", "system", frozenset({"k1"}))
    with city.rpc(identity=k1) as rpc:
        # forms into k2's campaign, a campaign owned by k2, honours of a person of another unit
        # k2's campaign answers k1's system exactly as a campaign that does not exist (issue 19 item 5)
        for call, payload in ((rpc.survey.submit_form, {"form": form}),
                              (rpc.survey.submit_batch, {"batch_id": "b1", "forms": [form]}),
                              (rpc.survey.get_rates, {}), (rpc.survey.progress, {})):
            answers = []
            for campaign in ("k2-h1", "k2-none"):
                with pytest.raises(NotFound) as err:
                    call({**payload, "campaign_id": campaign})
                answers.append((type(err.value), err.value.field, err.value.message.replace(campaign, "?")))
            assert answers[0] == answers[1] == (NotFound, "campaign_id", "no campaign '?'"), answers
        refused(rpc.survey.create_campaign, {"campaign_id": "k1-evil", "period": "2026H2", "owner": "k2",
                                             "subjects": [{"id": "k2ps", "kind": "agency", "name": "x"}]},
                "survey.create_campaign", "owner 'k2' lies outside")
        refused(rpc.scoring.record_honours, {"honours": [{"id": "h-o3", "subject": "o3", "title": "x",
                                                          "level": "city", "date": "2026-02-01"}]},
                "scoring.record_honours", "honours.subject 'o3' lies outside")
    with city.rpc(as_operator="ops") as rpc:
        assert rpc.survey.progress({"campaign_id": "k2-h1"})["forms"] == 0           # nothing written
        assert [c["campaign_id"] for c in rpc.survey.list_campaigns({})["campaigns"]] == ["k2-h1"]
    # the controls: k2's system posts into k2's campaign; a system of the bureau records its officer's honour
    with city.rpc(identity=Actor("k2-sys", "system", frozenset({"k2"}))) as rpc:
        assert rpc.survey.submit_form({"campaign_id": "k2-h1", "form": form})["accepted"] is True
    with city.rpc(identity=Actor("ps-sys", "system", frozenset({"ps"}))) as rpc:
        assert rpc.scoring.record_honours({"honours": [{"id": "h-o3", "subject": "o3", "title": "x",
                                                        "level": "city", "date": "2026-02-01"}]})
    with city.rpc(as_operator="ops") as rpc:
        assert rpc.survey.progress({"campaign_id": "k2-h1"})["forms"] == 1


def test_a_service_calls_only_what_its_role_may(city):
    newcomer = {"id": "o9", "agency": "ps", "section": "s1", "position": "officer", "joined": "2026-01-01"}
    with city.rpc(as_service="survey") as rpc:
        refused(rpc.scoring.upsert_people, {"people": [newcomer]}, "scoring.upsert_people",
                "service survey (service:survey) may not")
    with city.rpc(as_service="scoring") as rpc:
        refused(rpc.rewards.settle, {"rating": {}}, "rewards.settle", "service scoring")
    assert people_of_scoring(city) == len(PEOPLE)                                   # nothing written
    with city.rpc(as_service="roster") as rpc:      # the control: the roster feeds scoring's read model
        rpc.scoring.upsert_people({"people": [newcomer]})
    assert people_of_scoring(city) == len(PEOPLE) + 1


def people_of_scoring(suite) -> int:
    from services.scoring import models
    from shared.db import Database

    database = next(d for d in suite.container("scoring").dependencies if isinstance(d, Database))
    with database.sessionmaker() as session:
        return session.query(models.Person).count()


def test_an_rpc_missing_from_the_table_is_refused_and_never_runs(city):
    for identity in (Actor("ops", "operator", ALL_UNITS), Actor("scoring", "service", ALL_UNITS),
                     Actor("h", "person")):
        with city.rpc(identity=identity) as rpc:
            refused(rpc.rewards.wipe, {"all": True}, "rewards.wipe", "not in the policy table")
    assert RAN == []
    with city.rpc(as_operator="ops") as rpc:        # the control: its rows in the table answer
        assert rpc.rewards.health()["service"] == "rewards"
