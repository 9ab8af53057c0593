"""The survey service through real RPC on the embedded transport (memory://, SQLite)."""
import base64
import io

import eventlet
import pytest
from openpyxl import load_workbook

from shared.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from shared.metrics import metrics_of

from tests.service.survey.conftest import SUBJECTS, form

pytestmark = pytest.mark.timeout(60)

MIXED = "S" * 6 + "B" * 6 + "D" * 6 + "N" * 6 + "S" * 6 + "SBDNS"   # S14 B7 D7 N7


def units_out(units):
    """Units as the roster publishes them (``shared.contracts.roster.UnitOut``)."""
    return [{"level": "county", **unit} for unit in units]


def staff_out(staff):
    """Staff as the roster publishes them (``shared.contracts.roster.StaffOut``)."""
    return [{"position": "officer", "joined": "2020-01-01", "titles": [], "supervises": [], **person}
            for person in staff]


def batch(batch_id, forms, **extra):
    return {"campaign_id": "c1", "batch_id": batch_id, "forms": forms, **extra}


def test_batch_takes_good_forms_and_reports_each_bad_one(survey):
    with survey.rpc() as rpc:
        out = rpc.survey.submit_batch(batch("b1", [
            form("F1"), form("F2", subject="nobody"), form("F3", group="tourists"),
            form("F4", answers="S" * 34), form("F5", answers="X" * 35), form("F6")]))
    assert (out["received"], out["accepted"], out["rejected"], out["committed"]) == (6, 2, 4, True)
    assert [(e["serial"], e["field"], e["reason"]) for e in out["errors"]] == [
        ("F2", "forms[1].subject", "unknown_subject"), ("F3", "forms[2].group", "unknown_group"),
        ("F4", "forms[3].answers", "bad_answers"), ("F5", "forms[4].answers", "bad_answers")]


def test_duplicate_within_a_batch_and_across_batches_is_never_counted_twice(survey):
    with survey.rpc() as rpc:
        first = rpc.survey.submit_batch(batch("b1", [form("F1"), form("F2"),
                                                     form("F1", answers="D" * 35)]))
        second = rpc.survey.submit_batch(batch("b2", [form("F2", answers="D" * 35), form("F3")]))
        rates = rpc.survey.get_rates({"campaign_id": "c1"})
    assert (first["accepted"], first["duplicates"]) == (2, 1)
    assert first["errors"][0]["field"] == "forms[2].serial"
    assert (second["accepted"], second["duplicates"]) == (1, 1)
    assert second["errors"][0]["serial"] == "F2"
    o1 = rates["subjects"][2]
    assert (o1["forms"], o1["satisfied"], o1["dissatisfied"]) == (3, 105, 0)


def test_a_batch_sent_twice_changes_nothing_and_gets_the_first_answer(survey):
    with survey.rpc() as rpc:
        payload = batch("b1", [form("F1"), form("F2", subject="zz")])
        first = rpc.survey.submit_batch(payload)
        again = rpc.survey.submit_batch(payload)
        rates = rpc.survey.get_rates({"campaign_id": "c1"})
    assert again["replayed"] is True
    assert {k: v for k, v in again.items() if k != "replayed"} == first
    assert rates["totals"]["forms"] == 1


def test_strict_batch_with_a_bad_form_takes_none(survey):
    with survey.rpc() as rpc:
        out = rpc.survey.submit_batch(batch("b1", [form("F1"), form("F2", group="x")], strict=True))
        assert (out["accepted"], out["committed"], out["rejected"]) == (0, False, 1)
        rpc.survey.submit_batch(batch("b2", [form("F9")]))
        dup = rpc.survey.submit_batch(batch("b3", [form("F3"), form("F9")], strict=True))
        assert (dup["accepted"], dup["duplicates"], dup["committed"]) == (0, 1, False)
        assert rpc.survey.get_campaign({"campaign_id": "c1"})["forms_received"] == 1


