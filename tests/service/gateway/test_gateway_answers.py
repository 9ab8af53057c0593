"""The documented answers are the answers (issue 21 item 3): every GET route of the document, called
with ids of a small city (a person, an agency, a unit, a campaign, a month), and each 200 checked
against the schema of its answer in ``/openapi.json`` (OpenAPI 3.0: nullable, $refs), and every
property the schema requires at the top of the answer present in it (an optional one, e.g. a stored
snapshot's ``rules``, may be absent)."""
import pytest
import requests
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource

from tests.service.gateway import city
from tests.service.gateway.conftest import auth

pytestmark = pytest.mark.timeout(300)

PATH_IDS = {"person": "o1", "person_id": "o1", "agency": "c_ps", "unit": "c_ps", "campaign_id": "c1",
            "evaluator": "c_ps", "owner": "cnty", "committee": "cnty", "month": "2026-03", "period": "2026",
            "paying_unit": "c_ps", "scope": "c_ps", "key": None}
QUERY = {"year": "2026", "date": "2026-03-02", "as_of": "2026-03-20", "month": "2026-03", "start": "2026-03-01",
         "end": "2026-03-31", "quarter": "2026Q1", "evaluator": "c_ps", "period": "2026"}


def test_every_get_route_answers_as_its_schema_says(start_gateway):
    gw, suite = start_gateway(city.classes())
    city.load(suite)
    r = requests.post(f"{gw}/survey/campaigns/c1/batches", json={"batch_id": "b1", "forms": [city.form("f1")]},
                      headers=auth("city"), timeout=30)
    assert r.status_code == 200, r.text
    doc = requests.get(f"{gw}/openapi.json", timeout=30).json()
    registry = Registry().with_resource("urn:doc", Resource.opaque(doc))
    PATH_IDS["key"] = requests.get(f"{gw}/survey/campaigns/c1", headers=auth("city"), timeout=30
                                   ).json()["questionnaire"]["key"]
    checked, problems = [], []
    for path, methods in doc["paths"].items():
        op = methods.get("get")
        if op is None or path.startswith(("/auth", "/openapi")):
            continue
        ok = op["responses"]["200"]
        schema = ok.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            continue                                       # an export (xlsx, ndjson)
        url = gw + path
        for name, value in PATH_IDS.items():
            url = url.replace("{" + name + "}", value)
        params = {p["name"]: QUERY[p["name"]] for p in op.get("parameters", [])
                  if p["in"] == "query" and p["name"] in QUERY}
        r = requests.get(url, params=params, headers=auth("city"), timeout=60)
        assert r.status_code < 500, (path, r.text)
        if r.status_code != 200:
            continue
        validator = OAS30Validator({**schema, "components": doc["components"]} if "$ref" not in schema
                                   else {"$ref": "urn:doc#" + schema["$ref"][1:]}, registry=registry)
        errors = sorted(validator.iter_errors(r.json()), key=lambda e: list(e.path))
        checked.append(path)
        target = schema
        if "$ref" in schema:
            target = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        answer = r.json()
        missing = [k for k in target.get("required", []) if k not in answer]
        if missing:                                        # a name the route table got wrong
            problems.append((path, "documented, not answered", missing))
        problems += [(path, list(e.path), e.message[:200]) for e in errors[:3]]
    assert not problems, "\n".join(map(str, problems))
    assert len(checked) >= 55, (len(checked), checked)


def test_the_answer_checker_of_every_gateway_test_reports_a_wrong_answer():
    """The check every gateway test runs (``conftest.answers_as_documented``) can fail: a wrong type,
    a missing required property, a bad date and an undocumented JSON answer are each reported."""
    from tests.service.gateway.conftest import AnswerChecker

    class Answer:
        def __init__(self, body, status=200, kind="application/json"):
            self.status_code, self.headers, self.body = status, {"Content-Type": kind}, body

        def json(self):
            return self.body

    schema = {"type": "object", "required": ["n", "on"],
              "properties": {"n": {"type": "integer"}, "on": {"type": "string", "format": "date"}}}
    doc = {"paths": {"/things/{id}": {"get": {"responses": {"200": {"content": {"application/json": {
               "schema": {"$ref": "#/components/schemas/T"}}}}}}},
                     "/file": {"get": {"responses": {"200": {"content": {"text/csv": {}}}}}}},
           "components": {"schemas": {"T": schema}}}
    checker = AnswerChecker(lambda url: Answer(doc))
    checker.bases.append("http://gw")
    checker.check("GET", "http://gw/things/a", Answer({"n": 1, "on": "2026-03-02"}))
    assert checker.problems == [] and checker.checked == {("GET", "/things/{id}")}
    checker.check("GET", "http://gw/things/a", Answer({"n": "1", "on": "2026-13-45"}))
    checker.check("GET", "http://gw/things/b", Answer({"on": "2026-03-02"}))
    checker.check("GET", "http://gw/file", Answer({"x": 1}))
    checker.check("GET", "http://gw/things/c", Answer({"n": "x"}, status=404))      # an error: not this check
    checker.check("GET", "http://other/things/a", Answer({"n": "x"}))                # not a gateway of the test
    found = [p[2:] for p in checker.problems]
    assert found == [(["n"], "'1' is not of type 'integer'"), (["on"], "'2026-13-45' is not a 'date'"),
                     ([], "'n' is a required property"), ("answered JSON, documented as no JSON",)], found
