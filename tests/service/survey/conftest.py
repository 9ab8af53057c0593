"""Fixtures of the survey's service tests."""
import pytest

SUBJECTS = [{"id": "a1", "kind": "agency", "name": "县公安局"},
            {"id": "s1", "kind": "section", "name": "刑侦大队"},
            {"id": "o1", "kind": "officer", "name": "张三"},
            {"id": "o2", "kind": "officer", "name": "李四"}]


def form(serial, subject="o1", group="parents", answers="S" * 35):
    return {"serial": serial, "subject": subject, "group": group, "answers": answers}


@pytest.fixture
def survey(embedded_suite):
    suite = embedded_suite(["survey"], OUTBOX_POLL_SECONDS=0.2)
    with suite.rpc() as rpc:
        rpc.survey.create_campaign({"campaign_id": "c1", "period": "2026H1", "owner": "county-1",
                                    "subjects": SUBJECTS})
    return suite
