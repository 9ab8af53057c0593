"""A campaign's tallies (issue 19: no export reads all forms) always equal a recount of its forms:
after batches with duplicates, a batch delivered twice (its id again: replayed; its forms under
another id: all duplicates), a strict batch rolled back, a single form, and once the campaign is
closed; the rates made from them are exactly those made from the forms. On SQLite and PostgreSQL."""
import functools
import random

import pytest
from sqlalchemy.orm import sessionmaker

from shared.db import UnitOfWork
from shared.errors import LianbaoError

from services.survey import handlers, models
from tests.service.survey.conftest import SUBJECTS

pytestmark = pytest.mark.timeout(120)

GROUPS = ["parents", "case_parties", "officers"]


@pytest.fixture
def sm(engine_of):
    engine = engine_of("survey")
    models.Base.metadata.create_all(engine)
    sm = sessionmaker(engine, expire_on_commit=False)
    run(sm, handlers.create_campaign, {"campaign_id": "c1", "period": "2026H1", "owner": "k",
                                       "subjects": SUBJECTS, "groups": GROUPS, "questionnaire": None})
    return sm


def run(sm, handler, data):
    with UnitOfWork(sm, models.Base) as uow:
        out = handler(uow, data)
        uow.commit()
    return out


def intake(sm, batch_id, forms, strict=False):
    return run(sm, functools.partial(handlers.submit_batch, caller="system:k"),
               {"campaign_id": "c1", "batch_id": batch_id, "forms": forms, "strict": strict,
                "dry_run": False})


def forms(rng, serials):
    return [{"serial": s, "subject": rng.choice(SUBJECTS)["id"], "group": rng.choice(GROUPS),
             "answers": "".join(rng.choice("SSSBBDN") for _ in range(35))} for s in serials]


def both_ways(sm, monkeypatch):
    """(tallied, recounted) of c1, each as {(subject, group, dimension): counts} and forms per
    subject, and the rates made each way."""
    def norm(cells_received):
        cells, received = cells_received
        return ({(c.subject, c.group, c.dimension): (c.satisfied, c.basic, c.dissatisfied)
                 for c in cells}, dict(received))

    with UnitOfWork(sm, models.Base) as uow:
        row = handlers._campaign(uow, "c1")
        tallied, recounted = norm(handlers.tallied(uow, row)), norm(handlers.recounted(uow, row))
        rates = handlers._rates(uow, row)
        monkeypatch.setattr(handlers, "EXPORT_CACHE", False)     # the old way: from every form
        old_rates = handlers._rates(uow, row)
        monkeypatch.setattr(handlers, "EXPORT_CACHE", True)
    return tallied, recounted, rates, old_rates


def assert_tallies_match(sm, monkeypatch, forms_expected):
    tallied, recounted, rates, old_rates = both_ways(sm, monkeypatch)
    assert tallied == recounted
    assert sum(recounted[1].values()) == forms_expected
    assert rates == old_rates
    assert rates["totals"]["forms"] == forms_expected


def test_tallies_equal_a_recount_through_duplicates_replays_and_close(sm, monkeypatch):
    rng = random.Random(19)
    assert_tallies_match(sm, monkeypatch, 0)
    b1 = forms(rng, [f"F{i}" for i in range(300)])
    assert intake(sm, "b1", b1)["accepted"] == 300
    assert_tallies_match(sm, monkeypatch, 300)
    b2 = b1[:50] + forms(rng, [f"G{i}" for i in range(200)])      # 50 serials already received
    out = intake(sm, "b2", b2)
    assert (out["accepted"], out["duplicates"]) == (200, 50)
    assert_tallies_match(sm, monkeypatch, 500)
    assert intake(sm, "b1", b1)["replayed"] is True                # delivered twice: replayed
    again = intake(sm, "b1-again", b1)                             # its forms again: duplicates
    assert (again["accepted"], again["duplicates"]) == (0, 300)
    assert_tallies_match(sm, monkeypatch, 500)
    strict = intake(sm, "b3", forms(rng, ["H1", "H2"]) + b1[:1], strict=True)
    assert (strict["accepted"], strict["committed"]) == (0, False)  # rolled back, tallies too
    assert_tallies_match(sm, monkeypatch, 500)
    one = forms(rng, ["S1"])[0]
    run(sm, handlers.submit_form, {"campaign_id": "c1", "form": one})
    assert_tallies_match(sm, monkeypatch, 501)
    closed = run(sm, handlers.close_campaign, {"campaign_id": "c1"})
    assert closed["final"] is True and closed["totals"]["forms"] == 501
    with pytest.raises(LianbaoError):                              # closed: nothing more counted
        intake(sm, "b4", forms(rng, ["K1"]))
    assert_tallies_match(sm, monkeypatch, 501)
    _, _, rates, old_rates = both_ways(sm, monkeypatch)
    assert rates["final"] is True and rates == old_rates


def test_parts_written_as_columns_and_parts_of_rows_still_read(sm, monkeypatch):
    """A part is written as columns (the counts one base64 integer array); a part written before as
    a JSON list of rows (``[[subject, grp, counts…]]``) is still read: together they equal a recount."""
    import base64

    import numpy as np

    rng = random.Random(24)
    intake(sm, "b1", forms(rng, [f"F{i}" for i in range(300)]))
    intake(sm, "b2", forms(rng, [f"G{i}" for i in range(200)]))
    with UnitOfWork(sm, models.Base) as uow:
        parts = uow.session.query(models.CampaignTallyPartRow).order_by(models.CampaignTallyPartRow.id).all()
        assert len(parts) == 2
        for part in parts:
            assert set(part.counts) == {"subjects", "grps", "dtype", "counts"}
        assert parts[0].counts["dtype"] == "|u1"            # 300 forms over 12 keys: counts below 256
        first = parts[0].counts
        width = 1 + 3 * len(parts[0].dimensions)
        rows = np.frombuffer(base64.b64decode(first["counts"]), dtype="|u1").reshape(-1, width).tolist()
        assert sum(r[0] for r in rows) == 300
        parts[0].counts = [[s, g, *r] for s, g, r in zip(first["subjects"], first["grps"], rows)]
        uow.commit()
    assert_tallies_match(sm, monkeypatch, 500)


def test_packed_counts_take_the_narrowest_type_and_read_back_the_same():
    import numpy as np

    keys = [("o1", "parents"), ("s1", "officers")]
    for top, dtype in ((255, "|u1"), (256, "<i2"), (-1, "<i2"), (2 ** 15, "<i4"), (2 ** 31, "<i8"),
                       (-2 ** 40, "<i8")):
        sums = np.array([[1, 2, 3, 4], [top, 0, 0, 7]], dtype=np.int64)
        part = handlers._packed_counts(keys, sums)
        assert part["dtype"] == dtype
        got_keys, got = handlers._unpacked_counts(part, 4)
        assert got_keys == keys and got.dtype == np.int64 and got.tolist() == sums.tolist()
    empty = handlers._packed_counts([], np.zeros((0, 4), dtype=np.int64))
    assert handlers._unpacked_counts(empty, 4)[1].shape == (0, 4)
    with pytest.raises(ValueError):
        handlers._unpacked_counts({**empty, "dtype": "<f8"}, 4)
