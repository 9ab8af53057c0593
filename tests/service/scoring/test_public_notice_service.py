"""The public notice of a month over RPC (issue 23): what the public sees while it runs, the
objections of the public (stored once, validated, refused after the window), the leading group's
queue and its answer (upheld: back to review)."""
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
