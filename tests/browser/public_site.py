"""The suite and its gateway in a process of their own, for the browser tests of the public pages.

Playwright's sync API blocks the eventlet hub of the process it runs in, so the pages it drives
cannot be served from that process: ``python -m tests.browser.public_site PORT TOKENS FOLDER``
starts the five services and the gateway (embedded), loads the public pages' city
(:mod:`tests.service.gateway.public_city`), prints ``READY``, then answers commands read from
stdin, one JSON line each: ``["rpc", service, method, payload]`` -> ``OK <json>`` or
``ERR <message>``; ``["account", login, person, password]`` adds a sign-in account of the gateway
(the console's tests); ``["event", service, type, payload]`` publishes an event as that service
(roster's staff events reach the survey's read model); ``["today", "YYYY-MM-DD"]`` moves the
scoring service's today and the console's clock to that day (a notice's working days pass: the
month's walk files it).  ``AUDITORS`` is ``aud``.  End of input stops the suite.
"""
import warnings

warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()

import json  # noqa: E402
import sys  # noqa: E402

from eventlet import tpool  # noqa: E402

from shared.config import embedded_config  # noqa: E402
from shared.runner import Suite, reset_memory_broker  # noqa: E402


def main(port: str, tokens: str, folder: str) -> None:
    from tests.service.gateway import city, public_city
    from tests.service.gateway.conftest import sign_in_kit as _signin_kit

    reset_memory_broker()
    suite = Suite(embedded_config(folder, WEB_SERVER_ADDRESS=f"127.0.0.1:{port}", GATEWAY_TOKENS=tokens,
                                  GATEWAY_PUBLIC_SECRET="browser-test-secret-0123456789",
                                  GATEWAY_FORM_MIN_SECONDS=1, OUTBOX_POLL_SECONDS=0.2, AUDITORS="aud"),
                  classes=city.classes()).start()
    try:
        public_city.load(suite)
        print("READY", flush=True)
        while True:
            line = tpool.execute(sys.stdin.readline)
            if not line:
                break
            try:
                command = json.loads(line)
                if command[0] == "event":           # a roster event, as the roster would publish it
                    _, source, event_type, payload = command
                    suite.dispatch(source, event_type, payload)
                    suite.wait_quiet(timeout=60)     # handled by every service that listens
                    answer = None
                elif command[0] == "today":           # days pass for scoring and the console
                    from datetime import date

                    from services.gateway.signin import clock_from
                    from services.scoring import repository

                    _, day = command
                    repository.today = lambda: date.fromisoformat(day)
                    _signin_kit(suite).clock = clock_from(day)
                    answer = day
                elif command[0] == "account":
                    _, login, person, password = command
                    answer = _signin_kit(suite).store.add(login, person, password)
                else:
                    _, service, method, payload = command
                    with suite.rpc() as rpc:
                        answer = getattr(getattr(rpc, service), method)(payload)
                print("OK " + json.dumps(answer, ensure_ascii=False, default=str), flush=True)
            except Exception as err:            # reported to the test, which fails on it
                print(f"ERR {type(err).__name__}: {err}".replace("\n", " "), flush=True)
    finally:
        suite.stop()


if __name__ == "__main__":
    main(*sys.argv[1:4])