def test_dry_run_reports_duplicates_and_writes_nothing(survey):
    with survey.rpc() as rpc:
        rpc.survey.submit_batch(batch("b1", [form("F1")]))
        out = rpc.survey.submit_batch(batch("b2", [form("F1"), form("F2")], dry_run=True))
        assert (out["accepted"], out["duplicates"], out["committed"]) == (1, 1, False)
        assert rpc.survey.get_campaign({"campaign_id": "c1"})["forms_received"] == 1


def test_dont_know_forms_are_received_but_add_no_answer(survey):
    with survey.rpc() as rpc:
        out = rpc.survey.submit_batch(batch("b1", [form("F1", answers="N" * 35), form("F2")]))
        rates = rpc.survey.get_rates({"campaign_id": "c1"})
    assert (out["accepted"], out["blank"]) == (2, 1)
    o1 = rates["subjects"][2]
    assert (o1["forms"], o1["answered"], o1["rate"]) == (2, 35, "1.0000")


def test_rates_against_hand_computed_numbers(survey):
    with survey.rpc() as rpc:
        rpc.survey.submit_batch(batch("b1", [
            form("F1", "o1", "parents", MIXED), form("F2", "o1", "officers", "D" * 35),
            form("F3", "o1", "parents", "N" * 35), form("F4", "s1", "deputies", "B" * 30 + "D" * 5)]))
        rates = rpc.survey.get_rates({"campaign_id": "c1"})
    by_id = {s["id"]: s for s in rates["subjects"]}
    # o1: S14 B7 D(7+35)=42 over 63 answered: 21/63 = 0.3333 (pooled, not the mean 0.375)
    assert (by_id["o1"]["satisfied"], by_id["o1"]["basic"], by_id["o1"]["dissatisfied"]) == (14, 7, 42)
    assert by_id["o1"]["rate"] == "0.3333" and by_id["o1"]["below_60"] is True
    assert by_id["o1"]["dimensions"]["learning"]["rate"] == "0.3333"   # S2 B1 D1 + D5 = 3/9
    assert by_id["o1"]["groups"]["parents"]["rate"] == "0.7500"        # 21/28
    # s1: B30 D5: 30/35 = 0.857142… → 0.8571; learning items 31–35 all D: 0
    assert by_id["s1"]["rate"] == "0.8571" and by_id["s1"]["dimensions"]["learning"]["rate"] == "0.0000"
    assert by_id["s1"]["groups"]["deputies"]["meets_target"] is False
    # a1 and o2: no forms, rates null (never 0)
    assert by_id["a1"]["rate"] is None and by_id["o2"]["forms"] == 0
    # totals: S14 B37 D47 = 51/98
    assert rates["totals"]["answered"] == 98 and rates["totals"]["rate"] == "0.5204"


def test_close_publishes_the_final_rates_once_and_refuses_later_forms(survey):
    received = []
    with survey.rpc() as rpc:
        rpc.survey.submit_batch(batch("b1", [form("F1", answers="S" * 30 + "D" * 5)]))
        out = rpc.survey.close_campaign({"campaign_id": "c1"})
        again = rpc.survey.close_campaign({"campaign_id": "c1"})
        assert (out["already_closed"], again["already_closed"]) == (False, True)
        assert out["final"] is True and "event_id" in out and "event_id" not in again
        with pytest.raises(RuleViolation) as err:
            rpc.survey.submit_batch(batch("b2", [form("F2")]))
        assert err.value.field == "campaign_id"
        with pytest.raises(RuleViolation):
            rpc.survey.submit_form({"campaign_id": "c1", "form": form("F3")})
        assert rpc.survey.get_campaign({"campaign_id": "c1"})["forms_received"] == 1
        # the event went through the outbox: the backlog empties
        deadline = eventlet.hubs.get_hub().clock() + 10
        while rpc.survey.health()["outbox_backlog"] and eventlet.hubs.get_hub().clock() < deadline:
            eventlet.sleep(0.05)
        received.append(rpc.survey.health()["outbox_published"])
    assert received == [1]


