"""The gateway's cursor (services.gateway.paging) and the answer shapes read from the route table
(services.gateway.answers), without services."""
import pytest

from services.gateway import answers, paging
from services.gateway.routing import Route
from shared.errors import ValidationFailed


def _route(response, path="/x/{unit}/things", target="roster.things"):
    return Route("GET", path, target, "things", response)


def test_a_response_text_becomes_a_schema_with_its_lists_maps_and_counts():
    route = _route("{unit, as_of (the day), count: n, things: [{id, tags: [tag]}], by_kind: {kind: n}, ...}: more")
    schema = answers.answer_of(route)
    declared = schema._declared_fields
    assert set(declared) == {"unit", "as_of", "count", "things", "by_kind"}
    assert type(declared["count"]).__name__ == "Integer"
    assert type(declared["things"]).__name__ == "List" and type(declared["by_kind"]).__name__ == "Dict"
    assert set(declared["things"].inner.schema.fields) == {"id", "tags"}
    assert answers.answer_name(route) == "roster.ThingsAnswer" and paging.list_of(route) == "things"


def test_prose_is_a_documented_free_form_object_and_two_lists_are_no_list_route():
    free = answers.answer_of(_route("the rating result of RATING.md §5"))
    assert free["type"] == "object" and free["additionalProperties"] is True
    assert free["description"].startswith("free-form: the rating result")
    assert paging.list_of(_route("{as_of, years: [year], missing: [year]}", target="roster.two")) is None
    assert paging.list_of(_route("{kind, dimensions: [d]}", target="scoring.template")) is None


def test_pages_and_cursors():
    route = _route("{things: [t]}")
    offset, binding = paging.start(route, None, {"a": 1}, {"unit": "u"})
    page = paging.page({"things": list(range(5)), "k": 1}, "things", 2, offset, binding)
    assert page["things"] == [0, 1] and page["k"] == 1 and page["next"]
    offset, binding = paging.start(route, page["next"], {"a": 1}, {"unit": "u"})
    last = paging.page({"things": list(range(5))}, "things", 3, offset, binding)
    assert last == {"things": [2, 3, 4], "next": None}
    for query, path in (({"a": 2}, {"unit": "u"}), ({"a": 1}, {"unit": "v"})):
        with pytest.raises(ValidationFailed) as refused:
            paging.start(route, page["next"], query, path)
        assert refused.value.field == "cursor"
    for bad in ("", "x" * 300, "!!", "eyJvIjogLTEsICJiIjogIngifQ"):
        with pytest.raises(ValidationFailed):
            paging.start(route, bad, {"a": 1}, {"unit": "u"})
    for limit in ("0", "501", "-1", "1.5", "x"):
        with pytest.raises(ValidationFailed) as refused:
            paging.take_limit({"limit": limit})
        assert refused.value.field == "limit"
    assert paging.take_limit({}) == paging.DEFAULT_LIMIT and paging.take_limit({"limit": "500"}) == 500


def test_a_list_its_service_pages_carries_the_services_key_in_its_cursor():
    route = _route("{unit, members: [member]}", target="roster.members_of")
    assert paging.in_service(route) and not paging.in_service(_route("{unit, things: [t]}"))
    assert paging.start(route, None, {"date": "2026-01-01"}, {"unit": "u"}, keyed=True)[0] is None
    _, binding = paging.start(route, None, {"date": "2026-01-01"}, {"unit": "u"}, keyed=True)
    page = paging.service_page({"unit": "u", "members": [{"id": "a"}], "next": "a"}, "members", binding)
    assert page["members"] == [{"id": "a"}] and page["unit"] == "u"
    assert paging.start(route, page["next"], {"date": "2026-01-01"}, {"unit": "u"}, keyed=True) == ("a", binding)
    with pytest.raises(ValidationFailed) as err:                 # bound to its list as an offset cursor is
        paging.start(route, page["next"], {"date": "2026-02-01"}, {"unit": "u"}, keyed=True)
    assert err.value.field == "cursor"
    offset_cursor = paging.page({"members": [1, 2]}, "members", 1, 0, binding)["next"]
    with pytest.raises(ValidationFailed):                        # an offset is no key
        paging.start(route, offset_cursor, {"date": "2026-01-01"}, {"unit": "u"}, keyed=True)
    last = paging.service_page({"unit": "u", "members": [], "next": None}, "members", binding)
    assert last["next"] is None


def test_a_keyed_page_is_the_first_limit_rows_and_the_last_ones_key_when_more_follow():
    from shared.keyset import split

    assert split([1, 2, 3], 2, str) == ([1, 2], "2")
    assert split([1, 2], 2, str) == ([1, 2], None)
    assert split([], 2, str) == ([], None)
