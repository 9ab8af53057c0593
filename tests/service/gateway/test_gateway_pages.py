"""Every list route is paged at the gateway (issue 21 item 3): ``limit`` and an opaque ``cursor``,
``next`` in the answer until the last page; a cursor of another list, a bad cursor or a limit out of
bounds is a 400 naming it; the document gives each list route both parameters and ``next``."""
import pytest
import requests

from tests.service.gateway import city
from tests.service.gateway.conftest import auth

pytestmark = pytest.mark.timeout(120)


def test_a_list_walked_page_by_page_is_the_whole_list_once(start_gateway):
    gw, suite = start_gateway(city.classes())
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": city.UNITS})
        rpc.roster.create_staff({"staff": city.STAFF})
    whole = requests.get(f"{gw}/roster/units", headers=auth("city"), timeout=30).json()
    assert whole["next"] is None and len(whole["units"]) == len(city.UNITS)

    seen, cursor, pages = [], None, 0
    while True:
        r = requests.get(f"{gw}/roster/units", params={"limit": 2, **({"cursor": cursor} if cursor else {})},
                         headers=auth("city"), timeout=30)
        assert r.status_code == 200, r.text
        pages += 1
        assert len(r.json()["units"]) <= 2
        seen += r.json()["units"]
        cursor = r.json()["next"]
        if cursor is None:
            break
    assert pages == 3 and seen == whole["units"]

    # a cursor is bound to its list: another route, another path or another query refuses it
    first = requests.get(f"{gw}/roster/units/c_ps/members", params={"limit": 1, "date": "2026-01-01"},
                         headers=auth("city"), timeout=30).json()
    assert len(first["members"]) == 1 and first["next"]
    for url, params in ((f"{gw}/roster/units/cnty/members", {"date": "2026-01-01"}),
                        (f"{gw}/roster/units/c_ps/members", {"date": "2026-02-01"}),
                        (f"{gw}/roster/units", {})):
        r = requests.get(url, params={**params, "cursor": first["next"]}, headers=auth("city"), timeout=30)
        assert r.status_code == 400 and r.json()["field"] == "cursor", (url, r.text)
    r = requests.get(f"{gw}/roster/units/c_ps/members", params={"date": "2026-01-01", "cursor": first["next"]},
                     headers=auth("city"), timeout=30)
    assert r.status_code == 200 and r.json()["members"][0] not in first["members"]

    for params, field in (({"limit": 0}, "limit"), ({"limit": 501}, "limit"), ({"limit": "x"}, "limit"),
                          ({"cursor": "not-a-cursor"}, "cursor"), ({"cursor": "e30"}, "cursor")):
        r = requests.get(f"{gw}/roster/units", params=params, headers=auth("city"), timeout=30)
        assert r.status_code == 400 and r.json()["field"] == field, (params, r.text)
        assert set(r.json()) <= {"error", "message", "field", "details"}
    # a route that is no list takes neither
    r = requests.get(f"{gw}/roster/people/o1", params={"limit": 1}, headers=auth("city"), timeout=30)
    assert r.status_code == 400 and r.json()["field"] == "limit"


def test_every_list_route_documents_its_page(start_gateway):
    from services.gateway import paging
    from services.gateway.routes import ROUTES

    gw, _ = start_gateway(city.classes())
    doc = requests.get(f"{gw}/openapi.json", timeout=30).json()
    schemas = doc["components"]["schemas"]
    paged = [r for r in ROUTES if paging.list_of(r)]
    assert len(paged) >= 25
    for route in paged:
        op = doc["paths"][route.path]["get"]
        assert {p["name"] for p in op["parameters"] if p["in"] == "query"} >= {"limit", "cursor"}, route.path
        ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        answer = schemas[ref.rsplit("/", 1)[1]]
        key = paging.list_of(route)
        assert answer["properties"]["next"]["nullable"] is True, route.path
        assert answer["properties"][key]["type"] == "array", route.path


