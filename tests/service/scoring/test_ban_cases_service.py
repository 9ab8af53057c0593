"""roster's ``ban_violated`` (M§三(三)) reaches the ratings: the case against the violator and the
joint-responsibility case against the mentor are shown in their rating explanations; the violation
alone does not disqualify (a sanction it leads to does, and then the mentor link caps the mentor)."""
import pytest

from services.scoring.domain import composite
from shared.contracts.roster import BanViolatedEvent
from shared.schemas import load
from tests.service.scoring.conftest import drive_month, wait_for

pytestmark = pytest.mark.timeout(120)

EVENT = {"event_id": "ban-ev-1", "occurred_at": "2026-03-11T09:00:00Z",
         "violation_id": "v1", "person": "o3", "mentor": "c2", "ban": 2,
         "occurred_on": "2026-03-10", "confirmed_on": "2026-03-11",
         "suspension_spell_id": "sp-v1", "person_case_id": "case-o3", "mentor_case_id": "case-c2"}


def by_id(result):
    return {o["id"]: o for o in result["officers"]}


def test_a_ban_violation_is_shown_for_the_person_and_the_mentor(city):
    contract = {k: v for k, v in EVENT.items() if k not in ("event_id", "occurred_at")}
    assert load(BanViolatedEvent(), contract) is not None        # the roster's event contract
    with city.rpc() as rpc:
        drive_month(rpc, "2026-01", {}, submit_on="2026-02-02", file_on="2026-02-09")
        plain = rpc.scoring.run_rating({"period": "2026H1", "scope": "cnty",
                                        "rating_date": "2026-07-08"})
        assert by_id(plain["result"])["o3"]["stars"] == 5

        city.dispatch("roster", "ban_violated", EVENT)
        city.dispatch("roster", "ban_violated", EVENT)          # redelivered: one case each

        def rated():
            out = rpc.scoring.run_rating({"period": "2026H1", "scope": "cnty",
                                          "rating_date": "2026-07-08"})
            return out if out["published"] else None

        h1 = wait_for(rated)
        assert h1 and h1["rating_id"] == "2026H1:cnty:2"
        officers = by_id(h1["result"])
        o3, c2 = officers["o3"], officers["c2"]
        # the violator: shown, not disqualified by the violation itself
        assert o3["status"] == "rated" and o3["stars"] == 5
        entries = [e for e in o3["explanation"] if e["rule"] == "M§三(三)"]
        assert len(entries) == 1 and entries[0]["points"] == 0.0
        assert "ban 2 violated on 2026-03-10 (case case-o3)" in entries[0]["text"]
        # the mentor: the joint-responsibility case, shown only
        joint = [e for e in c2["explanation"] if e["rule"] == "M§三(三) 联带责任"]
        assert len(joint) == 1 and "o3's violation of ban 2" in joint[0]["text"]
        assert c2["stars"] == 5
        # nobody else changes
        for sid, r in by_id(plain["result"]).items():
            if sid not in ("o3", "c2"):
                assert officers[sid] == r
        # the stored snapshot carries the cases and rates back to the published result
        snap = rpc.scoring.snapshot({"rating_id": h1["rating_id"]})
        assert [c["id"] for c in snap["cases"]] == ["case-c2", "case-o3"]
        assert composite.rate_composite(snap)[0] == h1["result"]
        assert rpc.scoring.rate_snapshot(snap) == h1["result"]
        why = rpc.scoring.explanation({"subject": "c2", "period": "2026H1"})
        assert any(e["rule"] == "M§三(三) 联带责任" for e in why["explanation"])

        # the investigation ends in a sanction: that disqualifies (M§五(二)1(2)③), and the mentor
        # cannot be five stars (M§五(二)1(2)④)
        rpc.scoring.record_facts({"facts": [
            {"id": "sanction-o3", "subject": "o3", "subject_kind": "officer",
             "kind": "disciplinary_sanction", "date": "2026-04-20"}]})
        after = by_id(rpc.scoring.run_rating({"period": "2026H1", "scope": "cnty",
                                              "rating_date": "2026-07-08"})["result"])
        assert after["o3"]["status"] == "disqualified"
        assert after["o3"]["reasons"] == ["disciplinary_sanction"]
        assert after["c2"]["stars"] == 4 and after["c2"]["reasons"] == ["mentee_disqualified"]


def test_a_violation_outside_the_period_is_not_in_its_rating(city):
    with city.rpc() as rpc:
        drive_month(rpc, "2026-01", {}, submit_on="2026-02-02", file_on="2026-02-09")
        city.dispatch("roster", "ban_violated", {**EVENT, "occurred_on": "2026-08-01",
                                                 "confirmed_on": "2026-08-02"})

        def annual_shows_it():
            result = rpc.scoring.run_rating({"period": "2026", "scope": "cnty",
                                             "rating_date": "2027-01-08"})["result"]
            return any(e["rule"] == "M§三(三)" for e in by_id(result)["o3"]["explanation"])

        assert wait_for(annual_shows_it)                        # August: in the year's rating
        h1 = rpc.scoring.run_rating({"period": "2026H1", "scope": "cnty",
                                     "rating_date": "2026-07-08"})
        assert not composite.is_composite(rpc.scoring.snapshot({"rating_id": h1["rating_id"]}))
        assert not any(e["rule"].startswith("M§三(三)")
                       for o in h1["result"]["officers"] for e in o["explanation"])
