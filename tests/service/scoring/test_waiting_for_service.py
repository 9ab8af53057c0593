"""``scoring.waiting_for``: what waits for a person, decided by the steps' own checks (the mentor of
the act's date reviews, a member of the leading group approves but never his own, his mentee's nor
one he reviewed; the mentor of the log's date reviews the log)."""
import pytest

from shared.errors import Conflict

pytestmark = pytest.mark.timeout(90)

FEB = "2026-02"
ON = "2026-03-02"


def _submit(rpc, subject, actor=None):
    return rpc.scoring.submit_self_assessment({"actor": actor or subject, "subject": subject, "month": FEB,
                                               "as_of": ON, "item_scores": {}})


def _ids(rows):
    return sorted(r["id"] for r in rows)


def test_waiting_for_a_mentor_and_a_member_of_the_leading_group(city):
    with city.rpc() as rpc:
        for subject in ("o1", "o2", "o3", "c1", "l2"):
            _submit(rpc, subject)
        # c1 mentors o1 and o2 (not o3, c2's mentee), and may not review himself
        c1 = rpc.scoring.waiting_for({"person": "c1", "as_of": ON})
        assert _ids(c1["review"]) == ["officer:o1:2026-02", "officer:o2:2026-02"]
        assert c1["approve"] == [] and c1["logs"] == []
        assert c1["review"][0]["state"] == "submitted" and c1["review"][0]["subject"] == "o1"
        assert _ids(rpc.scoring.waiting_for({"person": "c2", "as_of": ON})["review"]) == ["officer:o3:2026-02"]
        # l1 mentors c1; h (head, no mentor of his own) mentors l2
        assert _ids(rpc.scoring.waiting_for({"person": "l1", "as_of": ON})["review"]) == ["officer:c1:2026-02"]
        assert _ids(rpc.scoring.waiting_for({"person": "h", "as_of": ON})["review"]) == ["officer:l2:2026-02"]
        for subject, mentor in (("o1", "c1"), ("o3", "c2"), ("c1", "l1"), ("l2", "h")):
            rpc.scoring.review({"actor": mentor, "subject": subject, "month": FEB, "as_of": ON})
        assert rpc.scoring.waiting_for({"person": "c1", "as_of": ON})["review"][0]["subject"] == "o2"
        # approval: members of ps's leading group (h, l1, l2, l3), never their own, nor the
        # evaluation they mentor or reviewed
        approve = {p: _ids(rpc.scoring.waiting_for({"person": p, "as_of": ON})["approve"])
                   for p in ("h", "l1", "l2", "l3", "c1", "o1")}
        every = ["officer:c1:2026-02", "officer:l2:2026-02", "officer:o1:2026-02", "officer:o3:2026-02"]
        assert approve["l3"] == every
        assert approve["l1"] == [e for e in every if e != "officer:c1:2026-02"]        # mentors c1
        assert approve["l2"] == [e for e in every if e != "officer:l2:2026-02"]        # his own
        assert approve["h"] == [e for e in every if e != "officer:l2:2026-02"]         # reviewed l2
        assert approve["c1"] == approve["o1"] == []                                    # not members
        groups = {p: rpc.scoring.waiting_for({"person": p, "as_of": ON})["group"] for p in ("h", "l3", "c1", "o1")}
        assert groups == {"h": "ps", "l3": "ps", "c1": None, "o1": None}               # the body he sits in
        # what the list offers, the step takes
        for ev in rpc.scoring.waiting_for({"person": "l3", "as_of": ON})["approve"]:
            rpc.scoring.approve({"actor": "l3", "subject": ev["subject"], "month": FEB, "as_of": ON})
        assert rpc.scoring.waiting_for({"person": "l3", "as_of": ON})["approve"] == []
        assert rpc.scoring.waiting_for({"person": "l1", "as_of": ON})["approve"] == []


