"""What the year produced: the summary (report.json), the notices, the rates and the chart."""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

from lianbao.demo.state import DemoState

DEAD_LETTERS_READ = 100_000          # how many dead letters the summary reads at the most


def summary(state: DemoState) -> dict:
    y = state.year
    result = state.annual["result"]
    officers = result["officers"]
    stars = Counter(o["stars"] for o in officers if o["status"] == "rated")
    status = Counter(o["status"] for o in officers)
    sections = result["sections"]
    section_stars = Counter(s["stars"] for s in sections if s["status"] == "rated")
    agencies = result["agencies"]
    names = {a["id"]: a["name"] for a in state.city.agencies}
    with state.suite.rpc() as rpc:
        lines, offset = [], 0
        while True:
            page = rpc.rewards.ledger({"period": f"{y}", "limit": 5000, "offset": offset})
            lines.extend(page["lines"])
            if len(page["lines"]) < 5000:
                break
            offset += 5000
        allowance_lines = []
        offset = 0
        while True:
            page = rpc.rewards.ledger({"source": "allowance", "limit": 5000, "offset": offset})
            allowance_lines.extend(page["lines"])
            if len(page["lines"]) < 5000:
                break
            offset += 5000
        targets = service_targets(state, rpc)
        coverage = rpc.roster.mentoring_coverage({"date": date(y, 12, 31).isoformat()})
    from shared.dlq import list_dead_letters

    # an event no service could take: a defect
    dead = list_dead_letters(state.suite.config, limit=DEAD_LETTERS_READ)[state.dead_at_start:]
    by_kind = defaultdict(lambda: {"lines": 0, "amount": 0})
    by_unit = defaultdict(lambda: {"lines": 0, "amount": 0})
    seen = set()
    for line in lines + allowance_lines:
        key = (line.get("key") or line.get("line_key") or json.dumps(line, sort_keys=True, default=str))
        if key in seen:
            continue
        seen.add(key)
        by_kind[line["kind"]]["lines"] += 1
        by_kind[line["kind"]]["amount"] += int(line.get("amount") or 0)
        unit = line.get("paying_unit") or "-"
        by_unit[unit]["lines"] += 1
        by_unit[unit]["amount"] += int(line.get("amount") or 0)
    return {
        "year": y,
        "staff": len(state.city.staff), "units": len(state.city.units), "sections": len(state.city.sections),
        "officers": {"rated": status.get("rated", 0), "not_rated": status.get("not_rated", 0),
                     "disqualified": status.get("disqualified", 0),
                     "stars": {str(k): stars.get(k, 0) for k in (5, 4, 3, 2, 1)}},
        "sections_rated": {"stars": {str(k): section_stars.get(k, 0) for k in (5, 4, 3, 2, 1)},
                           "disqualified": sum(1 for s in sections if s["status"] == "disqualified")},
        "agencies": [{"id": a["id"], "name": names.get(a["id"], a["id"]), "score": a["score"],
                      "class": a["class"], "rank": a["rank"], "advanced": a["advanced"],
                      "veto_warning": a["veto_warning"], "veto": a["veto"]} for a in agencies],
        "half_year": {"rating_id": state.h1["rating_id"],
                      "stars": dict(Counter(str(o["stars"]) for o in state.h1["result"]["officers"]
                                            if o["status"] == "rated"))},
        "annual_rating_id": state.annual["rating_id"],
        "ledger": {"by_kind": dict(sorted(by_kind.items())),
                   "by_paying_unit": {k: v for k, v in sorted(by_unit.items())},
                   "lines": len(seen), "amount": sum(v["amount"] for v in by_kind.values())},
        "reconciliation": {k: (len(v) if isinstance(v, list) else v) for k, v in state.reconciliation.items()},
        "hash_chain": state.chain,
        "dead_letters": {"count": len(dead),
                         "errors": dict(Counter(f"{d['queue']}: {d['error']}" for d in dead).most_common(5))},
        "mentoring_coverage": coverage["officer"]["share"],
        "targets": targets,
        "notes": state.notes,
        "timings_s": state.timings,
    }


def service_targets(state: DemoState, rpc) -> list:
    """The eight targets from the services that own them ("no data" when one cannot say)."""
    rows = []
    for service in ("scoring", "roster", "training", "survey"):
        try:
            answer = getattr(rpc, service).targets({"year": state.year})
        except Exception as exc:  # a service without the RPC, or a failure: say so
            rows.append({"service": service, "error": f"{type(exc).__name__}: {exc}"[:200]})
            continue
        rows.extend(answer.get("targets", []))
    return rows


def write_outputs(state: DemoState, out: Path, report: dict, files_process=None) -> list[Path]:
    """The notices (XLSX, and the year's as CSV), the H1 rates' workbook, the report and the chart.
    With ``files_process`` (a :class:`lianbao.demo.files.FilesProcess` started with the year) the
    year's notice workbook and the chart are written by it while this process writes the rest."""
    import base64

    from lianbao.commands.export_notice import write_csv, write_xlsx
    from lianbao.demo.files import chart_job, do, xlsx_job

    out.mkdir(parents=True, exist_ok=True)
    h1, year = f"{state.year}H1", f"{state.year}"
    with state.suite.rpc() as rpc:
        notices = {period: rpc.rewards.notice({"period": period}) for period in (h1, year)}
    later = [xlsx_job(notices[year], out / f"notice_{year}.xlsx"),
             chart_job(out / "stars_per_agency.png", *chart_data(state))]
    if files_process is not None:
        files_process.start(later)
    first = write_xlsx(notices[h1], out / f"notice_{h1}.xlsx")
    csvs = write_csv(notices[year], out)
    rates = out / f"satisfaction_{state.year}H1.xlsx"
    rates.write_bytes(base64.b64decode(state.xlsx_rates["content_base64"]))
    path = out / "report.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    workbook, png = files_process.finish() if files_process is not None else [do(job) for job in later]
    return [first, workbook, *csvs, rates, path, png]


def chart_data(state: DemoState) -> tuple[int, list[str], dict[int, list[int]]]:
    """The year, the agencies (sorted) and per star the officers rated of each in the annual rating."""
    per_agency = defaultdict(Counter)
    for o in state.annual["result"]["officers"]:
        if o["status"] == "rated":
            per_agency[state.city.agency_of.get(o["id"], "?")][o["stars"]] += 1
    agencies = sorted(per_agency)
    return state.year, agencies, {star: [per_agency[a][star] for a in agencies] for star in (1, 2, 3, 4, 5)}


def chart(state: DemoState, path: Path) -> Path:
    """Officers' stars per agency of the annual rating, drawn in this process."""
    from lianbao.demo.files import draw

    return draw(path, *chart_data(state))
