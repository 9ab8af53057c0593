"""The base schema and the error table: unknown field, wrong type → an error naming the field."""
import math
from datetime import date

import pytest
from marshmallow import fields

from shared.errors import Conflict, ValidationFailed, rebuild
from shared.schemas import (NOT_DATE, BaseSchema, FiniteFloat, IsoDate, StrictInteger, flatten_errors, load,
                            renamed, strict_json_loads)

pytestmark = pytest.mark.timeout(10)


class Leave(BaseSchema):
    kind = fields.String(required=True)


class Person(BaseSchema):
    id = fields.String(required=True)
    days = StrictInteger()
    score = FiniteFloat()
    leave = fields.List(fields.Nested(Leave))
    monthly = fields.Dict(keys=fields.String(), values=FiniteFloat())


def test_unknown_field_is_refused_by_name():
    with pytest.raises(ValidationFailed) as err:
        load(Person(), {"id": "o1", "colour": "red"})
    assert err.value.field == "colour"
    assert "Unknown field" in err.value.message


def test_wrong_type_names_the_field():
    with pytest.raises(ValidationFailed) as err:
        load(Person(), {"id": 7})
    assert err.value.field == "id"


def test_missing_required_field_is_named():
    with pytest.raises(ValidationFailed) as err:
        load(Person(), {})
    assert err.value.field == "id"


def test_nested_paths_are_json_paths():
    with pytest.raises(ValidationFailed) as err:
        load(Person(), {"id": "o", "leave": [{"kind": "sick"}, {"kynd": "x"}], "monthly": {"2026-13": "x"}})
    fields_at_fault = [d["field"] for d in err.value.details]
    assert "leave[1].kynd" in fields_at_fault
    assert "leave[1].kind" in fields_at_fault
    assert "monthly.2026-13" in fields_at_fault


def test_strict_integer_refuses_floats_and_booleans():
    for bad in (1.5, True, "3"):
        with pytest.raises(ValidationFailed):
            load(Person(), {"id": "o", "days": bad})
    assert load(Person(), {"id": "o", "days": 3})["days"] == 3


def test_finite_float_refuses_nan_and_infinity():
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValidationFailed) as err:
            load(Person(), {"id": "o", "score": bad})
        assert err.value.field == "score"


def test_strict_json_refuses_nan_and_keys_given_twice():
    with pytest.raises(ValueError):
        strict_json_loads('{"a": NaN}')
    with pytest.raises(ValueError):
        strict_json_loads('{"a": 1, "a": 2}')
    assert strict_json_loads('{"a": [1, 2.5]}') == {"a": [1, 2.5]}


def test_flatten_errors_keeps_every_problem():
    assert flatten_errors({"a": ["bad"], "b": {0: {"c": ["worse"]}}}) == [("a", "bad"), ("b[0].c", "worse")]


def test_errors_survive_the_wire_as_the_same_class():
    err = Conflict("already filed", "month", [{"field": "month", "message": "already filed"}])
    again = rebuild("Conflict", list(err.args))
    assert isinstance(again, Conflict)
    assert (again.message, again.field, again.details) == (err.message, err.field, err.details)
    assert again.to_dict() == {"error": "conflict", "message": "already filed", "field": "month",
                               "details": [{"field": "month", "message": "already filed"}]}
    assert rebuild("SomethingElse", []) is None


def test_absent_field_survives_nameko_serialisation_as_none():
    from nameko.exceptions import deserialize, serialize

    again = deserialize(serialize(Conflict("already filed")))
    assert isinstance(again, Conflict)
    assert again.field is None and again.details is None
    named = deserialize(serialize(Conflict("already filed", "month")))
    assert named.field == "month"


BATCH = [{"serial": f"K-{i:05d}", "subject": "o1", "group": "parents", "answers": "SBDN" * 8 + "SSS"}
         for i in range(3000)]


@pytest.mark.parametrize("where, bad, found", [
    (None, None, None),                                              # clean: the fast passes say so
    ("answers", "S\x01", ("[0].forms[2999].answers", "Control character U+0001 at position 1.")),
    ("subject", "o\x7f", ("[0].forms[2999].subject", "Control character U+007F at position 1.")),
    ("answers", {"x": ["\x02"]}, ("[0].forms[2999].answers.x[0]", "Control character U+0002 at position 0.")),
    ("answers", 7, None),                                            # no string: nothing to refuse
    ("k\ud800", "v", ("[0].forms[2999].k\\ud800", "Bad key: Unpaired surrogate U+D800 at position 1.")),
])
def test_bad_text_in_a_batch_is_named_as_before(where, bad, found):
    """The entry point's check of every string (issue 24 item 4: a batch of 5,000 forms checked in
    a few C-level passes) names the same first fault, with the same path, as the full walk."""
    from shared.schemas import find_bad_text

    forms = [dict(f) for f in BATCH]
    if where is not None:
        forms[2999][where] = bad
    assert find_bad_text([{"campaign_id": "c1", "batch_id": "b1", "forms": forms}]) == found


