"""The generated pages of docs/reference/ are what the code gives now (`lianbao docs build`)."""
import difflib

import pytest

from lianbao import docgen

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("name", sorted(docgen.PAGES))
def test_the_committed_page_is_what_the_code_gives(name):
    path = docgen.ROOT / docgen.REFERENCE / name
    assert path.is_file(), f"{path} is missing: run `lianbao docs build` (or `make docs`)"
    committed = path.read_text(encoding="utf-8")
    generated = docgen.PAGES[name]()
    if committed != generated:
        diff = "".join(list(difflib.unified_diff(committed.splitlines(True), generated.splitlines(True),
                                                 "committed", "generated"))[:40])
        pytest.fail(f"docs/reference/{name} is out of date: run `lianbao docs build`\n{diff}")


def test_a_changed_schema_changes_its_page(monkeypatch):
    """The pages really come from the schemas: a field added to the snapshot shows up."""
    from marshmallow import fields

    from shared.contracts import rating

    before = docgen.snapshot_page()
    monkeypatch.setitem(rating.OfficerSchema._declared_fields, "rank_title", fields.String(required=True))
    after = docgen.snapshot_page()
    assert "`rank_title`" not in before and "| `rank_title` | text | required |" in after


def test_every_configuration_key_is_documented_with_its_variable():
    page = docgen.configuration_page()
    text = (docgen.ROOT / "shared" / "config.yml").read_text(encoding="utf-8")
    import re

    keys = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert len(re.findall(r"\$\{([A-Z0-9_]+):", keys)) >= 25
    for var in re.findall(r"\$\{([A-Z0-9_]+):", keys):
        assert f"`{var}`" in page, var


def test_every_route_of_the_gateway_has_a_section():
    from services.gateway.routes import ROUTES

    page = docgen.http_page()
    for route in ROUTES:
        assert f"## `{route.method} {route.path}`" in page, route.path


def test_the_check_command_reports_a_stale_page(tmp_path, capsys):
    for path, text in docgen.build().items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    assert docgen.stale(tmp_path) == []
    (tmp_path / docgen.REFERENCE / "packs.md").write_text("edited by hand\n", encoding="utf-8")
    assert docgen.stale(tmp_path) == [docgen.REFERENCE / "packs.md"]
