"""The public notice of a month over RPC (issue 23): what the public sees while it runs, the
objections of the public (stored once, validated, refused after the window), the leading group's
queue and its answer (upheld: back to review)."""
from datetime import date

import pytest

from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.timeout(90)

FEB = "2026-02"


def _post_o1(rpc):
    rpc.scoring.submit_self_assessment({"actor": "o1", "subject": "o1", "month": FEB, "as_of": "2026-03-02",
                                        "item_scores": {"political.study": 7}})
    rpc.scoring.review({"actor": "c1", "subject": "o1", "month": FEB, "as_of": "2026-03-02"})
    rpc.scoring.approve({"actor": "l1", "subject": "o1", "month": FEB, "as_of": "2026-03-03"})
    return rpc.scoring.publish_notice({"actor": "l1", "evaluator": "ps", "month": FEB,
                                       "as_of": "2026-03-05"})         # Thursday → Tuesday 10th


def _objection(**kw):
    out = {"objection_id": "obj-0001-abcdef", "evaluator": "ps", "month": FEB, "subject": "o1",
           "text": "扣分事实有误", "contact": "13800001111", "as_of": "2026-03-09"}
    out.update(kw)
    return out


def test_the_notice_shows_who_and_score_during_its_window_and_nothing_after(city):
    with city.rpc() as rpc:
        assert rpc.scoring.public_notice({"evaluator": "ps", "month": FEB, "as_of": "2026-03-04"}
                                         )["status"] == "none"
        _post_o1(rpc)
        page = rpc.scoring.public_notice({"evaluator": "ps", "month": FEB, "as_of": "2026-03-06"})
        assert (page["status"], page["start"], page["end"]) == ("open", "2026-03-05", "2026-03-10")
        assert page["evaluator_name"] == "津市市公安局"
        assert page["entries"] == [{"kind": "officer", "subject": "o1", "name": "干警1",
                                    "unit": "津市市公安局", "score": 99.0, "notice_end": "2026-03-10"}]
        last_day = rpc.scoring.public_notice({"evaluator": "ps", "month": FEB, "as_of": "2026-03-10"})
        assert last_day["status"] == "open"
        after = rpc.scoring.public_notice({"evaluator": "ps", "month": FEB, "as_of": "2026-03-11"})
        assert (after["status"], after["entries"], after["end"]) == ("closed", [], "2026-03-10")
        with pytest.raises(NotFound) as err:
            rpc.scoring.public_notice({"evaluator": "nowhere", "month": FEB})
        assert err.value.field == "evaluator"


def test_an_objection_is_stored_once_reaches_the_queue_and_an_upheld_answer_reopens(city):
    with city.rpc() as rpc:
        _post_o1(rpc)
        first = rpc.scoring.public_object(_objection())
        assert (first["received"], first["replayed"]) == (True, False)
        again = rpc.scoring.public_object(_objection())        # a lost answer, sent again
        assert again["replayed"] is True
        with pytest.raises(Conflict) as err:                   # the same id, another objection
            rpc.scoring.public_object(_objection(text="另一条异议"))
        assert err.value.field == "objection_id"
        queue = rpc.scoring.objections({"evaluator": "ps", "month": FEB})["objections"]
        assert [(o["objection_id"], o["name"], o["text"], o["contact"], o["state"]) for o in queue] == [
            ("obj-0001-abcdef", "干警1", "扣分事实有误", "13800001111", "open")]
        answer = {"objection_id": "obj-0001-abcdef", "evaluator": "ps", "answer": "经核实, 扣分有误, 重新审核",
                  "upheld": True, "as_of": "2026-03-10"}
        with pytest.raises(NotFound):                           # another body's queue
            rpc.scoring.answer_objection({**answer, "actor": "cs", "evaluator": "cnty"})
        with pytest.raises(Forbidden):                          # not of ps's leading group
            rpc.scoring.answer_objection({**answer, "actor": "o2"})
        done = rpc.scoring.answer_objection({**answer, "actor": "l1"})
        assert (done["state"], done["upheld"], done["reopened"], done["answered_by"]) == (
            "answered", True, True, "l1")
        ev = rpc.scoring.evaluation({"subject": "o1", "month": FEB})
        assert ev["state"] == "submitted" and ev["objections"] == 1
        assert ev["trail"][-1]["note"].startswith("public objection obj-0001-abcdef")
        assert rpc.scoring.answer_objection({**answer, "actor": "l1"})["reopened"] is True  # replay
        with pytest.raises(Conflict):
            rpc.scoring.answer_objection({**answer, "actor": "l2", "answer": "另一答复"})
        assert rpc.scoring.objections({"evaluator": "ps", "state": "open"})["objections"] == []
        # back to review: off the notice, no objection is taken for it
        with pytest.raises(Conflict) as err:
            rpc.scoring.public_object(_objection(objection_id="obj-0002-abcdef"))
        assert err.value.field == "subject"


