"""Which JSON operations of the gateway no gateway test sees answer (issue 21 item 3): the autouse
answer checker (``conftest.answers_as_documented``) validates every 2xx JSON answer a test receives,
so an operation no test calls successfully is never checked. Run the tests with the file to fill,
then list what is missing::

    LIANBAO_ANSWERS_SEEN=/tmp/seen.txt pytest tests/service/gateway
    python -m tests.service.gateway.answers_seen /tmp/seen.txt
"""
from __future__ import annotations

import sys


def json_operations(document: dict) -> set[str]:
    """``METHOD /path`` of every operation whose 200 answer is JSON (the gateway's own
    /openapi.json and /auth entries left out, as the checker leaves them out)."""
    out = set()
    for path, operations in document["paths"].items():
        if path.startswith(("/openapi.json", "/auth")):
            continue
        for method, op in operations.items():
            if "application/json" in op["responses"].get("200", {}).get("content", {}):
                out.add(f"{method.upper()} {path}")
    return out


def unseen(document: dict, seen_lines) -> list[str]:
    seen = {line.strip() for line in seen_lines if line.strip()}
    return sorted(json_operations(document) - seen)


def main(argv) -> int:
    import json

    from services.gateway.openapi import build_document
    from services.gateway.routes import ROUTES

    document = json.loads(json.dumps(build_document(ROUTES)))
    with open(argv[0], encoding="utf-8") as f:
        missing = unseen(document, f)
    print(f"{len(json_operations(document))} JSON operations, {len(missing)} never answered in the tests run:")
    print("\n".join(missing))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
