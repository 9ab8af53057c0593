"""A deterministic sample city shaped like the Method's (常德): a city committee, nine county
committees with their public-security bureau, procuratorate, court and justice bureau, about
fifteen city-level units, sections, staff with a full mentoring chain (M§四1-3).

Pure data: ``build_city(staff=10_000, seed=7)`` returns units and staff as the roster's payloads
(``shared.contracts.roster``) plus the mentoring pairs to assign.  Same arguments, same city.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

COUNTIES = ("武陵区", "鼎城区", "津市市", "澧县", "临澧县", "石门县", "桃源县", "汉寿县", "安乡县")
COUNTY_AGENCIES = (("ps", "公安局", "public_security", "public_security_chief"),
                   ("pr", "检察院", "procuratorate", "chief_procurator"),
                   ("ct", "法院", "court", "court_president"),
                   ("jb", "司法局", "justice_bureau", None))
# id, name, agency type, rank, supervising (归口) unit id for deputy-division units, head's title
CITY_UNITS = (
    ("cps", "市公安局", "public_security", "division", None, "public_security_chief"),
    ("cpr", "市人民检察院", "procuratorate", "division", None, "chief_procurator"),
    ("cct", "市中级人民法院", "court", "division", None, "court_president"),
    ("cjb", "市司法局", "justice_bureau", "division", None, None),
    ("cpr2", "常德监狱", "justice_bureau", "division", None, None),
    ("ctr", "市公安局交警支队", "public_security", "deputy_division", "cps", None),
    ("cdz", "市公安局经开区分局", "public_security", "deputy_division", "cps", None),
    ("cfr", "市公安局森林分局", "public_security", "deputy_division", "cps", None),
    ("ckss", "市看守所", "public_security", "deputy_division", "cps", None),
    ("cjds", "市强制隔离戒毒所", "justice_bureau", "deputy_division", "cjb", None),
    ("cfy", "市法律援助中心", "justice_bureau", "deputy_division", "cjb", None),
    ("cgz", "市公证处", "justice_bureau", "deputy_division", "cjb", None),
    ("czc", "市仲裁委员会办公室", "other", "deputy_division", "cjb", None),
    ("cjc", "市检察院派驻检察室", "procuratorate", "deputy_division", "cpr", None),
    ("cft", "市中院执行局", "court", "deputy_division", "cct", None),
)
SECTION_NAMES = ("办公室", "政工科", "纪检监察室", "法制科", "刑侦大队", "治安大队", "派出所", "执行庭",
                 "民事审判庭", "刑事审判庭", "公诉科", "侦查监督科", "社区矫正科", "法律服务股", "警务保障室",
                 "案件管理中心")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红春梅海燕玉兰文斌辉鹏飞宇浩然思远子涵雨欣"


@dataclass
class City:
    units: list = field(default_factory=list)      # roster UnitIn payloads, parents first
    staff: list = field(default_factory=list)      # roster StaffIn payloads
    pairs: list = field(default_factory=list)      # (mentor, mentee)
    agencies: list = field(default_factory=list)   # rated agencies: {"id", "group", "name"}
    committees: list = field(default_factory=list)
    sections: list = field(default_factory=list)   # {"id", "agency"}
    agency_of: dict = field(default_factory=dict)  # person or section -> agency id

    def by_position(self, position: str) -> list:
        return [s for s in self.staff if s["position"] == position]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _joined(rng: random.Random, year: int) -> str:
    # most joined long ago; about 3% joined during the rating year (not rated: less than a year)
    if rng.random() < 0.03:
        return date(year, rng.randint(2, 11), rng.randint(1, 28)).isoformat()
    return date(rng.randint(1990, year - 2), rng.randint(1, 12), rng.randint(1, 28)).isoformat()


def build_city(staff: int = 10_000, seed: int = 7, year: int = 2026) -> City:
    """The city, scaled so that the staff count is close to ``staff`` (at least a few hundred)."""
    rng = random.Random(seed)
    city = City()
    city.units.append({"id": "city", "name": "常德市委政法委", "kind": "committee"})
    city.committees.append("city")
    agencies = []  # (id, name, type, parent, rank, supervising, head title, is_county_committee)
    small = staff < 3000  # a small city for tests: three counties and five city-level units
    counties = COUNTIES[:3] if small else COUNTIES
    city_units = CITY_UNITS[:4] + CITY_UNITS[5:6] if small else CITY_UNITS
    for i, county in enumerate(counties, 1):
        cid = f"k{i}"
        city.units.append({"id": cid, "name": f"{county}委政法委", "kind": "committee", "parent": "city"})
        city.committees.append(cid)
        city.agencies.append({"id": cid, "group": "county", "name": f"{county}委政法委"})
        for code, name, atype, title in COUNTY_AGENCIES:
            agencies.append((f"{cid}{code}", f"{county}{name}", atype, cid, None, None, title))
    for uid, name, atype, rank, sup, title in city_units:
        agencies.append((uid, name, atype, "city", rank, sup, title))
        city.agencies.append({"id": uid, "group": "city_unit", "name": name})
    for aid, name, atype, parent, rank, sup, _title in agencies:
        unit = {"id": aid, "name": name, "kind": "agency", "parent": parent, "agency_type": atype}
        if rank:
            unit["rank"] = rank
        if sup:
            unit["supervising_unit"] = sup
        city.units.append(unit)

    per_agency = max(12, staff // len(agencies))
    seq = 0

    def person(unit, position, agency, titles=(), supervises=()):
        nonlocal seq
        seq += 1
        pid = f"p{seq:06d}"
        name, joined = _name(rng), _joined(rng, year)
        if position != "officer" and joined >= f"{year}-01-01":
            # a head, leader or chief (who mentors and, for a leader, supervises sections) is not
            # a newcomer of the year: the same draw, three years earlier
            joined = f"{year - 3}{joined[4:]}"
        city.staff.append({"id": pid, "name": name, "unit": unit, "position": position,
                           "joined": joined, "titles": list(titles), "supervises": list(supervises)})
        city.agency_of[pid] = agency
        return pid

    # each committee has a small staff of its own (secretary = head)
    for cid in city.committees:
        head = person(cid, "head", cid, ["committee_secretary"] if cid != "city" else [])
        for _ in range(3):
            city.pairs.append((head, person(cid, "leader", cid)))

    for aid, _name_, _atype, _parent, _rank, _sup, title in agencies:
        n_sections = max(2, min(len(SECTION_NAMES), round(per_agency / 22)))
        sections = []
        for j in range(n_sections):
            sid = f"{aid}s{j + 1:02d}"
            city.units.append({"id": sid, "name": SECTION_NAMES[j % len(SECTION_NAMES)], "kind": "section",
                               "parent": aid})
            city.sections.append({"id": sid, "agency": aid})
            city.agency_of[sid] = aid
            sections.append(sid)
        n_leaders = max(1, min(5, n_sections // 2 + 1))
        groups = [sections[k::n_leaders] for k in range(n_leaders)]
        head = person(aid, "head", aid, [title] if title else [])
        leaders = []
        for k in range(n_leaders):
            leader = person(aid, "leader", aid, supervises=groups[k])
            leaders.append(leader)
            city.pairs.append((head, leader))
        remaining = per_agency - 1 - n_leaders
        per_section = max(3, remaining // n_sections)
        for k, group in enumerate(groups):
            for sid in group:
                n_chiefs = 2 if per_section >= 16 else 1
                chiefs = [person(sid, "chief", aid) for _ in range(n_chiefs)]
                for chief in chiefs:
                    city.pairs.append((leaders[k], chief))
                for m in range(per_section - n_chiefs):
                    officer = person(sid, "officer", aid)
                    city.pairs.append((chiefs[m % n_chiefs], officer))
    return city
