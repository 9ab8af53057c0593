"""The rating_published event contract (shared/contracts/scoring_events.py)."""
import pytest

from shared.contracts.scoring_events import dump_rating, load_rating, period_kind
from shared.errors import ValidationFailed
from rewards_ratings import agency, officer, rating_payload, section

pytestmark = pytest.mark.timeout(10)


def payload(**kw):
    return rating_payload(officers=[officer("o1", stars=5)], sections=[section("s1", stars=3)],
                          agencies=[agency("a1")], **kw)


def test_valid_payload_loads_and_dumps_back_to_json_form():
    data = load_rating(payload())
    assert data["result"]["agencies"][0]["class"] == 2
    dumped = dump_rating(data)
    assert dumped["rating_date"] == "2027-01-08"
    assert load_rating(dumped) == data


def test_period_kind():
    assert period_kind("2026") == "annual" and period_kind("2026H1") == "half_year"
    with pytest.raises(ValueError):
        period_kind("2026H2")


def test_kind_must_agree_with_period():
    with pytest.raises(ValidationFailed) as err:
        load_rating(dict(payload(), kind="half_year"))
    assert err.value.field == "kind"


def test_officer_without_paying_unit_refused():
    p = payload()
    del p["subjects"]["o1"]
    with pytest.raises(ValidationFailed) as err:
        load_rating(p)
    assert err.value.field == "subjects.o1"


def test_section_without_headcount_refused():
    p = payload()
    p["subjects"]["s1"]["headcount"] = None
    with pytest.raises(ValidationFailed) as err:
        load_rating(p)
    assert err.value.field == "subjects.s1.headcount"


def test_rated_without_stars_refused():
    p = payload()
    p["result"]["officers"][0]["stars"] = None
    with pytest.raises(ValidationFailed) as err:
        load_rating(p)
    assert err.value.field == "result.officers[0].stars"


def test_settlement_subject_must_be_in_the_result():
    p = payload()
    p["result"]["settlement"] = [{"subject": "zz", "kind": "bonus", "amount": 1, "reason": "five_stars"}]
    with pytest.raises(ValidationFailed) as err:
        load_rating(p)
    assert err.value.field == "result.settlement[0].subject"


def test_unknown_field_refused_and_event_id_optional_on_rpc_path():
    with pytest.raises(ValidationFailed) as err:
        load_rating(dict(payload(), extra=1))
    assert err.value.field == "extra"
    p = payload()
    del p["event_id"]
    assert load_rating(p, direct=True)["event_id"] is None
    with pytest.raises(ValidationFailed):
        load_rating(p)