def test_close_event_payload_carries_per_subject_counts(survey):
    from sqlalchemy import select
    import json

    with survey.rpc() as rpc:
        rpc.survey.submit_batch(batch("b1", [form("F1", answers="S" * 30 + "D" * 5)]))
        out = rpc.survey.close_campaign({"campaign_id": "c1"})
    provider = next(d for d in survey.container("survey").dependencies if hasattr(d, "sessionmaker"))
    Outbox = provider.base.Outbox
    with provider.sessionmaker() as s:
        row = s.execute(select(Outbox).where(Outbox.event_id == out["event_id"])).scalar_one()
    payload = json.loads(row.payload)
    from shared.contracts.survey import SatisfactionRatesPublished
    from shared.schemas import load
    load(SatisfactionRatesPublished(), payload)
    assert row.event_type == "satisfaction_rates_published" and payload["final"] is True
    o1 = next(s for s in payload["subjects"] if s["id"] == "o1")
    assert (o1["satisfied"], o1["basic"], o1["dissatisfied"], o1["rate"]) == (30, 0, 5, "0.8571")


def test_single_form_errors_name_the_field(survey):
    with survey.rpc() as rpc:
        assert rpc.survey.submit_form({"campaign_id": "c1", "form": form("F1")})["accepted"] is True
        with pytest.raises(Conflict) as err:
            rpc.survey.submit_form({"campaign_id": "c1", "form": form("F1", answers="D" * 35)})
        assert err.value.field == "form.serial"
        with pytest.raises(ValidationFailed) as err:
            rpc.survey.submit_form({"campaign_id": "c1", "form": form("F2", subject="zz")})
        assert err.value.field == "form.subject"
        with pytest.raises(ValidationFailed) as err:
            rpc.survey.submit_form({"campaign_id": "c1", "form": form("F2", answers="SQ")})
        assert err.value.field == "form.answers"
        with pytest.raises(NotFound) as err:
            rpc.survey.submit_form({"campaign_id": "nope", "form": form("F2")})
        assert err.value.field == "campaign_id"


def test_bad_batch_envelope_names_the_field(survey):
    with survey.rpc() as rpc:
        with pytest.raises(ValidationFailed) as err:
            rpc.survey.submit_batch({"campaign_id": "c1", "batch_id": "b", "forms": "F1"})
        assert err.value.field == "forms"
        with pytest.raises(ValidationFailed) as err:
            rpc.survey.submit_batch({"campaign_id": "c1", "forms": [form("F1")]})
        assert err.value.field == "batch_id"


def test_questionnaire_is_versioned_and_frozen_once_forms_arrive(survey):
    items = [{"dimension": "morality", "text": "廉洁"}, {"dimension": "learning"}]
    with survey.rpc() as rpc:
        v1 = rpc.survey.define_questionnaire({"key": "short", "items": items})
        same = rpc.survey.define_questionnaire({"key": "short", "items": items})
        v2 = rpc.survey.define_questionnaire({"key": "short", "items": items[:1]})
        assert (v1["version"], same["version"], v2["version"]) == (1, 1, 2)
        out = rpc.survey.set_campaign_questionnaire(
            {"campaign_id": "c1", "questionnaire": {"key": "short", "version": 1}})
        assert out["questionnaire"] == {"key": "short", "version": 1}
        bad = rpc.survey.submit_batch(batch("b1", [form("F1")]))
        assert bad["errors"][0]["message"] == "needs 2 answers, got 35"
        rpc.survey.submit_batch(batch("b2", [form("F2", answers="SD")]))
        with pytest.raises(RuleViolation) as err:
            rpc.survey.set_campaign_questionnaire(
                {"campaign_id": "c1", "questionnaire": {"key": "short", "version": 2}})
        assert err.value.field == "questionnaire"
        rates = rpc.survey.get_rates({"campaign_id": "c1"})
    assert set(rates["subjects"][2]["dimensions"]) == {"morality", "learning"}
    assert rates["subjects"][2]["rate"] == "0.5000"


def test_create_campaign_twice_is_safe_and_a_different_one_conflicts(survey):
    payload = {"campaign_id": "c1", "period": "2026H1", "owner": "county-1", "subjects": SUBJECTS}
    with survey.rpc() as rpc:
        assert rpc.survey.create_campaign(payload)["created"] is False
        with pytest.raises(Conflict) as err:
            rpc.survey.create_campaign({**payload, "period": "2026H2"})
        assert err.value.field == "campaign_id"
        with pytest.raises(ValidationFailed) as err:
            rpc.survey.create_campaign({**payload, "campaign_id": "c2", "period": "2026H3"})
        assert err.value.field == "period"


