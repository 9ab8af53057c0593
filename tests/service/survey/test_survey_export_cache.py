"""A campaign's rates and workbook are computed once per version of its data (issue 19)."""
import base64
import io

import eventlet
import openpyxl
import pytest

from services.survey import handlers
from tests.service.survey.conftest import form

pytestmark = pytest.mark.timeout(60)


def test_exports_cost_once_per_version_and_follow_new_forms(survey):
    rates_before, books_before = handlers.RATES.computed, handlers.WORKBOOKS.computed
    with survey.rpc() as rpc:
        rpc.survey.submit_batch({"campaign_id": "c1", "batch_id": "b1", "forms": [form("f1"), form("f2")]})
        first = rpc.survey.rates_xlsx({"campaign_id": "c1"})
        assert rpc.survey.rates_xlsx({"campaign_id": "c1"}) == first
        assert rpc.survey.get_rates({"campaign_id": "c1"})["totals"]["forms"] == 2

    def export(_):
        with survey.rpc() as rpc:
            return rpc.survey.rates_xlsx({"campaign_id": "c1"})

    assert list(eventlet.GreenPool(12).imap(export, range(12))) == [first] * 12
    assert handlers.WORKBOOKS.computed - books_before == 1
    assert handlers.RATES.computed - rates_before == 1
    with survey.rpc() as rpc:         # a new form is a new version: computed again, and right
        rpc.survey.submit_batch({"campaign_id": "c1", "batch_id": "b2", "forms": [form("f3", "o2")]})
        assert rpc.survey.get_rates({"campaign_id": "c1"})["totals"]["forms"] == 3
        second = rpc.survey.rates_xlsx({"campaign_id": "c1"})
    assert second != first and handlers.WORKBOOKS.computed - books_before == 2
    wb = openpyxl.load_workbook(io.BytesIO(base64.b64decode(second["content_base64"])))
    rows = {r[0]: r for ws in wb.worksheets for r in ws.iter_rows(values_only=True)}
    assert (rows["o1"][2], rows["o2"][2]) == (2, 1)       # forms received per subject


def test_rates_are_stored_per_version_and_exports_only_serialise_them(survey, monkeypatch):
    """The rates of a version are computed once and stored (campaign_rates): a process that never
    computed them (the memory cache empty, as after a restart or in another worker) reads them;
    closing computes the final version once, and its exports then read it too."""
    calls = []
    compute = handlers._rates

    def counted(uow, row):
        calls.append(row.status)
        return compute(uow, row)

    monkeypatch.setattr(handlers, "_rates", counted)
    with survey.rpc() as rpc:
        rpc.survey.submit_batch({"campaign_id": "c1", "batch_id": "b1", "forms": [form("f1"), form("f2")]})
        first = rpc.survey.get_rates({"campaign_id": "c1"})
        assert calls == ["open"]
        handlers.RATES.clear(), handlers.WORKBOOKS.clear()      # another process: memory empty
        assert rpc.survey.get_rates({"campaign_id": "c1"}) == first
        book = rpc.survey.rates_xlsx({"campaign_id": "c1"})
        assert calls == ["open"]                                # read from the stored version
        rpc.survey.submit_batch({"campaign_id": "c1", "batch_id": "b2", "forms": [form("f3", "o2")]})
        handlers.RATES.clear(), handlers.WORKBOOKS.clear()
        assert rpc.survey.get_rates({"campaign_id": "c1"})["totals"]["forms"] == 3
        assert calls == ["open", "open"]                        # a new version: computed again
        rpc.survey.submit_batch({"campaign_id": "c1", "batch_id": "b3", "forms": [form("f3", "o2")]})
        handlers.RATES.clear(), handlers.WORKBOOKS.clear()      # a serial again adds no form
        assert rpc.survey.get_rates({"campaign_id": "c1"})["totals"]["forms"] == 3
        assert calls == ["open", "open"]
        closed = rpc.survey.close_campaign({"campaign_id": "c1"})
        assert calls == ["open", "open", "closed"] and closed["final"] is True
        handlers.RATES.clear(), handlers.WORKBOOKS.clear()
        final = rpc.survey.get_rates({"campaign_id": "c1"})
        assert final["final"] is True and final["totals"]["forms"] == 3
        assert rpc.survey.rates_xlsx({"campaign_id": "c1"}) != book
        assert rpc.survey.publish_rates({"campaign_id": "c1"})["totals"] == final["totals"]
    assert calls == ["open", "open", "closed"]                  # closing computed the final once
