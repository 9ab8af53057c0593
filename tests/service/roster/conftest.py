"""Fixtures of the roster's service tests: the embedded roster with a small city."""
import pytest

CITY_UNITS = [
    {"id": "city", "name": "市委政法委", "kind": "committee"},
    {"id": "cnty", "name": "津市市委政法委", "kind": "committee", "parent": "city"},
    {"id": "c_ps", "name": "津市市公安局", "kind": "agency", "parent": "cnty",
     "agency_type": "public_security"},
    {"id": "c_ps_s1", "name": "刑侦大队", "kind": "section", "parent": "c_ps"},
    {"id": "c_ps_s2", "name": "治安大队", "kind": "section", "parent": "c_ps"},
    {"id": "c_just", "name": "津市市司法局", "kind": "agency", "parent": "cnty",
     "agency_type": "justice_bureau"},
    {"id": "m_ps", "name": "常德市公安局", "kind": "agency", "parent": "city",
     "agency_type": "public_security", "rank": "division"},
    {"id": "m_ps_s1", "name": "法制支队", "kind": "section", "parent": "m_ps"},
    {"id": "m_just", "name": "常德市司法局", "kind": "agency", "parent": "city",
     "agency_type": "justice_bureau", "rank": "division"},
    {"id": "m_dd", "name": "常德市劳教所", "kind": "agency", "parent": "city",
     "agency_type": "other", "rank": "deputy_division", "supervising_unit": "m_just"},
]

CITY_STAFF = [
    {"id": "h", "name": "局长", "unit": "c_ps", "position": "head", "joined": "2000-01-01"},
    {"id": "l", "name": "副局长", "unit": "c_ps", "position": "leader", "joined": "2005-01-01",
     "supervises": ["c_ps_s1"]},
    {"id": "l2", "name": "政委", "unit": "c_ps", "position": "leader", "joined": "2005-01-01",
     "titles": ["political_commissar"], "supervises": ["c_ps_s2"]},
    {"id": "c", "name": "大队长", "unit": "c_ps_s1", "position": "chief", "joined": "2010-01-01"},
    {"id": "c2", "name": "大队长2", "unit": "c_ps_s2", "position": "chief", "joined": "2010-01-01"},
    {"id": "o1", "name": "干警1", "unit": "c_ps_s1", "position": "officer", "joined": "2020-01-01"},
    {"id": "o2", "name": "干警2", "unit": "c_ps_s1", "position": "officer", "joined": "2020-01-01"},
    {"id": "o3", "name": "干警3", "unit": "c_ps_s2", "position": "officer", "joined": "2020-01-01"},
    {"id": "jh", "name": "司法局长", "unit": "c_just", "position": "head", "joined": "2001-01-01"},
    {"id": "ml", "name": "市局副局长", "unit": "m_ps", "position": "leader", "joined": "2001-01-01"},
    {"id": "dh", "name": "所长", "unit": "m_dd", "position": "head", "joined": "2001-01-01"},
    {"id": "dl", "name": "副所长", "unit": "m_dd", "position": "leader", "joined": "2001-01-01"},
]


@pytest.fixture
def roster(embedded_suite):
    suite = embedded_suite(["roster"], OUTBOX_POLL_SECONDS=0.2)
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": CITY_UNITS})
        rpc.roster.create_staff({"staff": CITY_STAFF})
    return suite


@pytest.fixture
def roster_units(embedded_suite):
    """The embedded roster with the city's units and nobody on the staff yet."""
    suite = embedded_suite(["roster"], OUTBOX_POLL_SECONDS=0.2)
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": CITY_UNITS})
    return suite
