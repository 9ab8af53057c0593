"""The public notice (公示) of a period's results and rewards, as tables (SPEC glossary: 公示/备案).

Pure: from the period's stored ratings and ledger lines to one table per unit (the paying agency)
and a payout summary per paying unit.  Writing XLSX/CSV is the application's job.
"""
from __future__ import annotations

from collections import defaultdict

KIND_LABELS = {
    "bonus": "奖金", "certificate": "颁发证书", "eligibility": "取得评先评优和提拔晋级晋职基本资格",
    "warning_talk": "警告谈话", "dismissal": "辞退(公务员法第83条)", "plaque": "授牌",
    "rectification": "挂牌整改", "admonishment_talk": "诫勉谈话", "commendation": "表彰",
    "eligibility_revoked": "一票否决预告(取消评先评优和提拔资格)", "removal": "一票否决(就地免职)",
    "allowance": "全能政法干警技能津贴",
}
STATUS_LABELS = {"rated": "评星", "not_rated": "不参加评星", "disqualified": "取消评星资格"}
TYPE_LABELS = {"officer": "干警", "section": "科室", "agency": "单位"}
HEADERS = ("对象编号", "名称", "类别", "评定结果", "星级", "得分", "奖惩", "金额(元)", "依据")
SUMMARY_HEADERS = ("发放单位", "奖金笔数", "奖金(元)", "津贴笔数", "津贴(元)", "合计(元)")


def _agency_label(a: dict) -> str:
    if a.get("veto"):
        return f"{a['class']}类 一票否决"
    if a.get("veto_warning"):
        return f"{a['class']}类 一票否决预告"
    return f"{a['class']}类" + (" 先进单位" if a.get("advanced") else "")


def notice_tables(ratings: list[dict], lines: list[dict]) -> dict:
    """``{"sheets": {unit: [row, ...]}, "summary": [row, ...]}``, rows as tuples in :data:`HEADERS`
    and :data:`SUMMARY_HEADERS` order; units sorted by id, subjects in the ratings' order.

    ``ratings``: the ratings in force (the latest settled version per scope); ``lines``: the lines
    in force (after every reversal: a subject's line may come from an earlier version that the
    re-rating left unchanged)."""
    by_subject = defaultdict(list)
    for line in lines:
        if line["kind"] != "allowance":
            by_subject[line["subject"]].append(line)
    sheets = defaultdict(list)
    for rating in ratings:
        subjects = rating.get("subjects") or {}
        result = rating["result"]
        for group, subject_type in (("officers", "officer"), ("sections", "section"),
                                    ("agencies", "agency")):
            for item in result[group]:
                info = subjects.get(item["id"]) or {}
                unit = info.get("paying_unit") or item["id"]
                own = by_subject[item["id"]]
                if subject_type == "agency":
                    outcome, stars = _agency_label(item), None
                else:
                    outcome, stars = STATUS_LABELS[item["status"]], item.get("stars")
                money = [line["amount"] for line in own if line.get("amount") is not None]
                sheets[unit].append((
                    item["id"], info.get("name") or "", TYPE_LABELS[subject_type], outcome, stars,
                    item.get("score"), "；".join(KIND_LABELS[line["kind"]] for line in own),
                    sum(money) if money else None,
                    "；".join(dict.fromkeys(line["rule"] for line in own)),
                ))
    return {"sheets": {unit: sheets[unit] for unit in sorted(sheets)},
            "summary": payout_summary(lines)}


def payout_summary(lines: list[dict]) -> list[tuple]:
    """Per paying unit: number and total of bonuses, of allowances, and the grand total (yuan)."""
    totals = defaultdict(lambda: [0, 0, 0, 0])
    for line in lines:
        if line.get("amount") is None:
            continue
        row = totals[line["paying_unit"]]
        i = 2 if line["kind"] == "allowance" else 0
        row[i] += 1
        row[i + 1] += line["amount"]
    return [(unit, n_b, s_b, n_a, s_a, s_b + s_a)
            for unit, (n_b, s_b, n_a, s_a) in sorted(totals.items())]
