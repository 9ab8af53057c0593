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
