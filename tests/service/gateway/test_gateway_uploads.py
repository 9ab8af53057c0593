"""Streamed bulk uploads through the gateway (issue 19): forms, roster rows and training rows as CSV
or NDJSON, chunked or not, sent on in batches; all-or-nothing imports write nothing on a bad row."""
import json

import pytest
import requests

from tests.service.gateway import city
from tests.service.gateway.conftest import auth

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def started(start_gateway):
    url, suite = start_gateway(city.classes(), GATEWAY_UPLOAD_BATCH=3, GATEWAY_MAX_UPLOAD=5_000_000)
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": city.UNITS})
        rpc.roster.create_staff({"staff": city.STAFF})
        rpc.survey.create_campaign({"campaign_id": "c1", "period": "2026H1", "owner": "cnty",
                                    "subjects": city.SUBJECTS})
    return url, suite


def _forms_csv(n, start=0):
    lines = ["serial,subject,group,answers"]
    lines += [f"f{i},o1,parents,{'S' * 35}" for i in range(start, start + n)]
    return ("\n".join(lines) + "\n").encode()


def test_forms_uploaded_as_csv_in_batches_once(started):
    url, suite = started
    headers = {**auth("county"), "Content-Type": "text/csv"}
    body = _forms_csv(10) + b"f3,o1,parents," + b"S" * 35 + b"\nbad,nobody,parents," + b"S" * 35 + b"\n"
    r = requests.post(f"{url}/survey/campaigns/c1/forms", params={"upload": "u1"}, data=body, headers=headers,
                      timeout=60)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["received"], out["accepted"], out["batches"]) == (12, 10, 4)
    assert {(e["line"], e["field"]) for e in out["errors"]} >= {(13, "subject")}, out["errors"]
    bad = next(e for e in out["errors"] if e["line"] == 13)
    assert [(f["field"], f["reason"]) for f in bad["faults"]] == [("subject", "unknown_subject")]
    again = requests.post(f"{url}/survey/campaigns/c1/forms", params={"upload": "u1"}, data=body,
                          headers=headers, timeout=60)
    assert again.status_code == 200
    rates = requests.get(f"{url}/survey/campaigns/c1/rates", headers=auth("county"), timeout=30).json()
    assert rates["totals"]["forms"] == 10          # the second upload counted nothing twice


