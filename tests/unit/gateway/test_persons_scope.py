"""A signed-in person on the routes naming their units (``Scope.at``, issue 21 item 2): which routes the
gateway passes to the service's policy (its row checks the very fields the route names), which stay
closed and why; and how a refusal of the policy is answered (as a calling system outside its units)."""
import pytest
from marshmallow import Schema, fields

from services.gateway import persons
from services.gateway.app import _check_scope
from services.gateway.routes import ROUTES
from services.gateway.routing import Route, Scope, values_at
from services.gateway.tokens import Caller
from shared import access, policy
from shared.errors import Forbidden, NotFound
from shared.identity import Actor

PERSON = Caller("person:o1", "o1", frozenset(), kind="person")
OTHER = Caller("other", "other-office", frozenset({"m_ps"}))

#: the Scope.at routes a person never passes, and why (a route closing or opening changes this list)
CLOSED = {
    ("POST", "/ratings/preview"): "names no scope",                 # a snapshot's units, rated, nothing stored
    ("GET", "/roster/units/{unit}/history"): "names no scope",      # roster.unit_history reads any unit
}

def test_every_route_naming_units_is_open_to_persons_only_where_its_policy_row_checks_those_fields():
    opened, closed = persons.open_to_persons(ROUTES)
    at = [r for r in ROUTES if r.scope.kind == "paths"]
    assert len(at) == len(opened) + len(closed) and len(opened) >= 25
    assert set(closed) == set(CLOSED), sorted(set(closed) ^ set(CLOSED))
    for k, why in CLOSED.items():
        assert why in closed[k], (k, closed[k])
    for route in at:
        if persons.key(route) not in opened:
            continue
        mapping, rule = opened[persons.key(route)], policy.TABLE[route.target]
        # the row: a unit or person scope of exactly the route's fields ("else the city" never fires: they
        # are always named, below)
        assert rule.scope.kind in ("unit", "person"), route.path
        assert set(mapping) == set(route.scope.paths) and set(mapping.values()) == set(rule.scope.paths)
        # each field is always in the request: a path parameter or a required field of the schema
        for field in route.scope.paths:
            assert field in route.params or any(
                s is not None and field in s.fields and s.fields[field].required
                for s in (route.query, route.body)), (route.path, field)
        # and the payload the route sends holds the request's value where the row reads it
        merged = {**{f: f"u-{f}" for f in route.scope.paths}, **{p: f"p-{p}" for p in route.params
                                                                if p not in route.scope.paths}}
        args = route.build(merged) if route.build is not None else (merged,)
        for field, path in mapping.items():
            assert access.values_at(args[0], path) == [f"u-{field}"], (route.path, field, path)

class _Query(Schema):
    unit_id = fields.String(required=True)
    maybe = fields.String()

def _route(target, path="/x/{unit}", scope=("unit",), **kw):
    return Route("GET", path, target, "s", "{}", scope=Scope.at(*scope), **kw)

def _rename(merged):
    return ({("unit_id" if k == "unit" else k): v for k, v in merged.items()},)

@pytest.mark.parametrize("route, why", [
    (_route("training.study_report"), "does not name"),                    # the row reads unit_id: unmapped
    (_route("roster.members_of", "/x", ("maybe",), query=_Query()), "may be absent"),
    (_route("roster.members_of", "/x/{agency}", ("agency",)), "does not name"),
    (_route("roster.unit_history"), "names no scope"),
    (_route("training.frontline_report"), "city (every unit)"),
    (_route("survey.get_rates", "/x/{campaign_id}", ("campaign_id",)), "not a unit or a person"),
    (_route("nothing.here"), "no row"),
    (_route("scoring.rate_snapshot", "/x", ("agencies[].id",)), "names no scope"),
    (_route("roster.members_of", build=lambda merged: ({"unit": "fixed"},)), "does not name"),
    (_route("roster.members_of", build=lambda merged: ({"unit": merged["date"]},)), "its build needs more"),
])
def test_a_route_whose_row_does_not_check_its_fields_stays_closed(route, why):
    mapping, said = persons.check_route(route)
    assert mapping is None and why in said, said

def test_a_row_reading_the_whole_city_without_its_field_opens_only_where_the_route_always_names_it():
    """``rewards.ledger`` reads every paying unit's lines when ``paying_unit`` is absent (else the city):
    a route with it in the path opens (the city branch cannot fire), one where it may be absent not."""
    assert policy.TABLE["rewards.ledger"].scope.else_city
    assert persons.check_route(_route("rewards.ledger", "/x/{paying_unit}", ("paying_unit",))) == (
        {"paying_unit": "paying_unit"}, "")

    class Optional(Schema):
        paying_unit = fields.String()

    mapping, said = persons.check_route(_route("rewards.ledger", "/x", ("paying_unit",), query=Optional()))
    assert mapping is None and "may be absent" in said, said


def test_a_renamed_field_is_followed_to_the_row_s_path():
    assert persons.check_route(_route("training.study_report", build=_rename)) == ({"unit": "unit_id"}, "")
    assert persons.check_route(_route("roster.members_of", "/x", ("unit_id",), query=_Query(),
                                      build=lambda m: ({"unit": m["unit_id"]},)))[0] == {"unit_id": "unit"}

