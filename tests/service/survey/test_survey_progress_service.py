"""Campaign progress and the serial check of the keying page (issue 23)."""
import pytest

from shared.errors import NotFound, ValidationFailed

from tests.service.survey.conftest import form

pytestmark = pytest.mark.timeout(60)


def test_progress_counts_forms_per_subject_and_group_as_they_arrive(survey):
    with survey.rpc() as rpc:
        empty = rpc.survey.progress({"campaign_id": "c1"})
        assert empty["forms"] == 0 and all(n == 0 for n in empty["groups"].values())
        assert [(s["subject"], s["forms"]) for s in empty["subjects"]] == [
            ("a1", 0), ("s1", 0), ("o1", 0), ("o2", 0)]
        rpc.survey.submit_batch({"campaign_id": "c1", "batch_id": "b1", "forms": [
            form("1"), form("2"), form("3", group="officers"), form("4", subject="a1"),
            form("4", subject="o2"),                 # a duplicate serial: not counted
            form("5", answers="X" * 35)]})           # refused: not counted
        out = rpc.survey.progress({"campaign_id": "c1"})
        assert out["forms"] == 4
        assert (out["groups"]["parents"], out["groups"]["officers"]) == (3, 1)
        by = {s["subject"]: s for s in out["subjects"]}
        assert by["o1"]["groups"] == {"parents": 2, "officers": 1} and by["o1"]["forms"] == 3
        assert by["a1"]["forms"] == 1 and by["o2"]["forms"] == 0 and by["o1"]["name"] == "张三"


def test_serials_used_names_the_serials_already_received(survey):
    with survey.rpc() as rpc:
        rpc.survey.submit_batch({"campaign_id": "c1", "batch_id": "b1", "forms": [form("A-1"), form("A-2")]})
        assert rpc.survey.serials_used({"campaign_id": "c1", "serials": ["A-2", "A-3", "A-1"]}
                                       )["used"] == ["A-1", "A-2"]
        with pytest.raises(ValidationFailed) as err:
            rpc.survey.serials_used({"campaign_id": "c1", "serials": []})
        assert err.value.field == "serials"
        with pytest.raises(NotFound):
            rpc.survey.progress({"campaign_id": "nope"})


def test_campaign_subjects_lists_the_kinds_asked_or_one_subject(survey):
    with survey.rpc() as rpc:
        out = rpc.survey.campaign_subjects({"campaign_id": "c1"})
        assert [(s["id"], s["kind"]) for s in out["subjects"]] == [("a1", "agency"), ("s1", "section")]
        one = rpc.survey.campaign_subjects({"campaign_id": "c1", "subject": "o2"})
        assert one["subjects"] == [{"id": "o2", "kind": "officer", "name": "李四"}]
        with pytest.raises(NotFound) as err:
            rpc.survey.campaign_subjects({"campaign_id": "c1", "subject": "o9"})
        assert err.value.field == "subject"
