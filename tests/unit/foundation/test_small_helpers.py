"""The one helper each for the small things the services used to write again (issue 17 item 4):
canonical JSON, pausing the garbage collector, whole years, the months of a rating period."""
import gc
import json
from datetime import date

import pytest

from shared.canonical import canonical_bytes, canonical_json
from shared.contracts.rating import period_months
from shared.dates import add_years
from shared.gc_pause import gc_paused, without_gc


def test_canonical_json_is_the_text_the_hashes_were_made_of():
    value = {"b": [1, 2.5, None], "a": "工作日志 ✓", "c": {"z": True, "y": date(2026, 3, 1)}}
    before = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    assert canonical_json(value, default=str) == before
    assert canonical_bytes(value, default=str) == before.encode("utf-8")
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'


def test_canonical_json_refuses_what_it_cannot_write_without_a_default():
    with pytest.raises(TypeError):
        canonical_json({"d": date(2026, 1, 1)})


def test_the_collector_is_paused_inside_and_restored_after_even_on_an_error():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()          # the inner block does not re-enable it early
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError):
        with gc_paused():
            1 / 0
    assert gc.isenabled()
    assert without_gc(lambda: gc.isenabled()) is False
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_add_years_keeps_the_day_and_29_february_becomes_28_february():
    assert add_years(date(2026, 3, 15), 3) == date(2029, 3, 15)
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2026, 1, 1), -1) == date(2025, 1, 1)


def test_the_months_of_a_period_in_calendar_order():
    assert period_months("2026") == tuple(f"2026-{m:02d}" for m in range(1, 13))
    assert period_months("2026H1") == ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06")


def test_the_startup_heap_is_frozen_out_of_the_collectors_reach():
    """``lianbao up`` freezes what is alive once its services have started (issue 24 item 4): a
    full collection no longer walks it; garbage made afterwards is still collected."""
    import gc

    from shared.runner import freeze_startup_heap

    try:
        before = gc.get_freeze_count()
        kept = [[] for _ in range(1000)]
        assert freeze_startup_heap() >= before + 1000
        cycle = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1                   # the cycle made after the freeze is still collected
        del kept
    finally:
        gc.unfreeze()