def test_xlsx_report_has_one_sheet_per_subject_kind(survey):
    with survey.rpc() as rpc:
        rpc.survey.submit_batch(batch("b1", [form("F1", "o1"), form("F2", "s1", answers="D" * 35)]))
        out = rpc.survey.rates_xlsx({"campaign_id": "c1"})
    wb = load_workbook(io.BytesIO(base64.b64decode(out["content_base64"])))
    assert [ws.title.split()[-1] for ws in wb.worksheets] == ["agency", "section", "officer"]
    officer_rows = list(wb.worksheets[2].iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in officer_rows] == ["o1", "o2"]
    assert officer_rows[0][7] == 1 and officer_rows[1][7] is None   # rate 100%; null stays empty
    assert list(wb.worksheets[1].iter_rows(min_row=3, values_only=True))[0][7] == 0


def test_metrics_count_received_rejected_by_reason(survey):
    with survey.rpc() as rpc:
        rpc.survey.submit_batch(batch("b1", [form("F1"), form("F1"), form("F2", group="x")]))
    text = metrics_of(survey.container("survey")).render().decode()
    assert "lianbao_survey_forms_received_total 3.0" in text
    assert 'lianbao_survey_forms_rejected_total{reason="duplicate_serial"} 1.0' in text
    assert 'lianbao_survey_forms_rejected_total{reason="unknown_group"} 1.0' in text
    assert "lianbao_survey_intake_forms_per_second" in text


def test_campaign_subjects_from_the_roster_read_model(survey):
    survey.dispatch("roster", "units_saved", {"event_id": "u1", "units": units_out([
        {"id": "k2", "name": "县委政法委", "kind": "committee", "parent": None, "agency": "k2"},
        {"id": "a9", "name": "县法院", "kind": "agency", "parent": "k2", "agency": "a9"},
        {"id": "s9", "name": "民一庭", "kind": "section", "parent": "a9", "agency": "a9"}])})
    survey.dispatch("roster", "staff_joined", {"event_id": "p1", "staff": staff_out([
        {"id": "o9", "name": "王五", "unit": "s9", "agency": "a9"},
        {"id": "o8", "name": "赵六", "unit": "s9", "agency": "a9"}])})
    survey.dispatch("roster", "staff_left", {"event_id": "p2", "person": "o8",
                                             "kind": "transferred_out", "date": "2026-02-01",
                                             "spell_id": "sp-o8"})
    with survey.rpc() as rpc:
        deadline = eventlet.hubs.get_hub().clock() + 10
        while True:
            try:
                out = rpc.survey.create_campaign({"campaign_id": "c9", "period": "2026H2",
                                                  "owner": "k2"})
                if out["subjects"] == {"agency": 1, "section": 1, "officer": 1}:
                    break
            except ValidationFailed:
                pass
            assert eventlet.hubs.get_hub().clock() < deadline, "read model not fed"
            eventlet.sleep(0.05)


