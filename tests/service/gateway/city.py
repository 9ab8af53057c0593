"""A small city behind the real gateway: the five services and what the route tests send."""
from shared.config import SERVICES
from shared.runner import service_class

from services.gateway.service import Service as GatewayService

UNITS = [
    {"id": "city", "name": "市委政法委", "kind": "committee"},
    {"id": "cnty", "name": "津市市委政法委", "kind": "committee", "parent": "city"},
    {"id": "c_ps", "name": "津市市公安局", "kind": "agency", "parent": "cnty", "agency_type": "public_security"},
    {"id": "c_ps_s1", "name": "刑侦大队", "kind": "section", "parent": "c_ps"},
    {"id": "m_ps", "name": "常德市公安局", "kind": "agency", "parent": "city", "agency_type": "public_security",
     "rank": "division"},
]
STAFF = [
    {"id": "h", "name": "局长", "unit": "c_ps", "position": "head", "joined": "2000-01-01"},
    {"id": "l", "name": "副局长", "unit": "c_ps", "position": "leader", "joined": "2005-01-01",
     "supervises": ["c_ps_s1"]},
    {"id": "c", "name": "大队长", "unit": "c_ps_s1", "position": "chief", "joined": "2010-01-01"},
    {"id": "o1", "name": "干警1", "unit": "c_ps_s1", "position": "officer", "joined": "2020-01-01"},
]
SUBJECTS = [{"id": "c_ps", "kind": "agency", "name": "津市市公安局"},
            {"id": "o1", "kind": "officer", "name": "干警1"}]
PEOPLE = [{"id": "o1", "unit_id": "c_ps_s1", "agency_id": "c_ps", "position": "officer", "joined": "2020-01-01"},
          {"id": "m1", "unit_id": "m_ps", "agency_id": "m_ps", "position": "officer", "joined": "2020-01-01"}]


def classes():
    return [GatewayService] + [service_class(name) for name in SERVICES]


def load(suite, *, campaign: bool = True) -> None:
    """The city in the services: its units and staff in the roster, PEOPLE in training, the course
    drill (by the operator) and unless told not to the campaign c1 of SUBJECTS (owner cnty)."""
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": UNITS})
        rpc.roster.create_staff({"staff": STAFF})
        rpc.training.upsert_people({"people": PEOPLE})
        if campaign:
            rpc.survey.create_campaign({"campaign_id": "c1", "period": "2026H1", "owner": "cnty",
                                        "subjects": SUBJECTS})
    with suite.rpc(as_operator="ops") as rpc:
        rpc.training.register_courses({"courses": [{"id": "drill", "kind": "skills", "title": "实战技能"}]})


def form(serial, subject="o1", answers="S" * 35):
    return {"serial": serial, "subject": subject, "group": "parents", "answers": answers}
