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