def test_target_8_public_satisfaction_per_agency_and_city_over_the_years_campaigns(survey):
    from tests.service.survey.conftest import form

    with survey.rpc() as rpc:
        rpc.survey.submit_batch({"campaign_id": "c1", "batch_id": "t8", "forms": [
            form("f1", "a1", answers="S" * 30 + "D" * 5),            # 30 of 35
            form("f2", "o1", answers="B" * 35),                      # 35 of 35
            form("f3", "s1", answers="N" * 35)]})                    # no answer at all
        rpc.survey.create_campaign({"campaign_id": "c2", "period": "2026H2", "owner": "county-1",
                                    "subjects": [{"id": "a1", "kind": "agency", "name": ""}]})
        rpc.survey.submit_batch({"campaign_id": "c2", "batch_id": "t8b", "forms": [
            form("g1", "a1", answers="D" * 35)]})
        # only closed campaigns count (issue 18 item 4): forms may still arrive in an open one
        open_now = {t["agency"]: t for t in rpc.survey.targets({"year": 2026})["targets"]}
        assert set(open_now) == {"city"} and open_now["city"]["value"] is None
        with pytest.raises(Conflict) as refused:
            rpc.survey.publish_rates({"campaign_id": "c2"})
        assert refused.value.field == "campaign_id"
        rpc.survey.close_campaign({"campaign_id": "c1"})
        assert rpc.survey.targets({"year": 2026})["targets"][-1]["value"] == round(65 / 70, 4)
        rpc.survey.close_campaign({"campaign_id": "c2"})
        assert rpc.survey.publish_rates({"campaign_id": "c2"})["final"] is True
        out = rpc.survey.targets({"year": 2026})
        by_agency = {t["agency"]: t for t in out["targets"]}
        assert all(t["target"] == "8_public_satisfaction" for t in out["targets"])
        # a1 (an agency subject of both halves): (30 + 0) / (35 + 35); o1 and s1 are not in the
        # survey's roster read model, so they count city-wide only
        assert by_agency["a1"]["value"] == round(30 / 70, 4) and by_agency["a1"]["met"] is False
        assert by_agency["city"]["value"] == round(65 / 105, 4) and by_agency["city"]["met"] is False
        assert rpc.survey.targets({"year": 2025})["targets"][0]["value"] is None


def test_target_8_counts_an_officer_in_the_agency_of_each_campaigns_period(survey):
    """Issue 20 item 1: survey's read model of the roster is dated: o1, moved from a1 to a2 on
    1 August (the change arriving before the joining), counts in a1 for the first half year and in
    a2 for the second; a campaign built from the roster lists who is in the agencies at its end."""
    survey.dispatch("roster", "units_saved", {"event_id": "u8", "units": units_out([
        {"id": "county-1", "name": "县委政法委", "kind": "committee", "parent": None, "agency": "county-1"},
        {"id": "a1", "name": "县公安局", "kind": "agency", "parent": "county-1", "agency": "a1"},
        {"id": "a2", "name": "县法院", "kind": "agency", "parent": "county-1", "agency": "a2"}])})
    survey.dispatch("roster", "staff_changed", {"event_id": "m8", "effective": "2026-08-01", "staff": staff_out([
        {"id": "o1", "name": "张三", "unit": "a2", "agency": "a2", "joined": "2020-01-01",
         "since": "2026-08-01"}])})
    survey.dispatch("roster", "staff_joined", {"event_id": "j8", "staff": staff_out([
        {"id": "o1", "name": "张三", "unit": "a1", "agency": "a1", "joined": "2020-01-01",
         "since": "2020-01-01"}])})
    survey.wait_quiet(timeout=30)
    with survey.rpc() as rpc:
        rpc.survey.submit_batch({"campaign_id": "c1", "batch_id": "h1", "forms": [
            form("f1", "o1", answers="S" * 35)]})
        h2 = rpc.survey.create_campaign({"campaign_id": "c8", "period": "2026H2", "owner": "county-1"})
        assert h2["subjects"] == {"agency": 2, "section": 0, "officer": 1}
        rpc.survey.submit_batch({"campaign_id": "c8", "batch_id": "h2", "forms": [
            form("g1", "o1", answers="D" * 35)]})
        for campaign in ("c1", "c8"):       # target 8 pools closed campaigns only
            rpc.survey.close_campaign({"campaign_id": campaign})
        by_agency = {t["agency"]: t for t in rpc.survey.targets({"year": 2026})["targets"]}
        assert by_agency["a1"]["value"] == 1.0
        assert by_agency["a2"]["value"] == 0.0
        assert by_agency["city"]["value"] == 0.5
        # the staff row shows the latest post, whatever the order the events came in
        assert rpc.survey.create_campaign({"campaign_id": "c9", "period": "2026H1",
                                           "owner": "county-1"})["subjects"] == {"agency": 2, "section": 0,
                                                                                 "officer": 1}