# -- the refusals -----------------------------------------------------------------------------------
class Tree(access.Resolver):
    """c_ps under cnty under city; m_ps under city; o1 an officer of c_ps, h its head."""
    UNITS = {"city": ("committee", None), "cnty": ("committee", "city"), "c_ps": ("agency", "cnty"),
             "m_ps": ("agency", "city")}
    POSTS = {"o1": ("c_ps", None, "officer"), "h": ("c_ps", None, "head")}

    def unit(self, unit_id):
        return self.UNITS.get(unit_id)

    def post_of(self, person_id, day):
        return self.POSTS.get(person_id)

def _refusal(op, who, payload):
    with pytest.raises(Forbidden) as err:
        access.decide(op, Actor(who, "person"), payload, Tree())
    return err.value

def test_the_policy_s_words_are_read_back():
    outside = _refusal("roster.members_of", "o1", {"unit": "m_ps", "date": "2026-03-01"})
    assert policy.refusal_of("roster.members_of", outside.message) == ("scope", "unit 'm_ps'")
    nobody = _refusal("roster.members_of", "ghost", {"unit": "c_ps"})
    assert policy.refusal_of("roster.members_of", nobody.message) == ("role", None)
    role = _refusal("survey.create_campaign", "o1", {"owner": "c_ps", "actor": "o1"})
    assert policy.refusal_of("survey.create_campaign", role.message) == ("role", None)
    unknown = _refusal("survey.create_campaign", "h", {"owner": "zz", "actor": "h"})
    assert policy.refusal_of("survey.create_campaign", unknown.message) == ("scope", "owner 'zz'")
    other = _refusal("survey.create_campaign", "h", {"owner": "c_ps", "actor": "o1"})   # acting as another
    assert policy.refusal_of("survey.create_campaign", other.message) is None
    assert policy.refusal_of("roster.get_units", outside.message) is None              # another rule's
    assert access.decide("roster.members_of", Actor("o1", "person"), {"unit": "c_ps"}, Tree()) == "officer"

MEMBERS = next(r for r in ROUTES if r.path == "/roster/units/{unit}/members")
OBJECTIONS = next(r for r in ROUTES if r.path == "/scoring/objections" and r.method == "GET")
CREATE = next(r for r in ROUTES if r.path == "/survey/campaigns" and r.method == "POST")

def _answer(route, data, err):
    mapping = persons.check_route(route)[0]
    return persons.answer_refusal(route, PERSON, data, mapping, err)

def test_a_refusal_is_answered_as_a_calling_system_outside_its_units_is():
    data = {"unit": "m_ps", "date": "2026-03-01"}
    out = _answer(MEMBERS, data, _refusal("roster.members_of", "o1", data))
    assert isinstance(out, NotFound) and out.to_dict() == {"error": "not_found", "message": "unit not found",
                                                           "field": "unit"}
    out = _answer(MEMBERS, {"unit": "c_ps"}, _refusal("roster.members_of", "ghost", {"unit": "c_ps"}))
    assert out.to_dict()["field"] == "unit" and out.http_status == 404    # no role anywhere: the same 404
    data = {"evaluator": "m_ps"}
    out = _answer(OBJECTIONS, data, _refusal("scoring.objections", "o1", data))
    assert out.http_status == 403 and out.to_dict() == {
        "error": "forbidden", "message": "person:o1 may not see unit 'm_ps'", "field": "evaluator"}
    # a write: out of the units, the field; by role, the policy's own 403 naming actor; the domain's: as is
    data = {"owner": "m_ps", "actor": "h"}
    out = _answer(CREATE, data, _refusal("survey.create_campaign", "h", data))
    assert (out.http_status, out.field, out.message) == (403, "owner", "person:o1 may not see unit 'm_ps'")
    role = _refusal("survey.create_campaign", "o1", {"owner": "c_ps", "actor": "o1"})
    assert _answer(CREATE, {"owner": "c_ps"}, role) is role
    domain = Forbidden("the campaign's subjects lie outside its owner", "actor")
    assert _answer(CREATE, {"owner": "c_ps"}, domain) is domain
    missing = NotFound("no unit 'zz'", "unit")
    assert _answer(MEMBERS, {"unit": "zz"}, missing) is missing

class Nobody:
    def call(self, *args, **kwargs):     # a Scope.at route asks no service before the call itself
        raise AssertionError("asked")

def test_a_person_passes_an_open_route_to_the_policy_and_a_closed_one_is_refused_as_before():
    mapping = persons.check_route(MEMBERS)[0]
    _check_scope(MEMBERS, PERSON, Nobody(), {"unit": "m_ps", "date": "2026-03-01"}, None, mapping)
    with pytest.raises(NotFound) as err:                              # not open: the gateway's own check
        _check_scope(MEMBERS, PERSON, Nobody(), {"unit": "c_ps"}, None, None)
    assert err.value.to_dict() == {"error": "not_found", "message": "unit not found", "field": "unit"}
    obj = persons.check_route(OBJECTIONS)[0]
    with pytest.raises(Forbidden) as err:                             # a field holding no id
        _check_scope(OBJECTIONS, PERSON, Nobody(), {"evaluator": 7}, None, obj)
    assert err.value.field == "evaluator"
    # a calling system: unchanged, whatever the route's persons say
    with pytest.raises(NotFound):
        _check_scope(MEMBERS, OTHER, Nobody(), {"unit": "c_ps"}, None, mapping)
    _check_scope(MEMBERS, OTHER, Nobody(), {"unit": "m_ps"}, None, mapping)
    assert values_at({"unit": "m_ps"}, "unit") == ["m_ps"]