@pytest.mark.parametrize("field,value", [
    ("text", "<script>alert(1)</script>"),
    ("text", "异议\x00内容"),
    ("text", "长" * 1001),
    ("text", "   "),
    ("contact", "javascript:alert(1)"),
    ("contact", "1380000\x071111"),
    ("contact", "1" * 101),
    ("subject", "o2"),            # not on notice
    ("subject", "<b>"),
    ("month", "2026-13"),
    ("objection_id", "short"),
])
def test_hostile_or_wrong_objections_are_refused_naming_the_field_and_nothing_is_stored(city, field, value):
    with city.rpc() as rpc:
        _post_o1(rpc)
        with pytest.raises((ValidationFailed, Conflict)) as err:
            rpc.scoring.public_object(_objection(**{field: value}))
        assert err.value.field == field
        assert rpc.scoring.objections({"evaluator": "ps"})["objections"] == []


def test_no_objection_after_the_window(city):
    with city.rpc() as rpc:
        _post_o1(rpc)
        with pytest.raises(Conflict) as err:
            rpc.scoring.public_object(_objection(as_of="2026-03-11"))
        assert err.value.field == "subject"
        assert rpc.scoring.objections({"evaluator": "ps"})["objections"] == []


@pytest.mark.parametrize("day, name", [("2026-02-01", "津市市公安分局"), ("2026-02-15", "津市市公安分局"),
                                       ("2026-02-28", "津市市公安分局"), ("2026-03-01", "津市市公安局")])
def test_the_notice_names_the_bureau_as_it_was_named_on_the_months_last_day(city, day, name):
    """SPEC §9: a month is read on its last day, and so is the name of its units on its notice; the
    bureau renamed on 1 March is still 津市市公安局 on February's notice read on 6 March (before, the
    latest name)."""
    with city.rpc() as rpc:
        rpc.scoring.save_units({"units": [{"id": "ps", "kind": "agency", "parent": "cnty",
                                           "name": "津市市公安分局"}], "effective": day})
        _post_o1(rpc)
        page = rpc.scoring.public_notice({"evaluator": "ps", "month": FEB, "as_of": "2026-03-06"})
        assert page["evaluator_name"] == name
        assert [(e["name"], e["unit"]) for e in page["entries"]] == [("干警1", name)]

# -- the half-year's notice (公示 of a period's rating) ---------------------------------------------

H1 = "2026H1"


def _rate_h1(rpc):
    from tests.service.scoring.conftest import drive_month
    drive_month(rpc, "2026-05", {"o2": {"performance.targets": 4}}, submit_on="2026-06-02",
                file_on="2026-06-09")
    # rated on Friday 3 July 2026: the notice runs Monday 6 to Wednesday 8 July
    return rpc.scoring.run_rating({"period": H1, "scope": "cnty", "rating_date": "2026-07-03"})


def test_a_half_years_notice_shows_stars_during_its_three_working_days_and_nothing_after(city):
    with city.rpc() as rpc:
        before = rpc.scoring.public_period_notice({"unit": "ps", "period": H1, "as_of": "2026-07-01"})
        assert (before["status"], before["entries"], before["rating_id"]) == ("none", [], None)
        rated = _rate_h1(rpc)
        assert (rated["notice_start"], rated["notice_end"]) == ("2026-07-03", "2026-07-08")
        page = rpc.scoring.public_period_notice({"unit": "ps", "period": H1, "as_of": "2026-07-06"})
        assert (page["status"], page["start"], page["end"], page["unit_name"]) == (
            "open", "2026-07-03", "2026-07-08", "津市市公安局")
        by_id = {e["subject"]: e for e in page["entries"]}
        results = {o["id"]: o for o in rated["result"]["officers"] + rated["result"]["sections"]}
        assert set(by_id) == set(results) - {"cs", "cl"}              # the county committee's own: not ps's
        for subject, entry in by_id.items():
            item = results[subject]
            if item["status"] == "rated":
                words = {5: "五星级", 4: "四星级", 3: "三星级", 2: "二星级", 1: "一星级"}
                assert (entry["stars"], entry["result"]) == (item["stars"], words[item["stars"]])
            else:
                assert entry["stars"] is None and entry["result"] == {
                    "not_rated": "不参加评星", "disqualified": "取消评星资格"}[item["status"]]
        assert by_id["o4"]["result"] == "不参加评星"           # joined in March 2026
        assert by_id["o1"]["unit"] == "刑侦大队" and by_id["s1"]["kind"] == "section"
        assert "reasons" not in by_id["o1"] and "explanation" not in by_id["o1"]
        last = rpc.scoring.public_period_notice({"unit": "ps", "period": H1, "as_of": "2026-07-08"})
        assert last["status"] == "open"
        after = rpc.scoring.public_period_notice({"unit": "ps", "period": H1, "as_of": "2026-07-09"})
        assert (after["status"], after["entries"], after["end"]) == ("closed", [], "2026-07-08")
        section = rpc.scoring.public_period_notice({"unit": "s1", "period": H1, "as_of": "2026-07-06"})
        assert {e["subject"] for e in section["entries"]} == {"s1", "c1", "o1", "o2"}


