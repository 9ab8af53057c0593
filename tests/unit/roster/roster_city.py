"""A small city for the roster's unit tests (pure domain, no broker, no database)."""
from __future__ import annotations

from datetime import date

from services.roster.domain.model import Staff, Unit


def build_units() -> dict[str, Unit]:
    units = [
        Unit("city", "市委政法委", "committee"),
        Unit("city_office", "市委政法委政治部", "section", parent="city"),
        Unit("cnty", "津市市委政法委", "committee", parent="city"),
        Unit("cnty_office", "津市市委政法委办公室", "section", parent="cnty"),
        Unit("c_ps", "津市市公安局", "agency", parent="cnty", agency_type="public_security"),
        Unit("c_ps_s1", "刑侦大队", "section", parent="c_ps"),
        Unit("c_ps_s2", "治安大队", "section", parent="c_ps"),
        Unit("c_proc", "津市市检察院", "agency", parent="cnty", agency_type="procuratorate"),
        Unit("c_court", "津市市法院", "agency", parent="cnty", agency_type="court"),
        Unit("c_just", "津市市司法局", "agency", parent="cnty", agency_type="justice_bureau"),
        Unit("m_ps", "常德市公安局", "agency", parent="city", agency_type="public_security",
             rank="division"),
        Unit("m_ps_s1", "市局法制支队", "section", parent="m_ps"),
        Unit("m_just", "常德市司法局", "agency", parent="city", agency_type="justice_bureau",
             rank="division"),
        Unit("m_dd", "常德市劳教所", "agency", parent="city", agency_type="other",
             rank="deputy_division", supervising_unit="m_just"),
        Unit("m_dd_s1", "劳教所管教科", "section", parent="m_dd"),
        Unit("m_small", "市直未定级单位", "agency", parent="city", agency_type="other"),
    ]
    return {u.id: u for u in units}


def person(pid, unit, position, joined=date(2015, 3, 1), titles=(), supervises=()):
    return Staff(id=pid, name=f"name-{pid}", unit=unit, position=position, joined=joined,
                 titles=frozenset(titles), supervises=tuple(supervises))