def test_forms_uploaded_as_chunked_ndjson(started):
    url, _ = started

    def lines():
        for i in range(7):
            yield json.dumps(city.form(f"n{i}")).encode() + b"\n"
        yield b"not json\n"
        yield b'{"serial": "x\\u0000", "subject": "o1", "group": "parents", "answers": "S"}\n'

    r = requests.post(f"{url}/survey/campaigns/c1/forms?upload=u2", data=lines(), timeout=60,
                      headers={**auth("county"), "Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    assert (r.json()["accepted"], r.json()["bad_rows"]) == (7, 2)
    assert [e["line"] for e in r.json()["errors"]] == [8, 9]


@pytest.mark.parametrize("content_type, status, field", [("application/json", 415, "Content-Type"),
                                                         (None, 415, "Content-Type")])
def test_an_upload_of_another_type_is_refused(started, content_type, status, field):
    url, _ = started
    headers = auth("county") if content_type is None else {**auth("county"), "Content-Type": content_type}
    r = requests.post(f"{url}/survey/campaigns/c1/forms?upload=u3", data=b"[]", headers=headers, timeout=30)
    assert r.status_code == status and r.json()["field"] == field


def test_upload_scope_and_id_are_checked(started):
    url, _ = started
    headers = {**auth("other"), "Content-Type": "text/csv"}
    r = requests.post(f"{url}/survey/campaigns/c1/forms?upload=u4", data=_forms_csv(2), headers=headers, timeout=30)
    assert r.status_code == 404                      # another county's campaign: as if missing
    headers = {**auth("county"), "Content-Type": "text/csv"}
    r = requests.post(f"{url}/survey/campaigns/c1/forms", data=_forms_csv(2), headers=headers, timeout=30)
    assert r.status_code == 400 and r.json()["field"] == "upload"
    r = requests.post(f"{url}/roster/staff", data=b"id\n", headers=headers, timeout=30)
    assert r.status_code == 403                      # row imports need a token that sees every unit


ROSTER = ("id,name,unit,position,joined\n" + "".join(f"u{i},干警{i},c_ps_s1,officer,2021-01-0{1 + i % 9}\n"
                                                    for i in range(8)))


def test_roster_rows_all_or_nothing_in_batches(started):
    url, suite = started
    headers = {**auth("city"), "Content-Type": "text/csv"}
    bad = ROSTER + "u99,无单位,nowhere,officer,2021-01-01\n"
    r = requests.post(f"{url}/roster/staff", data=bad.encode(), headers=headers, timeout=60)
    assert r.status_code == 200, r.text
    assert r.json()["committed"] is False and r.json()["errors"][0]["row"] == 10
    with suite.rpc() as rpc:
        assert "u0" not in {p["id"] for p in rpc.roster.people_of_agency({"agency": "c_ps", "date": "2026-01-01"})["people"]}
    r = requests.post(f"{url}/roster/staff", data=ROSTER.encode(), headers=headers, timeout=60)
    assert r.status_code == 200, r.text
    assert (r.json()["committed"], r.json()["created"], r.json()["batches"]) == (True, 8, 3)
    with suite.rpc() as rpc:
        people = rpc.roster.people_of_agency({"agency": "c_ps", "date": "2026-01-01"})["people"]
    assert {f"u{i}" for i in range(8)} <= {p["id"] for p in people}


def test_training_rows_refused_by_file_line_write_nothing(started):
    url, suite = started
    with suite.rpc() as rpc:
        rpc.training.upsert_people({"people": city.PEOPLE})
    body = b"person_id,course_id,date,result\n" + b"o1,drill,2026-03-01,pass\n" * 4
    headers = {**auth("city"), "Content-Type": "text/csv"}
    for query in ("?dry_run=true", ""):
        r = requests.post(f"{url}/training/results{query}", data=body, headers=headers, timeout=60)
        assert r.status_code == 200, r.text
        # o1's four rows: one batch (a person's rows together, more than the batch size of 3)
        assert r.json()["committed"] is False and r.json()["batches"] == 1
        assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(n, "course_id") for n in (2, 3, 4, 5)]
    r = requests.get(f"{url}/training/people/o1/results", headers=auth("city"), timeout=30)
    assert r.json()["results"] == []


def test_training_rows_name_their_person_person_or_the_old_person_id_never_both(started):
    """#17 item 3: the file's column is ``person``; ``person_id`` is still read until 0.2.0; a file
    giving both is refused at its header (row 1), naming ``person_id``, and nothing is written."""
    url, suite = started
    with suite.rpc() as rpc:
        rpc.training.upsert_people({"people": city.PEOPLE})
        rpc.training.register_courses({"courses": [{"id": "drill1", "kind": "skills", "title": "岗位练兵"}]})
    headers = {**auth("city"), "Content-Type": "text/csv"}

    def upload(text, query=""):
        r = requests.post(f"{url}/training/results{query}", data=text.encode(), headers=headers, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()

    both = upload("person,person_id,course_id,date,result\no1,o1,drill1,2026-03-01,pass\n")
    assert both["committed"] is False
    assert [(e["row"], e["column"]) for e in both["errors"]] == [(1, "person_id")], both["errors"]
    assert "give 'person' only" in both["errors"][0]["message"]
    assert requests.get(f"{url}/training/people/o1/results", headers=auth("city"), timeout=30).json()["results"] == []
    new = upload("person,course_id,date,result\no1,drill1,2026-03-01,pass\n")
    old = upload("person_id,course_id,date,result\nm1,drill1,2026-03-02,pass\n")
    assert (new["committed"], new["created"], old["committed"], old["created"]) == (True, 1, True, 1), (new["errors"], old["errors"])
    for person, day in (("o1", "2026-03-01"), ("m1", "2026-03-02")):
        answer = requests.get(f"{url}/training/people/{person}/results", headers=auth("city"), timeout=30).json()
        assert (answer["person"], answer["person_id"]) == (person, person)
        assert [(r["person"], r["person_id"], r["date"]) for r in answer["results"]] == [(person, person, day)]


def test_a_person_repeated_in_a_later_batch_is_refused_at_its_line(started):
    """Issue 19: the same id twice in one upload is caught whatever batch each is in (batches of 3
    here): reported at the later line, naming the first, and nothing is written."""
    url, suite = started
    headers = {**auth("city"), "Content-Type": "text/csv"}
    body = ROSTER + "u1,干警1,c_ps_s1,officer,2021-01-05\n"          # line 10, batch 3; u1 is on line 3
    for query in ("?dry_run=true", ""):
        r = requests.post(f"{url}/roster/staff{query}", data=body.encode(), headers=headers, timeout=60)
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["committed"] is False and out["bad_rows"] == 1
        assert [(e["row"], e["column"], e["reason"]) for e in out["errors"]] == [(10, "id", "duplicate")]
        assert "line 3" in out["errors"][0]["message"]
    with suite.rpc() as rpc:
        people = rpc.roster.people_of_agency({"agency": "c_ps", "date": "2026-01-01"})["people"]
    assert not {f"u{i}" for i in range(8)} & {p["id"] for p in people}


def test_a_result_repeated_in_a_later_batch_is_refused_at_its_line(started):
    url, suite = started
    with suite.rpc() as rpc:
        rpc.training.upsert_people({"people": city.PEOPLE})
        rpc.training.register_courses({"courses": [{"id": f"drill{n}", "kind": "skills", "title": "岗位练兵"}
                                                   for n in range(1, 6)]})
    # batches of 3, but o1's six rows go in one; line 7 repeats the result of line 3 (o1, drill2, 1 March)
    rows = [f"o1,drill{n},2026-03-01,pass" for n in range(1, 6)] + ["o1,drill2,2026-03-01,fail"]
    body = ("person,course_id,date,result\n" + "\n".join(rows) + "\n").encode()
    r = requests.post(f"{url}/training/results", data=body, headers={**auth("city"), "Content-Type": "text/csv"},
                      timeout=60)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["committed"] is False
    # o1's rows go in one batch (shared.grouping): the target names the first
    assert [(e["row"], e["column"]) for e in out["errors"]] == [(7, "date")], out["errors"]
    assert "the same result as row 3" in out["errors"][0]["message"]
    r = requests.get(f"{url}/training/people/o1/results", headers=auth("city"), timeout=30)
    assert r.json()["results"] == []


def test_a_rule_on_one_persons_results_far_apart_is_checked_before_anything_is_written(started):
    """Issue 19: o1 passes drill1 twice in 2026, on lines 2 and 13, with ten other people's results
    between (batches of 3 here). A person's rows go in one batch (shared.grouping), so the check pass
    refuses line 13 and nothing is written (before, each batch passed its check alone, then the write
    pass wrote line 2 and the batches after it before refusing line 13)."""
    url, suite = started
    others = [f"p{n}" for n in range(10)]
    with suite.rpc() as rpc:
        rpc.training.upsert_people({"people": city.PEOPLE + [{**city.PEOPLE[0], "id": p} for p in others]})
        rpc.training.register_courses({"courses": [{"id": "drill1", "kind": "skills", "title": "岗位练兵"}]})
    rows = (["o1,drill1,2026-03-01,pass"] + [f"{p},drill1,2026-03-02,pass" for p in others]
            + ["o1,drill1,2026-05-01,pass"])
    body = ("person,course_id,date,result\n" + "\n".join(rows) + "\n").encode()
    headers = {**auth("city"), "Content-Type": "text/csv"}
    for query in ("?dry_run=true", ""):
        r = requests.post(f"{url}/training/results{query}", data=body, headers=headers, timeout=60)
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["committed"] is False and out["bad_rows"] == 1, out
        assert [(e["row"], e["column"]) for e in out["errors"]] == [(13, "course_id")], out["errors"]
        assert "already passed drill1 in 2026" in out["errors"][0]["message"]
    with suite.rpc() as rpc:
        for person in ["o1", *others]:
            assert rpc.training.results_of({"person_id": person})["results"] == [], person


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(rows) -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_forms_uploaded_as_a_workbook_are_read_as_a_csv_is(started):
    url, _ = started
    rows = [["serial", "subject", "group", "answers"]]
    rows += [[f"x{i}", "o1", "parents", "S" * 35] for i in range(5)]
    rows += [["xbad", "nobody", "parents", "S" * 35], [None, None, None, None], ["x9", "o1", "parents", "S" * 35, "extra"]]
    r = requests.post(f"{url}/survey/campaigns/c1/forms", params={"upload": "ux"}, data=_workbook(rows),
                      headers={**auth("county"), "Content-Type": XLSX}, timeout=60)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["received"], out["accepted"], out["batches"]) == (6, 5, 2)
    # the workbook's row numbers are the lines: the unknown subject on row 7, the extra cell on row 9
    assert {(e["line"], e["field"]) for e in out["errors"]} == {(7, "subject"), (9, "_line")}, out["errors"]


def test_a_bad_workbook_is_a_400_naming_the_body_or_the_header(started):
    url, _ = started
    headers = {**auth("county"), "Content-Type": XLSX}
    for body in (b"PK\x03\x04 not a zip", b"", _workbook([]), _workbook([[None, None], [None]])):
        r = requests.post(f"{url}/survey/campaigns/c1/forms?upload=uy", data=body, headers=headers, timeout=30)
        assert r.status_code == 400 and r.json()["field"] == "_body", (body[:20], r.text)
    # the same size limit as a CSV: GATEWAY_MAX_UPLOAD (5 MB here)
    r = requests.post(f"{url}/survey/campaigns/c1/forms?upload=uz", data=b"PK" + b"\0" * 5_000_001,
                      headers=headers, timeout=60)
    assert r.status_code == 413 and r.json()["field"] == "_body"


def test_training_rows_as_a_workbook_with_date_cells_and_chinese_headers(started):
    import datetime

    url, suite = started
    with suite.rpc() as rpc:
        rpc.training.upsert_people({"people": city.PEOPLE})
        rpc.training.register_courses({"courses": [{"id": f"wb{n}", "kind": "skills", "title": "岗位练兵"}
                                                   for n in range(1, 6)]})
    rows = [["工号", "课程", "日期", "结果"]]
    rows += [["o1", f"wb{n}", datetime.datetime(2026, 3, 1), "合格"] for n in range(1, 5)]
    rows += [["o1", "wb2", "2026-W09-7", "不合格"]]        # row 6 (batch 2): row 3's result, its date another way
    headers = {**auth("city"), "Content-Type": XLSX}
    r = requests.post(f"{url}/training/results", data=_workbook(rows), headers=headers, timeout=60)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["committed"] is False
    assert [(e["row"], e["column"]) for e in out["errors"]] == [(6, "date")], out["errors"]
    assert "the same result as row 3" in out["errors"][0]["message"]
    r = requests.post(f"{url}/training/results", data=_workbook(rows[:5]), headers=headers, timeout=60)
    assert (r.status_code, r.json()["committed"], r.json()["created"]) == (200, True, 4), r.text
    results = requests.get(f"{url}/training/people/o1/results", headers=auth("city"), timeout=30).json()["results"]
    assert sorted(x["course_id"] for x in results) == ["wb1", "wb2", "wb3", "wb4"]


def test_the_same_result_with_its_date_written_two_ways_in_two_batches_is_refused(started):
    """Issue 19: a date is one day however it is written (2026-03-01, 2026-W09-7); the target catches
    that within one batch, and a person's rows go in one batch (batches of 3 here, o1's five rows
    together)."""
    url, suite = started
    with suite.rpc() as rpc:
        rpc.training.upsert_people({"people": city.PEOPLE})
        rpc.training.register_courses({"courses": [{"id": f"dd{n}", "kind": "skills", "title": "岗位练兵"}
                                                   for n in range(1, 6)]})
    rows = [f"o1,dd{n},2026-03-01,pass" for n in range(1, 5)] + ["o1,dd2, 2026-W09-7 ,fail"]
    body = ("person_id,course_id,date,result\n" + "\n".join(rows) + "\n").encode()
    r = requests.post(f"{url}/training/results", data=body, headers={**auth("city"), "Content-Type": "text/csv"},
                      timeout=60)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["committed"] is False
    assert [(e["row"], e["column"]) for e in out["errors"]] == [(6, "date")], out["errors"]
    assert "the same result as row 3" in out["errors"][0]["message"]
    # within one batch the service itself says so (the same rule: shared.contracts.training.result_day)
    one = ("person_id,course_id,date,result\no1,dd3,2026-03-01,pass\no1,dd3,2026-W09-7,pass\n").encode()
    r = requests.post(f"{url}/training/results", data=one, headers={**auth("city"), "Content-Type": "text/csv"},
                      timeout=60)
    assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(3, "date")], r.text
    r = requests.get(f"{url}/training/people/o1/results", headers=auth("city"), timeout=30)
    assert r.json()["results"] == []


def test_a_person_repeated_under_a_chinese_header_in_a_later_batch_is_refused(started):
    url, _ = started
    body = ROSTER.replace("id,name,unit,position,joined", "工号,姓名,单位,职务,入队日期") + "u1,干警1,c_ps_s1,officer,2021-01-05\n"
    r = requests.post(f"{url}/roster/staff?dry_run=true", data=body.encode(),
                      headers={**auth("city"), "Content-Type": "text/csv"}, timeout=60)
    assert r.status_code == 200, r.text
    assert [(e["row"], e["column"], e["reason"]) for e in r.json()["errors"]] == [(10, "id", "duplicate")]
