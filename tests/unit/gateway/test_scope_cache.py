"""The units lookup scopes answered, kept by the gateway (issue 21 item 5): what is kept, for how
long, for whom; and that a kept unit refuses a foreign caller with the same answer as asking."""
import pytest

from services.gateway.app import _check_scope
from services.gateway.routing import Route, Scope
from services.gateway.scope_cache import OWNER, POST, ScopeCache
from services.gateway.tokens import Caller
from shared.errors import NotFound

CITY = Caller("city", "city-platform", "*")
COUNTY = Caller("county", "county-office", frozenset({"cnty", "c_ps"}))
OTHER = Caller("other", "other-office", frozenset({"m_ps"}))
PERSON = Caller("person:o1", "o1", frozenset(), kind="person")
STAFF = Scope.lookup("roster.get_staff", {"person": "person"}, "agency", keep=POST)
ROUTE = Route("GET", "/scoring/people/{person}/history", "scoring.person_history", "history", "{}",
              scope=STAFF)


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Roster:
    """A stand-in for the lookup RPC: whose each person is, and the calls it was asked."""

    def __init__(self, agencies):
        self.agencies, self.calls = agencies, []

    def call(self, target, args=(), *, caller, idempotency_key=None):
        self.calls.append((target, args[0]["person"], caller.system))
        person = args[0]["person"]
        if person not in self.agencies:
            raise NotFound(f"no person {person!r}", "person")
        return {"id": person, "agency": self.agencies[person]}


def refusal(route, caller, upstream, data, cache):
    with pytest.raises(NotFound) as err:
        _check_scope(route, caller, upstream, data, cache)
    return err.value.http_status, err.value.to_dict()


def test_an_owner_is_kept_until_pushed_out_and_a_post_for_its_seconds():
    clock = Clock()
    cache = ScopeCache(post_seconds=5, max_keys=2, clock=clock)
    campaign, person = ScopeCache.key("survey.campaign_owner", {"campaign_id": "k1"}), ScopeCache.key(
        "roster.get_staff", {"person": "o1"})
    cache.put(OWNER, campaign, "cnty")
    cache.put(POST, person, "c_ps")
    clock.now += 4.9
    assert (cache.get(OWNER, campaign), cache.get(POST, person)) == ("cnty", "c_ps")
    clock.now += 0.2
    assert cache.get(POST, person) is None            # a transfer is seen within the seconds
    clock.now += 10 ** 6
    assert cache.get(OWNER, campaign) == "cnty"       # a campaign's owner never changes
    for n in range(3):                                # bounded: the least recently used goes
        cache.put(OWNER, ScopeCache.key("survey.campaign_owner", {"campaign_id": f"x{n}"}), "cnty")
    assert cache.get(OWNER, campaign) is None and len(cache) == 2


def test_nothing_but_a_unit_is_kept_and_zero_seconds_keeps_no_post():
    cache = ScopeCache(post_seconds=0)
    key = ScopeCache.key("roster.get_staff", {"person": "o1"})
    cache.put(POST, key, "c_ps")
    assert cache.get(POST, key) is None
    cache = ScopeCache()
    cache.put(POST, key, None)                        # a null unit (visible to * only): asked again
    cache.put("", key, "c_ps")                        # a lookup without keep
    assert cache.get(POST, key) is None and cache.get("", key) is None
    assert ScopeCache.key("roster.get_staff", {"person": None}) is None


def test_a_kept_unit_refuses_another_countys_token_exactly_as_asking_would():
    roster = Roster({"o1": "c_ps", "m1": "m_ps"})
    asked = refusal(ROUTE, OTHER, roster, {"person": "o1"}, None)           # as before: asked each time
    cache = ScopeCache()
    _check_scope(ROUTE, COUNTY, roster, {"person": "o1"}, cache)            # asked once, kept
    assert len(roster.calls) == 2
    kept = refusal(ROUTE, OTHER, roster, {"person": "o1"}, cache)
    assert len(roster.calls) == 2                                           # not asked again
    unknown = refusal(ROUTE, OTHER, roster, {"person": "nobody"}, cache)
    assert kept == asked == unknown == (404, {"error": "not_found", "message": "person not found",
                                              "field": "person"})
    _check_scope(ROUTE, COUNTY, roster, {"person": "o1"}, cache)
    _check_scope(ROUTE, CITY, roster, {"person": "o1"}, cache)
    assert len(roster.calls) == 3                                           # only "nobody" asked


def test_a_missing_person_is_never_kept_and_a_signed_in_person_is_always_asked():
    roster = Roster({})
    cache = ScopeCache()
    for _ in range(2):
        refusal(ROUTE, CITY, roster, {"person": "new"}, cache)
    roster.agencies["new"] = "c_ps"                                         # created: seen at once
    _check_scope(ROUTE, CITY, roster, {"person": "new"}, cache)
    assert len(roster.calls) == 3
    roster.agencies["o1"] = "c_ps"
    for _ in range(2):                     # the person's own roles decide at the service: asked each time
        _check_scope(ROUTE, PERSON, roster, {"person": "o1"}, cache)
    assert [c for c in roster.calls if c[2] == "person:o1"] == [("roster.get_staff", "o1", "person:o1")] * 2


def test_an_unknown_keep_is_refused_in_the_route_table():
    with pytest.raises(ValueError):
        Scope.lookup("roster.get_staff", {"person": "person"}, "agency", keep="forever")
