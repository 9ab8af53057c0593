"""External tools a test needs (promtool, docker-compose, prometheus): outside CI a missing tool
skips the test that needs it; in CI (``CI=true``, where ``.ci/run`` installs every one of them) it
fails, so a check never passes there by not running."""
import os
import shutil

import pytest


def required_tool(name: str, install: str, fallback: str | None = None) -> str:
    """The path of ``name`` (or of ``fallback`` when that file exists); else skip, or fail in CI.
    ``install`` says how to get it (in both messages)."""
    path = shutil.which(name) or (fallback if fallback and os.path.exists(fallback) else None)
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is not installed ({install}; .ci/run installs it in CI)")
    pytest.skip(f"{name} is not installed ({install}; outside CI only: in CI this fails)")
