"""tests/tools.required_tool: a missing tool skips outside CI and fails in CI (CI=true)."""
import os
import stat

import pytest

from tests.tools import required_tool


@pytest.fixture
def bare_path(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    return tmp_path


def test_a_missing_tool_skips_outside_ci(bare_path):
    with pytest.raises(pytest.skip.Exception, match="outside CI only"):
        required_tool("promtool", "apt-get install prometheus")


def test_a_missing_tool_fails_in_ci(bare_path, monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"promtool is not installed \(apt-get install prometheus"):
        required_tool("promtool", "apt-get install prometheus")


def test_a_tool_on_the_path_or_at_its_fallback_is_found(bare_path, monkeypatch):
    monkeypatch.setenv("CI", "true")
    tool = bare_path / "promtool"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    assert required_tool("promtool", "x") == str(tool)
    os.rename(tool, bare_path / "elsewhere")
    assert required_tool("promtool", "x", fallback=str(bare_path / "elsewhere")) == str(bare_path / "elsewhere")
