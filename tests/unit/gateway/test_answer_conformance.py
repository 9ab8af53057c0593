"""Answers the embedded schemathesis run (tests/service/gateway/test_gateway_schemathesis.py, its
conformance checks) found not as ``/openapi.json`` said, each pinned here without services: the
answer as the gateway makes it, checked against the document (``documented.problems``)."""
import io

import pytest

from services.gateway import uploads
from services.gateway.routes import ROUTES
from tests.unit.gateway.documented import DOC, problems


def _upload(path):
    return next(r for r in ROUTES if r.method == "POST" and r.path == path).upload


def _never(body):
    raise AssertionError(f"no batch to send, yet sent {body}")


@pytest.mark.parametrize("path", ["/roster/staff", "/training/results"])
@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize("body", [b"{}", b"id,name\n", b"id\np1,extra\n"])
def test_an_all_or_nothing_upload_with_no_good_row_answers_its_counts_as_zero(path, dry_run, body):
    """A file with no row (or only a header, or a bad one) sends no batch: its answer still has the
    counts the route names, 0 (it had no ``rows``, ``created``, ``changed``...: a client reading
    ``rows`` failed on an empty file)."""
    answer = uploads.run_all_or_nothing(_never, _upload(path), io.BytesIO(body), "csv", {}, dry_run)
    assert answer["batches"] == 0 and answer["rows"] == 0 and answer["created"] == 0
    assert problems("POST", path, answer) == []


def test_an_all_or_nothing_upload_sums_the_counts_of_its_batches():
    reports = iter([{"rows": 2, "created": 1, "changed": 1, "unchanged": 0, "committed": False, "errors": []},
                    {"rows": 2, "created": 1, "changed": 1, "unchanged": 0, "committed": True, "errors": []}])
    answer = uploads.run_all_or_nothing(lambda body: next(reports), _upload("/roster/staff"),
                                        io.BytesIO(b"id,name\np1,A\np2,B\n"), "csv", {}, False)
    assert (answer["rows"], answer["created"], answer["changed"], answer["committed"]) == (2, 1, 1, True)
    assert problems("POST", "/roster/staff", answer) == []


def test_a_forms_upload_with_no_form_answers_its_counts_as_zero():
    path = "/survey/campaigns/{campaign_id}/forms"
    answer = uploads.run_items(_never, _upload(path), io.BytesIO(b"serial,subject\n"), "csv", {}, "u1")
    assert (answer["received"], answer["accepted"], answer["rejected"], answer["duplicates"]) == (0, 0, 0, 0)
    assert problems("POST", path, answer) == []


def test_coverage_of_a_position_without_anyone_has_a_null_share():
    """Roster answers ``share: null`` where a position has no one to cover (0 of 0 is no share); the
    document said a decimal string only."""
    empty = {"total": 0, "covered": 0, "share": None, "without": []}
    answer = {"unit": "city", "date": "2026-01-01", "officer": empty,
              "by_agency": {"c_ps": {"officer": empty, "chief": {**empty, "total": 2, "covered": 1,
                                                                 "share": "0.5000", "without": ["p1"]}}}}
    assert problems("GET", "/roster/units/{unit}/coverage", answer) == []
    bad = {**answer, "by_agency": {"c_ps": {"officer": {**empty, "share": 0.5}}}}
    assert problems("GET", "/roster/units/{unit}/coverage", bad) != []


def test_every_command_with_a_body_documents_the_409_of_a_reused_idempotency_key():
    """``Idempotency-Key`` sent before with another request is a 409 on any command with a body
    (``POST /ratings/preview`` answered one its document did not list)."""
    keyed = [(path, method) for path, ops in DOC["paths"].items() for method, op in ops.items()
             if any(p.get("name") == "Idempotency-Key" for p in op.get("parameters", []))]
    assert len(keyed) > 50
    missing = [(method, path) for path, method in keyed if "409" not in DOC["paths"][path][method]["responses"]]
    assert missing == []
    assert "409" in DOC["paths"]["/ratings/preview"]["post"]["responses"]


def test_the_sign_in_forms_refusals_are_documented_as_given():
    """``GET /auth/login?next=//elsewhere`` is a 400 (JSON); a browser's refused sign-in is the form
    again (HTML), a program's (``Accept: application/json``) the error JSON."""
    form = DOC["paths"]["/auth/login"]["get"]["responses"]
    assert set(form["400"]["content"]) == {"application/json"}
    login = DOC["paths"]["/auth/login"]["post"]["responses"]
    for status in ("400", "401", "403", "429"):
        assert set(login[status]["content"]) == {"application/json", "text/html"}, status
    for status in ("413", "415"):        # refused before the form is read: JSON whoever asks
        assert set(login[status]["content"]) == {"application/json"}, status


def test_a_campaigns_questionnaire_version_is_bounded_as_the_other_versions():
    """schemathesis (now and then) sent ``version`` 2**63 to ``POST /survey/campaigns/{id}/questionnaire``:
    SQLite's INTEGER overflowed in the service, a 502. The contract bounds it (a 400 naming the field),
    and the document says so."""
    from marshmallow import ValidationError

    from shared.contracts import survey

    with pytest.raises(ValidationError) as refused:
        survey.SetCampaignQuestionnaire().load({"campaign_id": "c1",
                                                "questionnaire": {"key": "satisfaction", "version": 2**63}})
    assert "questionnaire" in refused.value.messages
    schema = DOC["paths"]["/survey/campaigns/{campaign_id}/questionnaire"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    assert schema["properties"]["questionnaire"]["$ref"] == "#/components/schemas/survey.QuestionnaireChoice"
    assert DOC["components"]["schemas"]["survey.QuestionnaireChoice"]["properties"]["version"]["maximum"] == 1_000_000