def test_an_objection_to_a_half_years_notice_reaches_the_units_leading_group_in_its_window_only(city):
    with city.rpc() as rpc:
        _rate_h1(rpc)
        obj = _objection(objection_id="obj-h1-00000001", month=H1, as_of="2026-07-07")
        assert rpc.scoring.public_object(obj)["replayed"] is False
        assert rpc.scoring.public_object(obj)["replayed"] is True          # sent twice: stored once
        with pytest.raises(Conflict) as err:                               # not on this notice
            rpc.scoring.public_object(_objection(objection_id="obj-h1-00000002", month=H1,
                                                 subject="cs", as_of="2026-07-07"))
        assert err.value.field == "subject"
        with pytest.raises(Conflict):                                      # after the window
            rpc.scoring.public_object(_objection(objection_id="obj-h1-00000003", month=H1,
                                                 as_of="2026-07-09"))
        with pytest.raises(ValidationFailed) as err:
            rpc.scoring.public_object(_objection(objection_id="obj-h1-00000004", month="2026H2"))
        assert err.value.field == "month"
        queue = rpc.scoring.objections({"evaluator": "ps", "month": H1})["objections"]
        assert [(o["objection_id"], o["month"], o["name"]) for o in queue] == [
            ("obj-h1-00000001", H1, "干警1")]
        answer = rpc.scoring.answer_objection({"objection_id": "obj-h1-00000001", "evaluator": "ps",
                                               "actor": "l2", "answer": "经复核, 得分无误",
                                               "upheld": False, "as_of": "2026-07-08"})
        assert (answer["state"], answer["reopened"]) == ("answered", False)


def test_the_public_caller_gets_its_rows_and_nothing_else_from_the_service_itself(city):
    """The policy's role ``public`` (the gateway's public pages), enforced by scoring's entry point:
    the notice and an objection, never the queue with its contacts nor an evaluation's detail."""
    from shared.identity import Actor

    with city.rpc() as rpc:
        _post_o1(rpc)
    with city.rpc(identity=Actor("gateway", "public")) as public:
        # the notice of today (February's closed long ago): the public's as_of is not taken
        assert public.scoring.public_notice({"evaluator": "ps", "month": FEB, "as_of": "2026-03-06"}
                                            )["status"] == "closed"
        # nor may it object to February's notice by dating its objection into the window (as_of 9 March;
        # before, the public's as_of was taken and the objection received)
        with pytest.raises(Conflict) as err:
            public.scoring.public_object(_objection())
        assert err.value.field == "subject"
    with city.rpc() as rpc:                 # nothing stored; the operator's dated objection (a replay) is taken
        assert rpc.scoring.objections({"evaluator": "ps", "month": FEB})["objections"] == []
        assert rpc.scoring.public_object(_objection())["received"] is True
    with city.rpc(identity=Actor("gateway", "public")) as public:
        for method, payload in (("objections", {"evaluator": "ps"}),
                                ("evaluation", {"subject": "o1", "month": FEB}),
                                ("answer_objection", {"objection_id": "obj-0001-abcdef", "evaluator": "ps",
                                                      "actor": "l2", "answer": "x", "upheld": False})):
            with pytest.raises(Forbidden) as err:
                getattr(public.scoring, method)(payload)
            assert err.value.field == "actor" and err.value.message.startswith(f"scoring.{method}:")


def test_a_notice_after_its_window_is_closed_to_every_caller_but_the_operator_and_services(city):
    """The public notices take the caller's ``as_of`` only from the operator (a replay, the demo) and
    the suite's services; a person, a calling system or the public sees today's notice, so nobody
    reads the scores of a notice after its three working days by dating the call back (issue 18)."""
    from shared.identity import Actor

    with city.rpc() as rpc:
        _post_o1(rpc)
    in_window = {"evaluator": "ps", "month": FEB, "as_of": "2026-03-06"}
    for kwargs in ({"as_person": "o2"}, {"as_person": "h"}, {"as_system": "ps", "units": {"ps"}},
                   {"as_persons": "ps-office", "units": {"ps"}}, {"identity": Actor("gateway", "public")}):
        with city.rpc(**kwargs, as_actors=False) as caller:
            page = caller.scoring.public_notice(in_window)
            assert (page["status"], page["entries"]) == ("closed", []), kwargs
            period = caller.scoring.public_period_notice({"unit": "ps", "period": "2026H1",
                                                          "as_of": "2026-07-06"})
            assert page["as_of"] == period["as_of"] == date.today().isoformat(), kwargs
    for kwargs in ({"as_operator": "ops"}, {"as_service": "gateway"}):
        with city.rpc(**kwargs, as_actors=False) as trusted:
            assert trusted.scoring.public_notice(in_window)["status"] == "open", kwargs
