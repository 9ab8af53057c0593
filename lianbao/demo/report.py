"""The demo's summary, printed for people."""
from __future__ import annotations

import unicodedata
from pathlib import Path


def width(text) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def pad(text, columns: int) -> str:
    return str(text) + " " * (columns - width(text))


def _table(rows, headers):
    widths = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    out = ["  ".join(pad(h, w) for h, w in zip(headers, widths)).rstrip(),
           "  ".join("-" * w for w in widths)]
    for r in rows:
        out.append("  ".join(pad(v, w) for v, w in zip(r, widths)).rstrip())
    return "\n".join(out)


def print_summary(s: dict) -> None:
    o = s["officers"]
    print()
    print(f"== lianbao demo: the year {s['year']} of a city of {s['staff']:,} staff, "
          f"{s['units']} units, {s['sections']} sections — {s['seconds']} s")
    print()
    print("Officers (annual rating): " + ", ".join(f"★{k} {v}" for k, v in o["stars"].items())
          + f"; not rated {o['not_rated']}, disqualified {o['disqualified']}")
    sec = s["sections_rated"]
    print("Sections: " + ", ".join(f"★{k} {v}" for k, v in sec["stars"].items())
          + f"; disqualified {sec['disqualified']}")
    print(f"Half-year rating {s['half_year']['rating_id']}: "
          + ", ".join(f"★{k} {v}" for k, v in sorted(s["half_year"]["stars"].items(), reverse=True)))
    print()
    rows = [(a["id"], a["name"], a["score"], a["class"], a["rank"], "yes" if a["advanced"] else "",
             "yes" if a["veto_warning"] else "", "yes" if a["veto"] else "") for a in s["agencies"]]
    print(_table(rows, ("agency", "name", "score", "class", "rank", "advanced", "veto warning", "veto")))
    print()
    ledger = s["ledger"]
    rows = [(k, v["lines"], v["amount"]) for k, v in ledger["by_kind"].items()]
    print(_table(rows, ("ledger line", "lines", "yuan")))
    print(f"total {ledger['lines']} lines, {ledger['amount']:,} yuan; paying units: "
          + ", ".join(f"{u} {v['amount']:,}" for u, v in list(ledger["by_paying_unit"].items())[:8])
          + (" …" if len(ledger["by_paying_unit"]) > 8 else ""))
    r = s["reconciliation"]
    print(f"reconciliation: missing {r.get('missing', 0)}, extra {r.get('extra', 0)}, "
          f"different {r.get('different', 0)}; hash chain: {'intact' if s['hash_chain'].get('ok') else s['hash_chain']}")
    dead = s.get("dead_letters", {})
    print(f"dead letters: {dead.get('count', 0)}" + "".join(f"\n  {n}× {e}" for e, n in dead.get("errors", {}).items()))
    print(f"mentoring coverage (officers, 31 Dec): {s['mentoring_coverage']}")
    reorg = s["notes"].get("reorganisation")
    if reorg:
        ev = reorg.get("evaluators", {})
        notices = reorg.get("notices", {})
        months = sorted(ev)
        print(f"the tree through time: section {reorg['section']} moved {reorg['from']} → {reorg['to']} on "
              f"{reorg['moved_on']}, renamed {reorg['name']} on {reorg['renamed_on']}; evaluated by "
              + ", ".join(f"{ev[m]['evaluator']} ({m})" for m in months)
              + "; named on the notices " + ", ".join(f"{n['name']} ({m})" for m, n in sorted(notices.items())[:2]))
    print()
    targets = sorted((t for t in s["targets"] if "target" in t), key=lambda t: t["target"])
    if targets:
        rows = [(t["target"], t.get("agency", "city"), t.get("value", "no data"),
                 {True: "met", False: "missed"}.get(t.get("met"), "no data")) for t in targets
                if t.get("agency", "city") == "city"]
        print(_table(rows, ("target (M§一)", "scope", "value", "")))
    for t in s["targets"]:
        if "error" in t:
            print(f"targets of {t['service']}: not available ({t['error']})")
    print()
    files = s["files"]
    folder = str(Path(files[0]).parent) if files else "-"
    csvs = [f for f in files if f.endswith(".csv")]
    print(f"files in {folder}: " + ", ".join(Path(f).name for f in files if not f.endswith(".csv"))
          + f" and {len(csvs)} CSV notices (one per unit, and the payout summary)")
    print("timings (s): " + ", ".join(f"{k} {v}" for k, v in s["timings_s"].items()))
