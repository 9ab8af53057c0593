"""Questionnaires: versioned lists of items, each item in one of the six dimensions.

Rules:
* the default questionnaire has 35 items over 德 能 勤 绩 廉 学 (001 §一2), items 1–6 德, 7–12 能,
  13–18 勤, 19–24 绩, 25–30 廉, 31–35 学 (SPEC §4 reading);
* questionnaires are versioned: a new definition under a key gets the next version, an old
  version is never changed;
* a campaign's questionnaire is frozen once forms arrive.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.errors import RuleViolation, ValidationFailed

from .vocabulary import DEFAULT_ITEM_COUNT, DIMENSIONS

DEFAULT_KEY = "default"
MAX_ITEMS = 200


@dataclass(frozen=True)
class Questionnaire:
    key: str
    version: int
    dimensions: tuple[str, ...]          # the dimension of item 1, item 2, ...
    texts: tuple[str, ...] = ()          # optional wording of each item (may be empty)

    @property
    def item_count(self) -> int:
        return len(self.dimensions)

    def to_dict(self) -> dict:
        return {
            "key": self.key, "version": self.version,
            "items": [{"number": i + 1, "dimension": d,
                       "text": self.texts[i] if i < len(self.texts) else ""}
                      for i, d in enumerate(self.dimensions)],
        }


def default_item_dimension(number: int) -> str:
    """Dimension of item ``number`` (1-based) of the default questionnaire.

    Source: SPEC §4 reading of 001 §一2: items 1–6 德, 7–12 能, 13–18 勤, 19–24 绩, 25–30 廉, 31–35 学.
    """
    if not 1 <= number <= DEFAULT_ITEM_COUNT:
        raise ValueError(f"item {number} is outside 1..{DEFAULT_ITEM_COUNT}")
    return DIMENSIONS[min((number - 1) // 6, len(DIMENSIONS) - 1)]


def default_questionnaire() -> Questionnaire:
    """The city's default: 35 items over the six dimensions (001 §一2 "细化为35项具体内容")."""
    dims = tuple(default_item_dimension(n) for n in range(1, DEFAULT_ITEM_COUNT + 1))
    return Questionnaire(DEFAULT_KEY, 1, dims)


def validate_items(items) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Check a questionnaire definition: 1..200 items, each in one of the six dimensions.

    Source: 001 §一2 (the six dimensions 德 能 勤 绩 廉 学).  Returns ``(dimensions, texts)``;
    raises :class:`ValidationFailed` naming ``items[i].dimension``.
    """
    if not isinstance(items, (list, tuple)) or not items:
        raise ValidationFailed("a questionnaire needs at least one item", "items")
    if len(items) > MAX_ITEMS:
        raise ValidationFailed(f"at most {MAX_ITEMS} items", "items")
    dims, texts = [], []
    for i, item in enumerate(items):
        dim = item.get("dimension") if isinstance(item, dict) else None
        if dim not in DIMENSIONS:
            raise ValidationFailed(f"must be one of {', '.join(DIMENSIONS)}", f"items[{i}].dimension")
        dims.append(dim)
        texts.append(str(item.get("text") or ""))
    return tuple(dims), tuple(texts)


def next_version(existing_versions) -> int:
    """Versioning rule: a new definition under a key gets the highest existing version + 1.

    Source: issue 7 ("Questionnaires are versioned"); versions start at 1.
    """
    versions = list(existing_versions)
    return (max(versions) if versions else 0) + 1


def ensure_questionnaire_can_change(forms_received: int) -> None:
    """A campaign's questionnaire is frozen once forms arrive (issue 7).

    Raises :class:`RuleViolation` on ``questionnaire`` when at least one form was received.
    """
    if forms_received > 0:
        raise RuleViolation(
            f"the questionnaire is frozen: {forms_received} form(s) already received",
            "questionnaire")


def dimension_runs(questionnaire: Questionnaire) -> dict[str, list[tuple[int, int]]]:
    """Where each dimension's answers sit in the packed answer string: ``[(start, length)]``.

    Consecutive items of one dimension form one run (0-based start), so the default
    questionnaire has exactly one run per dimension.  Dimensions without items are absent.
    """
    runs: dict[str, list[tuple[int, int]]] = {}
    for pos, dim in enumerate(questionnaire.dimensions):
        dim_runs = runs.setdefault(dim, [])
        if dim_runs and dim_runs[-1][0] + dim_runs[-1][1] == pos:
            start, length = dim_runs[-1]
            dim_runs[-1] = (start, length + 1)
        else:
            dim_runs.append((pos, 1))
    return {d: runs[d] for d in DIMENSIONS if d in runs}