def test_nesting_deeper_than_the_limit_is_refused_even_in_a_list_of_objects():
    from shared.schemas import MAX_DEPTH, find_bad_text

    value = leaf = []
    for _ in range(MAX_DEPTH):
        inner = []
        leaf.append({"a": inner})
        leaf = inner
    assert find_bad_text(value)[1].startswith(f"Nested deeper than {MAX_DEPTH} levels")
    assert find_bad_text([[{"a": "b"}]]) is None


class Dated(BaseSchema):
    day = IsoDate(required=True)
    until = IsoDate(load_default=None, allow_none=True)


def test_a_date_is_loaded_once_as_a_date_and_dumped_as_its_iso_string():
    loaded = load(Dated(), {"day": "2026-02-28", "until": None})
    assert loaded == {"day": date(2026, 2, 28), "until": None}
    assert Dated().dump(loaded) == {"day": "2026-02-28", "until": None}


@pytest.mark.parametrize("bad", ["2026-02-30", "20260228", "2026-2-28", "2026-02-28T00:00", " 2026-02-28",
                                 "２０２６-02-28", 20260228, None, ["2026-02-28"]])
def test_a_date_is_yyyy_mm_dd_and_nothing_else(bad):
    with pytest.raises(ValidationFailed) as err:
        load(Dated(), {"day": bad})
    assert err.value.field == "day"
    assert err.value.message == (NOT_DATE if bad is not None else "Field may not be null.")


# -- one name per id: person_id (training's until #17) is read as person for one release ----------
class Entry(BaseSchema):
    person = fields.String(required=True)


class Study(BaseSchema):
    person = fields.String(load_default=None)
    entries = fields.List(fields.Nested(Entry), load_default=list)


def test_the_old_name_of_an_id_is_read_as_its_name_now_at_any_depth():
    loaded = load(Study(), {"person_id": "p1", "entries": [{"person_id": "p2"}, {"person": "p3"}]})
    assert loaded == {"person": "p1", "entries": [{"person": "p2"}, {"person": "p3"}]}
    assert load(Entry(many=True), [{"person_id": "p4"}]) == [{"person": "p4"}]


def test_both_names_at_once_are_refused_naming_the_old_one():
    with pytest.raises(ValidationFailed) as err:
        load(Study(), {"person_id": "p1", "person": "p1"})
    assert err.value.field == "person_id" and "old name of 'person'" in err.value.message
    with pytest.raises(ValidationFailed) as err:
        load(Study(), {"entries": [{"person": "p1"}, {"person_id": "p2", "person": "p2"}]})
    assert err.value.field == "entries[1].person_id"


def test_a_schema_without_the_new_name_still_refuses_the_old_one():
    with pytest.raises(ValidationFailed) as err:
        load(Leave(), {"kind": "annual", "person_id": "p1"})
    assert (err.value.field, err.value.message) == ("person_id", "Unknown field.")


def test_the_policy_reads_old_names_as_new_ones_and_nothing_is_copied_without_them():
    given = {"entries": [{"person_id": "p2"}], "note": {"x": 1}}
    assert renamed(given) == {"entries": [{"person": "p2"}], "note": {"x": 1}}
    assert given == {"entries": [{"person_id": "p2"}], "note": {"x": 1}}      # the payload is left as it is
    clean = {"entries": [{"person": "p2"}], "note": {"x": 1}}
    assert renamed(clean) is clean


def test_a_long_list_of_flat_objects_is_renamed_like_any_other():
    forms = [{"serial": f"s{i}", "person": "p1", "n": i, "ok": None} for i in range(1000)]
    assert renamed(forms) is forms                                  # nothing to rename: the list itself
    old = forms[:500] + [{"serial": "x", "person_id": "p9"}] + forms[500:]
    assert renamed(old)[500] == {"serial": "x", "person": "p9"}       # one old name deep in a long list
    assert renamed(old)[:500] == forms[:500]
    nested = forms + [{"inner": {"person_id": "p3"}}]
    assert renamed(nested)[-1] == {"inner": {"person": "p3"}}         # an object inside one: still walked
    listed = forms + [{"inner": [{"person_id": "p4"}]}]
    assert renamed(listed)[-1] == {"inner": [{"person": "p4"}]}
    assert renamed([]) == [] and renamed([1, "a"]) == [1, "a"]


def test_the_joined_printable_check_is_str_isprintable():
    """shared.schemas._printable (the batch's joined keys and values, issue 24 item 4) answers as
    str.isprintable for every character alone and inside ASCII or other text (fails if DEL, a C0
    control, the blank or a lone surrogate were taken otherwise)."""
    from shared.schemas import _printable

    for code in [*range(0, 0x3000), *range(0xD7F0, 0xE010), 0xFEFF, 0x10FFFF]:
        char = chr(code)
        for text in (char, f"ab{char}cd", f"满{char}", ""):
            assert _printable(text) is text.isprintable(), (hex(code), text)