def test_target_8_counts_a_section_in_the_agency_it_belonged_to_at_each_periods_end(survey):
    """Issue 20: the unit tree is dated too. s1 moves from a1 to a2 on 1 August (the roster's new
    version arriving before the closed one): its forms of the first half year count for a1, those of
    the second for a2; a campaign built from the roster lists it under the agencies of its end."""
    from tests.service.survey.conftest import form

    survey.dispatch("roster", "units_saved", {"event_id": "u7", "units": units_out([
        {"id": "county-1", "name": "县委政法委", "kind": "committee", "parent": None, "agency": "county-1"},
        {"id": "a1", "name": "县公安局", "kind": "agency", "parent": "county-1", "agency": "a1"},
        {"id": "a2", "name": "县法院", "kind": "agency", "parent": "county-1", "agency": "a2"},
        {"id": "x9", "name": "外县局", "kind": "agency", "parent": "county-9", "agency": "x9"}])})
    survey.dispatch("roster", "units_saved", {"event_id": "u8", "effective": "2026-08-01", "units": units_out([
        {"id": "s1", "name": "刑侦大队", "kind": "section", "parent": "a2", "agency": "a2",
         "since": "2026-08-01", "until": None}])})
    survey.dispatch("roster", "units_saved", {"event_id": "u9", "units": units_out([
        {"id": "s1", "name": "刑侦大队", "kind": "section", "parent": "a1", "agency": "a1",
         "since": "1900-01-01", "until": "2026-07-31"}])})
    survey.wait_quiet(timeout=30)
    with survey.rpc() as rpc:
        rpc.survey.submit_batch({"campaign_id": "c1", "batch_id": "h1", "forms": [
            form("f1", "s1", answers="S" * 35)]})
        h2 = rpc.survey.create_campaign({"campaign_id": "c8", "period": "2026H2", "owner": "county-1"})
        assert h2["subjects"] == {"agency": 2, "section": 1, "officer": 0}
        rpc.survey.submit_batch({"campaign_id": "c8", "batch_id": "h2", "forms": [
            form("g1", "s1", answers="D" * 35)]})
        for campaign in ("c1", "c8"):
            rpc.survey.close_campaign({"campaign_id": campaign})
        by_agency = {t["agency"]: t for t in rpc.survey.targets({"year": 2026})["targets"]}
        assert (by_agency["a1"]["value"], by_agency["a2"]["value"]) == (1.0, 0.0)
        assert by_agency["city"]["value"] == 0.5
        # a section not yet moved at a campaign's end lies under its agency of that day
        assert rpc.survey.create_campaign({"campaign_id": "c9", "period": "2026H1",
                                           "owner": "county-1"})["subjects"]["section"] == 1


def test_the_public_reads_the_subjects_of_an_open_campaign_only(survey):
    """The public (the online form) reads an open campaign's subjects, what the form needs; a closed
    campaign's subjects (officers' ids and names) answer it as a missing campaign does, the same
    error as one that never existed.  The office still reads them after the close."""
    from shared.identity import Actor

    public = Actor("gateway", "public")
    with survey.rpc(identity=public) as rpc:
        open_ = rpc.survey.campaign_subjects({"campaign_id": "c1", "kinds": ["officer"]})
        one = rpc.survey.campaign_subjects({"campaign_id": "c1", "subject": "o1"})
    assert [s["id"] for s in open_["subjects"]] == ["o1", "o2"]
    assert one["subjects"] == [{"id": "o1", "kind": "officer", "name": "张三"}]
    with survey.rpc() as rpc:
        rpc.survey.close_campaign({"campaign_id": "c1"})
    with survey.rpc(identity=public) as rpc:
        for payload in ({"campaign_id": "c1", "kinds": ["officer", "agency", "section"]},
                        {"campaign_id": "c1", "subject": "o1"}):
            with pytest.raises(NotFound) as closed:
                rpc.survey.campaign_subjects(payload)
            assert (closed.value.field, closed.value.message) == ("campaign_id", "no campaign 'c1'")
        with pytest.raises(NotFound) as unknown:
            rpc.survey.campaign_subjects({"campaign_id": "nope", "kinds": ["officer"]})
        assert (unknown.value.field, unknown.value.message) == ("campaign_id", "no campaign 'nope'")
    with survey.rpc() as rpc:
        assert len(rpc.survey.campaign_subjects({"campaign_id": "c1", "kinds": ["officer"]})["subjects"]) == 2
