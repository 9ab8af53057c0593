"""A campaign's rates as an XLSX workbook: one sheet per subject kind (issue 7).

Input is the rates dict the service returns over RPC (``get_rates``), so the workbook and the JSON
never disagree.  Rates are written as numbers (from their 4-decimal strings) in percent format;
a null rate stays an empty cell, never 0.
"""
from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook

from shared.spreadsheet import safe_row

from services.survey.domain.vocabulary import (DIMENSION_LABELS, DIMENSIONS, GROUP_LABELS,
                                               RESPONDENT_GROUPS, SUBJECT_KIND_LABELS, SUBJECT_KINDS)

HEAD = ["编号 id", "名称 name", "收到表数 forms", "满意 satisfied", "基本满意 basic",
        "不满意 dissatisfied", "有效回答 answered", "满意率 rate", "低于60% below_60"]


def _rate(value):
    return None if value is None else Decimal(value)


def workbook_bytes(rates: dict) -> bytes:
    wb = Workbook(write_only=True)
    dims = [d for d in DIMENSIONS if d in rates.get("totals", {}).get("dimensions", DIMENSIONS)]
    groups = [g for g in RESPONDENT_GROUPS if g in rates.get("totals", {}).get("groups", RESPONDENT_GROUPS)]
    header = (HEAD + [f"{DIMENSION_LABELS[d]} {d}" for d in dims]
              + [f"{GROUP_LABELS[g]} {g}" for g in groups])
    for kind in SUBJECT_KINDS:
        ws = wb.create_sheet(f"{SUBJECT_KIND_LABELS[kind]} {kind}")
        ws.append(safe_row([f"{rates.get('campaign_id', '')} {rates.get('period', '')}",
                            f"status {rates.get('status', '')}"]))
        ws.append(safe_row(header))
        for row in rates["subjects"]:   # run off the event loop (shared.offload): no green yields here
            if row["kind"] != kind:
                continue
            ws.append(safe_row([row["id"], row.get("name", ""), row["forms"], row["satisfied"], row["basic"],
                       row["dissatisfied"], row["answered"], _rate(row["rate"]),
                       "yes" if row["below_60"] else ""]
                      + [_rate(row["dimensions"][d]["rate"]) for d in dims]
                      + [_rate(row["groups"][g]["rate"]) for g in groups]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
