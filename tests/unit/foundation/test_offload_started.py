"""``shared.offload.started``: work started now in a native thread, its result (or its error) when
waited for; inline when offloading is off."""
import threading

import pytest

from shared import offload


def test_the_work_runs_in_another_thread_while_the_caller_goes_on(monkeypatch):
    monkeypatch.delenv("LIANBAO_OFFLOAD", raising=False)
    release, ran_in = threading.Event(), []

    def work():
        ran_in.append(threading.get_ident())
        assert release.wait(5)          # held until the caller has gone on
        return {"o1": {"2026-01": 88.5}}

    wait = offload.started(work)
    release.set()                       # the caller goes on before waiting
    assert wait() == {"o1": {"2026-01": 88.5}}
    assert ran_in and ran_in[0] != threading.get_ident()


def test_its_error_is_raised_by_wait(monkeypatch):
    monkeypatch.delenv("LIANBAO_OFFLOAD", raising=False)

    def work():
        raise LookupError("no such snapshot")

    wait = offload.started(work)
    with pytest.raises(LookupError, match="no such snapshot"):
        wait()


def test_offloading_off_runs_it_when_waited_for(monkeypatch):
    monkeypatch.setenv("LIANBAO_OFFLOAD", "0")
    ran_in = []
    wait = offload.started(lambda: ran_in.append(threading.get_ident()) or 7)
    assert ran_in == []
    assert wait() == 7 and ran_in == [threading.get_ident()]
