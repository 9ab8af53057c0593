"""``lianbao calendar load FILE`` reads JSON or YAML (YAML dates become ISO text)."""
import pytest

from lianbao.commands.calendar import read_file
from services.scoring.domain.workdays import parse_year

pytestmark = pytest.mark.timeout(30)


def test_yaml_file_with_dates_and_ranges(tmp_path):
    f = tmp_path / "2027.yml"
    f.write_text("year: 2027\nholidays:\n  - {date: 2027-01-01, name: 元旦}\n"
                 "  - {from: 2027-02-06, to: 2027-02-12, name: 春节}\nworkdays:\n"
                 "  - {date: 2027-02-13, name: 春节}\n", encoding="utf-8")
    doc = read_file(str(f))
    assert doc["holidays"][0] == {"date": "2027-01-01", "name": "元旦"}
    year = parse_year(doc)
    assert len(year.holidays) == 8 and len(year.workdays) == 1


def test_json_file(tmp_path):
    f = tmp_path / "2027.json"
    f.write_text('{"year": 2027, "holidays": [{"date": "2027-01-01"}]}', encoding="utf-8")
    assert parse_year(read_file(str(f))).year == 2027
