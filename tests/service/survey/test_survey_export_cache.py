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


def test_the_targets_read_a_closed_campaigns_stored_final_rates(survey, monkeypatch):
    """Target 8 reads each closed campaign's final rates as stored when it closed (issue 24 item 5):
    the same answer as computing them again from the tallies (the code before), and no
    computation; a campaign whose stored rates are of another version is computed, not stored."""
    with survey.rpc() as rpc:
        rpc.survey.submit_batch({"campaign_id": "c1", "batch_id": "b1", "forms": [
            form("f1", "a1", answers="S" * 30 + "D" * 5), form("f2", "o1", answers="B" * 35),
            form("f3", "s1", answers="N" * 35), form("f4", "o2", answers="SBDN" * 8 + "SBD")]})
        rpc.survey.close_campaign({"campaign_id": "c1"})
        computed = rpc.survey.targets({"year": 2026})

        def recount(uow, row):            # the code before: the final rates computed every time
            return handlers._rates(uow, row)

        monkeypatch.setattr(handlers, "_final_rates", recount)
        assert rpc.survey.targets({"year": 2026}) == computed
        monkeypatch.undo()
        calls = []
        compute = handlers._rates
        monkeypatch.setattr(handlers, "_rates", lambda uow, row: calls.append(row.id) or compute(uow, row))
        handlers.RATES.clear(), handlers.WORKBOOKS.clear()
        assert rpc.survey.targets({"year": 2026}) == computed and calls == []
        database = next(d for d in survey.container("survey").dependencies
                        if d.__class__.__name__ == "Database")
        with database.sessionmaker() as s:            # the stored version no longer the campaign's
            from services.survey import models

            s.get(models.CampaignRatesRow, "c1").version = "rates-1|old"
            s.commit()
        assert rpc.survey.targets({"year": 2026}) == computed and calls == ["c1"]
        with database.sessionmaker() as s:
            assert s.get(models.CampaignRatesRow, "c1").version == "rates-1|old"   # a read: not stored
    assert computed["targets"][-1]["agency"] == "city" and computed["targets"][-1]["value"] is not None