def test_a_units_members_and_a_persons_results_are_paged_in_their_service(start_gateway, monkeypatch):
    """Issue 21 item 3: the roster and training read only the page asked (``after``, ``limit``); the
    pages walked are the whole list, in its order, once; those not on the team that day are skipped
    as in the whole list; a made-up key in a cursor is a 400 naming ``cursor``."""
    import base64
    import json

    from services.gateway import app

    gw, suite = start_gateway(city.classes())
    late = {"id": "o0", "name": "新警", "unit": "c_ps_s1", "position": "officer", "joined": "2026-06-01"}
    more = [{"id": f"o{n}", "name": f"干警{n}", "unit": "c_ps_s1", "position": "officer", "joined": "2021-01-01"}
            for n in range(2, 6)]
    courses = [{"id": f"k{n}", "kind": "skills", "title": f"课程{n}"} for n in range(3)]
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": city.UNITS})
        rpc.roster.create_staff({"staff": city.STAFF + more + [late]})
        rpc.training.upsert_people({"people": city.PEOPLE})
        rpc.training.register_courses({"courses": courses})
        for course, day, result in (("k0", "2024-03-01", "pass"), ("k1", "2024-03-01", "fail"),
                                    ("k2", "2024-03-01", "pass"), ("k1", "2025-05-02", "pass"),
                                    ("k0", "2023-01-09", "fail")):
            rpc.training.record_result({"person": "o1", "course_id": course, "date": day, "result": result})
    sent = []
    real = app._Upstream.call

    def counted(self, target, args=(), **kw):
        sent.append((target, dict(args[0]) if args and isinstance(args[0], dict) else None))
        return real(self, target, args, **kw)

    monkeypatch.setattr(app._Upstream, "call", counted)

    def walk(path, key, params):
        whole = requests.get(f"{gw}{path}", params=params, headers=auth("city"), timeout=30).json()
        assert whole["next"] is None, whole
        seen, cursor = [], None
        while True:
            r = requests.get(f"{gw}{path}", params={**params, "limit": 2, **({"cursor": cursor} if cursor else {})},
                             headers=auth("city"), timeout=30)
            assert r.status_code == 200 and len(r.json()[key]) <= 2, r.text
            seen += r.json()[key]
            cursor = r.json()["next"]
            if cursor is None:
                return whole[key], seen

    whole, seen = walk("/roster/units/c_ps/members", "members", {"date": "2026-03-01", "include_subunits": "true"})
    assert seen == whole and [m["id"] for m in whole] == ["c", "h", "l", "o1", "o2", "o3", "o4", "o5"]
    asked = [p for t, p in sent if t == "roster.members_of"]
    assert [(p["limit"], p.get("after")) for p in asked] == [(100, None), (2, None), (2, "h"), (2, "o1"), (2, "o3")]
    whole, seen = walk("/training/people/o1/results", "results", {})
    assert seen == whole and [(r["date"], r["course_id"]) for r in whole] == [
        ("2023-01-09", "k0"), ("2024-03-01", "k0"), ("2024-03-01", "k1"), ("2024-03-01", "k2"), ("2025-05-02", "k1")]
    assert all(p["limit"] in (2, 100) for t, p in sent if t == "training.results_of")

    binding = json.loads(base64.urlsafe_b64decode(cursor_of(gw) + "==="))["b"]
    for key in ("2024-13-40/1", "x", 7):
        made_up = base64.urlsafe_b64encode(json.dumps({"k": key, "b": binding}).encode()).decode()
        r = requests.get(f"{gw}/training/people/o1/results", params={"cursor": made_up}, headers=auth("city"),
                         timeout=30)
        assert r.status_code == 400 and r.json()["field"] == "cursor", (key, r.text)


def cursor_of(gw):
    return requests.get(f"{gw}/training/people/o1/results", params={"limit": 1}, headers=auth("city"),
                        timeout=30).json()["next"]
