"""Criteria of the monthly evaluation (M§五(二)1(1), 1(2)): a versioned template per subject kind.

Officers are scored on five dimensions (政治坚定, 廉洁自律, 工作绩效, 执法办事公正, 勤政爱民), sections on
five (团结协作, 整体素质, 严格管理, 公正执法和工作绩效, 群众满意); default 20 points each (SPEC §3.1), each
dimension made of items with their own maximum.  The items below are the city's default split; the
Method names only the dimensions.

Seam for the plug-in interface (DESIGN §3): an agency's extra criteria come from a registered rule
pack, a plain document ``{"agency", "version", "items": [...], "maxima": {...}}`` applied by
:func:`extend_template`; the result must still be a 100-point template (:func:`check_template`).

Deductions (M§五(二)1(1)②, 1(2)②: 各项考评指标不重复扣分, 不扣负分, 扣完该项总分为止) are facts with ids:
:func:`assign_deductions` puts each fact on one item only, :func:`item_scores` floors items at 0.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from shared.errors import RuleViolation, ValidationFailed

OFFICER, SECTION = "officer", "section"
KINDS = (OFFICER, SECTION)
TOTAL_POINTS = Decimal(100)
CITY_VERSION = 1


@dataclass(frozen=True)
class Item:
    id: str
    label: str
    max: Decimal


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    items: tuple

    @property
    def max(self) -> Decimal:
        return sum((i.max for i in self.items), Decimal(0))


@dataclass(frozen=True)
class Template:
    kind: str
    version: str
    dimensions: tuple
    sources: tuple = field(default=("city",))

    def items(self):
        for d in self.dimensions:
            yield from d.items

    def item_ids(self) -> list:
        return [i.id for i in self.items()]

    def item(self, item_id: str) -> Item | None:
        for i in self.items():
            if i.id == item_id:
                return i
        return None

    @property
    def total(self) -> Decimal:
        return sum((d.max for d in self.dimensions), Decimal(0))

    def to_dict(self) -> dict:
        return {"kind": self.kind, "version": self.version, "total": float(self.total),
                "sources": list(self.sources),
                "dimensions": [{"id": d.id, "label": d.label, "max": float(d.max),
                                "items": [{"id": i.id, "label": i.label, "max": float(i.max)}
                                          for i in d.items]} for d in self.dimensions]}


def _dim(did, label, *items):
    return Dimension(did, label, tuple(Item(i, lab, Decimal(m)) for i, lab, m in items))


OFFICER_TEMPLATE = Template(OFFICER, f"city-{CITY_VERSION}", (
    _dim("political", "政治坚定", ("political.study", "政治理论学习", 8),
         ("political.discipline", "遵守政治纪律", 12)),
    _dim("integrity", "廉洁自律", ("integrity.bans", "严守禁令", 10),
         ("integrity.clean", "廉洁从政", 10)),
    _dim("performance", "工作绩效", ("performance.targets", "岗位目标完成", 12),
         ("performance.daily_log", "逐日小结自评", 8)),
    _dim("fairness", "执法办事公正", ("fairness.enforcement", "执法规范", 12),
         ("fairness.openness", "办事公开公正", 8)),
    _dim("diligence", "勤政爱民", ("diligence.conduct", "工作作风", 10),
         ("diligence.public", "群众评价", 10)),
))

SECTION_TEMPLATE = Template(SECTION, f"city-{CITY_VERSION}", (
    _dim("cooperation", "团结协作", ("cooperation.team", "班子团结", 10),
         ("cooperation.joint", "协作配合", 10)),
    _dim("quality", "整体素质", ("quality.training", "学习培训", 10),
         ("quality.staff", "队伍素质", 10)),
    _dim("management", "严格管理", ("management.rules", "制度执行", 10),
         ("management.mentoring", "联带管理", 10)),
    _dim("enforcement", "公正执法和工作绩效", ("enforcement.quality", "执法质量", 10),
         ("enforcement.targets", "目标任务", 10)),
    _dim("satisfaction", "群众满意", ("satisfaction.review", "群众评议", 10),
         ("satisfaction.complaints", "投诉处理", 10)),
))


def city_template(kind: str) -> Template:
    """The city's default template of a subject kind, M§五(二)1(1) sections, 1(2) officers:
    five dimensions of 20 points each (SPEC §3.1 default)."""
    if kind == OFFICER:
        return OFFICER_TEMPLATE
    if kind == SECTION:
        return SECTION_TEMPLATE
    raise ValidationFailed(f"unknown subject kind {kind!r}", "kind")


def check_template(template: Template) -> None:
    """A template is a 100-point scale (M§五(二)2 实行百分制考核) of items with positive maxima and
    unique ids; a rule pack that breaks this is refused (RuleViolation)."""
    ids = template.item_ids()
    if len(ids) != len(set(ids)):
        raise RuleViolation("item ids must be unique", "items")
    for i in template.items():
        if i.max <= 0:
            raise RuleViolation(f"item {i.id} needs a positive maximum", f"items.{i.id}")
    if template.total != TOTAL_POINTS:
        raise RuleViolation(f"the template totals {template.total}, not 100 points", "items")


def extend_template(template: Template, pack: dict | None) -> Template:
    """The plug-in seam (DESIGN §3, 对接): an agency's registered rule pack adds criteria items to
    a dimension (``items``: ``[{"dimension", "id", "label", "max"}]``) and may change existing
    maxima (``maxima``: ``{item_id: points}``) so that the scale stays 100 points."""
    if not pack:
        return template
    maxima = {k: Decimal(str(v)) for k, v in (pack.get("maxima") or {}).items()}
    known = set(template.item_ids())
    for item_id in maxima:
        if item_id not in known:
            raise RuleViolation(f"no item {item_id} to change", f"maxima.{item_id}")
    extra: dict = {}
    dims = {d.id for d in template.dimensions}
    for n, it in enumerate(pack.get("items") or []):
        if it.get("dimension") not in dims:
            raise RuleViolation(f"no dimension {it.get('dimension')!r}", f"items[{n}].dimension")
        extra.setdefault(it["dimension"], []).append(
            Item(str(it["id"]), str(it.get("label") or it["id"]), Decimal(str(it["max"]))))
    out = []
    for d in template.dimensions:
        items = tuple(replace(i, max=maxima.get(i.id, i.max)) for i in d.items)
        out.append(replace(d, items=items + tuple(extra.get(d.id, ()))))
    source = f"pack:{pack.get('agency')}:{pack.get('version')}"
    result = Template(template.kind, f"{template.version}+{pack.get('agency')}.{pack.get('version')}",
                      tuple(out), template.sources + (source,))
    check_template(result)
    return result


@dataclass(frozen=True)
class Deduction:
    """A fact that costs points: it has an id, the items it matches, and the points."""
    id: str
    items: tuple
    points: Decimal
    note: str = ""


def given_scores(template: Template, given: dict | None, prefix: str = "item_scores") -> dict:
    """The scores given per item (自评/审核), each within 0..the item's maximum (百分制 items);
    an item not given gets its maximum.  Out of range or unknown items: ValidationFailed naming
    the item."""
    given = dict(given or {})
    out = {}
    for item in template.items():
        if item.id in given:
            v = Decimal(str(given.pop(item.id)))
            if not v.is_finite() or v < 0 or v > item.max:
                raise ValidationFailed(f"must be between 0 and {item.max}", f"{prefix}.{item.id}")
            out[item.id] = v
        else:
            out[item.id] = item.max
    for unknown in given:
        raise ValidationFailed("not an item of the template", f"{prefix}.{unknown}")
    return out


def assign_deductions(template: Template, deductions, prefix: str = "deductions") -> dict:
    """One fact is never deducted twice (不重复扣分): each fact, by id, is charged to exactly one
    item, the first of the items it matches in template order; a fact id given twice counts once.
    Returns ``{item_id: [Deduction]}``."""
    if not deductions:
        return {}           # nothing to charge (most months): the template's order is not needed
    order = {iid: n for n, iid in enumerate(template.item_ids())}
    seen: set = set()
    out: dict = {}
    for n, d in enumerate(deductions or ()):
        if d.points <= 0:
            raise ValidationFailed("a deduction is a positive number of points", f"{prefix}[{n}].points")
        unknown = [i for i in d.items if i not in order]
        if unknown or not d.items:
            raise ValidationFailed(f"not an item of the template: {unknown or 'none given'}",
                                   f"{prefix}[{n}].items")
        if d.id in seen:
            continue
        seen.add(d.id)
        target = min(d.items, key=order.__getitem__)
        out.setdefault(target, []).append(d)
    return out


def item_scores(template: Template, given: dict | None, deductions=()) -> dict:
    """Item scores after deductions: an item never goes below zero (不扣负分, 扣完该项总分为止)."""
    scores = given_scores(template, given)
    for item_id, facts in assign_deductions(template, deductions).items():
        scores[item_id] = max(Decimal(0), scores[item_id] - sum(f.points for f in facts))
    return scores


def total_score(scores: dict) -> Decimal:
    """The month's score: the sum of the item scores on the 100-point scale (M§五(二)2)."""
    return sum(scores.values(), Decimal(0))
