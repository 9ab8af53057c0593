"""A body's month is read alike alone (``BodyMonth``: publish_notice, file_month, rank_month) and in
a batch (``BodyMonthItem`` in ``BodyMonths``: publish_notices, file_months, rank_months): the same
fields, defaults and refusals, naming the same field (within ``items[i]`` in a batch); only the
batch's items take no ``as_of`` of their own (the call's)."""
import pytest

from shared.contracts.scoring import BodyMonth, BodyMonthItem, BodyMonths
from shared.errors import ValidationFailed
from shared.schemas import load

pytestmark = pytest.mark.timeout(10)

GOOD = {"actor": "l1", "evaluator": "a1", "month": "2026-03"}
BAD = [
    ({}, "actor"),
    ({**GOOD, "actor": ""}, "actor"),
    ({**GOOD, "actor": "x" * 101}, "actor"),
    ({**GOOD, "actor": 7}, "actor"),
    ({"actor": "l1", "month": "2026-03"}, "evaluator"),
    ({**GOOD, "evaluator": None}, "evaluator"),
    ({**GOOD, "evaluator": "a\u0000"}, "evaluator"),
    ({**GOOD, "month": "2026-13"}, "month"),
    ({**GOOD, "month": "2026-3"}, "month"),
    ({"actor": "l1", "evaluator": "a1"}, "month"),
    ({**GOOD, "groups": ["units", "nobody"]}, "groups[1]"),
    ({**GOOD, "groups": "units"}, "groups"),
    ({**GOOD, "groups": None}, "groups"),
    ({**GOOD, "body": "a1"}, "body"),
]


def _refusal(schema, data):
    with pytest.raises(ValidationFailed) as err:
        load(schema, data)
    return err.value.field, err.value.message, err.value.details


@pytest.mark.parametrize("data, field", BAD)
def test_the_same_bad_input_gets_the_same_error_alone_and_in_a_batch(data, field):
    alone = _refusal(BodyMonth(), data)
    assert alone[0] == field
    assert _refusal(BodyMonthItem(), data) == alone
    field_b, message_b, details_b = _refusal(BodyMonths(), {"items": [GOOD, data]})
    assert (field_b, message_b) == (f"items[1].{field}", alone[1])
    assert details_b == [{**d, "field": f"items[1].{d['field']}"} for d in alone[2]]


def test_the_same_good_input_loads_the_same():
    for data in (GOOD, {**GOOD, "groups": ["chiefs", "officers"]}):
        item = load(BodyMonthItem(), data)
        assert load(BodyMonth(), data) == {**item, "as_of": None}
        assert load(BodyMonths(), {"items": [data]}) == {"items": [item], "as_of": None}
    assert load(BodyMonthItem(), GOOD)["groups"] == ("units", "leaders", "reserve")


def test_only_the_call_takes_an_as_of():
    assert str(load(BodyMonth(), {**GOOD, "as_of": "2026-04-01"})["as_of"]) == "2026-04-01"
    assert _refusal(BodyMonthItem(), {**GOOD, "as_of": "2026-04-01"})[0] == "as_of"
    assert _refusal(BodyMonth(), {**GOOD, "as_of": "2026-04-31"})[0] == "as_of"
    field, _message, details = _refusal(BodyMonth(), {"as_of": "2026-04-31", "month": "2026-13"})
    assert field == "as_of" and [d["field"] for d in details] == ["as_of", "actor", "evaluator", "month"]
    assert list(BodyMonth().fields) == ["as_of", "actor", "evaluator", "month", "groups"]
    assert list(BodyMonthItem().fields) == ["actor", "evaluator", "month", "groups"]