def test_the_mentees_logs_wait_until_reviewed(city):
    with city.rpc() as rpc:
        rpc.scoring.write_daily_logs({"as_of": "2026-03-06", "logs": [
            {"person": "o1", "date": "2026-03-05", "text": "办结案件2件"},
            {"person": "o2", "date": "2026-03-06", "text": "走访群众"},
            {"person": "o3", "date": "2026-03-05", "text": "值班"},
            {"person": "c1", "date": "2026-03-05", "text": "带班"}]})
        logs = rpc.scoring.waiting_for({"person": "c1", "as_of": "2026-03-06"})["logs"]
        assert [(x["person"], x["date"], x["text"]) for x in logs] == [
            ("o1", "2026-03-05", "办结案件2件"), ("o2", "2026-03-06", "走访群众")]
        rpc.scoring.review_daily_logs({"as_of": "2026-03-06", "reviews": [
            {"actor": "c1", "person": "o1", "date": "2026-03-05"}]})
        logs = rpc.scoring.waiting_for({"person": "c1", "as_of": "2026-03-06"})["logs"]
        assert [x["person"] for x in logs] == ["o2"]
        assert [x["person"] for x in rpc.scoring.waiting_for({"person": "l1"})["logs"]] == ["c1"]


def test_a_persons_own_daily_logs_of_a_month_with_their_review(city):
    """``scoring.daily_logs_of``: o1's logs of March by date, the reviewed one with who, when and the
    comment; February's and o2's are not in it."""
    with city.rpc() as rpc:
        rpc.scoring.write_daily_logs({"as_of": "2026-03-06", "logs": [
            {"person": "o1", "date": "2026-03-05", "text": "办结案件2件"},
            {"person": "o1", "date": "2026-03-02", "text": "学习"},
            {"person": "o1", "date": "2026-02-27", "text": "二月"},
            {"person": "o2", "date": "2026-03-05", "text": "走访群众"}]})
        rpc.scoring.review_daily_logs({"as_of": "2026-03-06", "reviews": [
            {"actor": "c1", "person": "o1", "date": "2026-03-05", "comment": "内容具体"}]})
        out = rpc.scoring.daily_logs_of({"person": "o1", "month": "2026-03"})
        assert [(x["date"], x["text"], x["mentor"], x["reviewed_by"], x["reviewed_on"], x["comment"])
                for x in out["logs"]] == [("2026-03-02", "学习", "c1", None, None, None),
                                          ("2026-03-05", "办结案件2件", "c1", "c1", "2026-03-06", "内容具体")]
        assert rpc.scoring.daily_logs_of({"person": "o1", "month": "2026-04"})["logs"] == []


def test_a_dated_inbox_lists_only_what_the_step_would_take_that_day(city):
    """A leader's inbox dated before an evaluation's last step listed it, though the step dated that
    day is refused (``Conflict`` naming ``as_of``, for a person or a calling system): fails on the code
    before. Now it lists what the step then takes: nothing reviewed on 2 March in an inbox of 1 March,
    everything in one of the 2nd (today's lists all, no step being dated later than today)."""
    with city.rpc() as rpc:
        for leader in ("l1", "l2", "l3"):
            rpc.scoring.submit_self_assessment({"actor": leader, "subject": leader, "month": FEB,
                                                "as_of": "2026-03-02", "item_scores": {}})
            rpc.scoring.review({"actor": "h", "subject": leader, "month": FEB, "as_of": "2026-03-02"})
        _submit(rpc, "o1")
    with city.rpc(as_person="l2") as rpc:
        with pytest.raises(Conflict) as err:              # the step dated the 1st is refused ...
            rpc.scoring.approve({"actor": "l2", "subject": "l1", "month": FEB, "as_of": "2026-03-01"})
        assert err.value.field == "as_of"
        early = rpc.scoring.waiting_for({"person": "l2", "as_of": "2026-03-01"})
        assert early["group"] == "ps" and early["approve"] == []       # ... so it is not listed then
        assert _ids(rpc.scoring.waiting_for({"person": "l2", "as_of": "2026-03-02"})["approve"]) == [
            "officer:l1:2026-02", "officer:l3:2026-02"]
        assert _ids(rpc.scoring.waiting_for({"person": "l2"})["approve"]) == [
            "officer:l1:2026-02", "officer:l3:2026-02"]
    with city.rpc(as_person="c1") as rpc:                 # a mentor's review: o1 submitted on the 2nd
        assert rpc.scoring.waiting_for({"person": "c1", "as_of": "2026-03-01"})["review"] == []
        assert "officer:o1:2026-02" in _ids(rpc.scoring.waiting_for({"person": "c1", "as_of": ON})["review"])
