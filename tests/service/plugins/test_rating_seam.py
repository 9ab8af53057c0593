"""The seam for ``scoring.run_rating``: ``rules_for`` / ``extensions_for`` / ``adaptation_for`` /
``record_use`` on a unit of work (no nameko), and ``PacksMixin`` mixed into the real service."""
import pytest
from sqlalchemy.orm import sessionmaker

from services.scoring import models, pack_models  # noqa: F401
from services.scoring import packs_service
from services.scoring.domain import packs
from services.scoring.domain.payload import rate_payload
from services.scoring.packs_service import PacksMixin
from shared.db import UnitOfWork, make_engine
from tests.unit.plugins.builders import by_id, officer, pack, snapshot

pytestmark = pytest.mark.timeout(60)

CONFIG = {"PLUGINS": "court-reversals=court"}


@pytest.fixture
def uow_factory(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'scoring.db'}")
    models.Base.metadata.create_all(engine)
    maker = sessionmaker(engine, expire_on_commit=False)
    yield lambda: UnitOfWork(maker, models.Base)
    engine.dispose()


def test_rules_and_extensions_for_an_agency_and_period(uow_factory, monkeypatch):
    monkeypatch.setenv("LIANBAO_PLUGINS", CONFIG["PLUGINS"])
    with uow_factory() as uow:
        packs_service.register_pack(uow, "court", pack(1, "2026", rules={"cutoffs": {"5": 97}},
                                                       rewards={"officer": {"5": 1500}}))
        packs_service.record_subject_data(uow, {"agency": "court", "period": "2026", "subjects": [
            {"id": "j2", "figures": {"reversed_judgments": 4}}]})
        uow.commit()
    with uow_factory() as uow:
        assert packs_service.rules_for(uow, "court", "2025") == {}
        rules = packs_service.rules_for(uow, "court", "2026")
        assert rules == {"cutoffs": {"5": 97}, "amounts": {"officer_five_star": 1500}}
        exts = packs_service.extensions_for(uow, "court", "2026")
        assert [e.name for e in exts] == ["pack:court/v1", "plugin:court-reversals/0.1.0"]
        snap = snapshot([officer("j1", "court", score=97), officer("j2", "court", score=96)])
        snap["rules"] = rules
        res = by_id(rate_payload(snap, extensions=exts))
        assert res["j1"]["stars"] == 5 and res["j2"]["score"] == 94 and res["j2"]["stars"] == 4
        # the full path names the pack version in the explanation and records the use
        adaptation = packs_service.adaptation_for(uow, "court", "2026")
        result = packs.rate_adapted(snapshot([officer("j1", "court", score=97)]), adaptation)
        assert result["officers"][0]["explanation"][-1]["rule"] == "pack:court/v1:rules.cutoffs"
        used = packs_service.record_use(uow, "2026:court:1", adaptation)
        packs_service.record_use(uow, "2026:court:1", adaptation)          # once
        uow.commit()
    assert used["pack"]["version"] == 1
    assert used["plugins"] == [{"name": "court-reversals", "version": "0.1.0",
                                "label": "plugin:court-reversals/0.1.0"}]
    with uow_factory() as uow:
        view = packs_service.history_view(uow, "court")
        assert view["versions"][0]["used_by"] == [{"rating_id": "2026:court:1", "period": "2026"}]


def test_the_mixin_joins_the_real_scoring_service(embedded_suite):
    from services.scoring.service import ScoringService

    assert issubclass(ScoringService, PacksMixin)      # wired in the real service
    suite = embedded_suite(["scoring"], classes=[ScoringService], PLUGINS="court-reversals=court")
    with suite.rpc() as rpc:
        assert rpc.scoring.health()["status"] == "ok"
        assert rpc.scoring.register_pack({"agency": "court", "pack": pack()})["created"] is True
        eff = rpc.scoring.effective_pack({"agency": "court", "period": "2026"})
        assert eff["pack"]["version"] == 1 and eff["plugins"][0]["name"] == "court-reversals"
