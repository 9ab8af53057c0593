"""A gateway and the survey service in one process (embedded, SQLite), for the gateway benches.

``python bench/gateway_server.py FOLDER PORT TOKENS [FORMS]``: starts them, creates campaign ``c1``
(owner ``cnty``) with FORMS forms (default 0), prints ``READY`` and runs until killed.
"""
import eventlet

eventlet.monkey_patch()

import sys  # noqa: E402
import warnings  # noqa: E402

warnings.filterwarnings("ignore")


def main():
    from shared.config import embedded_config
    from shared.runner import run_forever, Suite  # noqa: F401

    folder, port, tokens = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    forms = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    config = embedded_config(folder, WEB_SERVER_ADDRESS=f"127.0.0.1:{port}", GATEWAY_TOKENS=tokens,
                             GATEWAY_RPC_TIMEOUT=300, RPC_TIMEOUT=300, max_workers=40)
    suite = Suite(config, names=["gateway", "survey", "roster"])
    suite.__enter__()
    import os
    if os.environ.get("LIANBAO_BENCH_LAG"):   # where the hub is held (bench/lagprobe.py)
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import lagprobe
        lagprobe.start(os.environ["LIANBAO_BENCH_LAG"])
    subjects = [{"id": f"o{i}", "kind": "officer", "name": f"干警{i}"} for i in range(500)]
    subjects += [{"id": "=HYPERLINK(\"x\")", "kind": "officer", "name": "=HYPERLINK(\"http://x\",\"y\")"}]
    with suite.rpc(timeout=300) as rpc:
        rpc.survey.create_campaign({"campaign_id": "c1", "period": "2026H1", "owner": "cnty",
                                    "subjects": [s for s in subjects if s["id"].startswith("o")]})
        step = 20000
        for start in range(0, forms, step):
            batch = [{"serial": f"f{i}", "subject": f"o{i % 500}", "group": "parents",
                      "answers": "SSBSD" * 7} for i in range(start, min(forms, start + step))]
            rpc.survey.submit_batch({"campaign_id": "c1", "batch_id": f"b{start}", "forms": batch})
    print("READY", flush=True)
    while True:
        eventlet.sleep(3600)


if __name__ == "__main__":
    main()
