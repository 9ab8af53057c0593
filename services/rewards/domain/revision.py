"""Money once per person, period and kind: overlapping ratings and re-ratings (SPEC §6, DESIGN §2, §6).

A ledger line's identity is ``(period, subject, kind)`` whatever the scope or version of the rating
that produced it (:func:`services.rewards.domain.lines.identity_of`); at most one line per identity
is in force.  Pure rules, no database:

* :func:`decide` — what a received rating is to the ratings already settled for its period: the
  first of its scope (``first``), a re-rating after objections (``re_rating``: a newer version of
  the same period and scope), an older version arriving late (``superseded``: nothing changes), or
  refused: a rating of another scope over subjects already settled for the period (the same people
  paid twice) or a version that cannot be ordered.
* :func:`ledger_state` — from the lines of a period, in ledger order: the line in force per
  identity, the number of lines per identity (for the next entry number), the net amount, and
  what breaks the rule (two lines in force, a reversal of a line not in force, a reversal whose
  amount does not cancel).
* :func:`revise` — the lines to append so that the lines in force equal a new result: unchanged
  content is untouched; a changed line is reversed (−old) then issued anew (+new); a line no
  longer due is reversed (a certificate or a talk: recorded as revoked); a new one is issued.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from shared.errors import Conflict
from services.rewards.domain.lines import CONTENT, Line, identity_of

FIRST, RE_RATING, SUPERSEDED = "first", "re_rating", "superseded"
#: a reversal's reason: the line was replaced by a corrected one, or is no longer due
CORRECTED, REVOKED = "corrected", "revoked"
NAMED = 5            # subjects named in a refusal's message


@dataclass(frozen=True)
class Settled:
    """A rating rewards has settled (the one in force for its period and scope)."""

    rating_id: str
    period: str
    scope: str
    version: int | None


@dataclass(frozen=True)
class Decision:
    action: str                          # first | re_rating | superseded
    previous: Settled | None = None      # the version in force before (re_rating, superseded)
    message: str = ""


def decide(rating: dict, version: int | None, in_force: list[Settled],
           owners: dict[str, Settled]) -> Decision:
    """Place a rating among the settled ratings of its period.

    ``in_force``: the settled ratings of the period in force (one per scope); ``owners``: for each
    subject of ``rating`` already settled for the period, the rating that settled it.  Raises
    ``Conflict`` (field ``scope``) for a rating of another scope over settled subjects, naming the
    rating(s) that settled them; ``Conflict`` (field ``version``) when two versions of one scope
    cannot be ordered."""
    rid, scope = rating["rating_id"], rating["scope"]
    others = {}
    for subject in sorted(owners):
        owner = owners[subject]
        if owner.scope != scope:
            others.setdefault(owner.rating_id, []).append(subject)
    if others:
        parts = []
        for owner_id, subjects in sorted(others.items()):
            named = ", ".join(subjects[:NAMED]) + (" …" if len(subjects) > NAMED else "")
            parts.append(f"rating {owner_id} already settled {len(subjects)} of its subjects "
                         f"({named})")
        raise Conflict(f"rating {rid} (scope {scope}) overlaps settled ratings of period "
                       f"{rating['period']}: {'; '.join(parts)}; each person is paid once per "
                       "period and kind: re-rate the scope that settled them instead", "scope")
    mine = [s for s in in_force if s.scope == scope]
    if not mine:
        return Decision(FIRST, None, f"rating {rid} settled")
    previous = mine[0]
    if version is None or previous.version is None:
        raise Conflict(f"rating {rid} and the settled rating {previous.rating_id} are two ratings "
                       f"of period {rating['period']} and scope {scope} whose versions cannot be "
                       "ordered", "version")
    if version > previous.version:
        return Decision(RE_RATING, previous,
                        f"rating {rid} settled as a re-rating of {previous.rating_id}")
    if version == previous.version:
        raise Conflict(f"rating {rid} claims version {version} of period {rating['period']} and "
                       f"scope {scope}, which rating {previous.rating_id} already is", "version")
    return Decision(SUPERSEDED, previous,
                    f"rating {rid} is version {version}; version {previous.version} "
                    f"({previous.rating_id}) is settled and in force: nothing changed")


@dataclass
class LedgerState:
    in_force: dict = field(default_factory=dict)      # identity -> row in force
    entries: Counter = field(default_factory=Counter)  # identity -> number of lines
    net: Counter = field(default_factory=Counter)      # identity -> sum of amounts
    problems: list = field(default_factory=list)


def ledger_state(rows) -> LedgerState:
    """Replay lines (dicts with the ledger's fields, in seq order) into the lines in force."""
    state = LedgerState()
    live: dict = {}                                   # identity -> [rows in force], in order
    for row in rows:
        ident = identity_of(row)
        state.entries[ident] += 1
        state.net[ident] += row.get("amount") or 0
        target = row.get("reverses")
        if target is None:
            live.setdefault(ident, []).append(row)
            continue
        current = next((r for r in live.get(ident, ()) if r["key"] == target), None)
        if current is None:
            state.problems.append({"identity": ident, "key": row["key"], "problem": "reversal",
                                   "message": f"{row['key']} reverses {target}, which is not a "
                                              f"line in force for {ident}"})
            continue
        if (row.get("amount") or 0) != -(current.get("amount") or 0):
            state.problems.append({"identity": ident, "key": row["key"], "problem": "unbalanced",
                                   "message": f"{row['key']} reverses {target} with amount "
                                              f"{row.get('amount')}, not "
                                              f"{-(current.get('amount') or 0)}"})
        live[ident].remove(current)
    for ident, rows_ in live.items():
        if not rows_:
            continue
        state.in_force[ident] = rows_[0]
        for extra in rows_[1:]:
            state.problems.append({
                "identity": ident, "key": extra["key"], "problem": "doubled",
                "message": f"{extra['key']} is a second line in force for {ident} (besides "
                           f"{rows_[0]['key']})"})
        if state.net[ident] != (rows_[0].get("amount") or 0):
            state.problems.append({"identity": ident, "key": rows_[0]["key"],
                                   "problem": "unbalanced",
                                   "message": f"the net of {ident} is {state.net[ident]}, the line "
                                              f"in force pays {rows_[0].get('amount') or 0}"})
    for ident, net in state.net.items():
        if ident not in state.in_force and net:
            state.problems.append({"identity": ident, "key": None, "problem": "unbalanced",
                                   "message": f"nothing is in force for {ident}, yet its net is "
                                              f"{net}"})
    return state


def same_content(row: dict, line: Line) -> bool:
    """A line in force and a newly implied one agree on everything they pay or grant."""
    return all(row.get(name) == getattr(line, name) for name in CONTENT)


def reversal(row: dict, source: str, effective: str, entry: int, reason: str) -> Line:
    """The line cancelling ``row``: its amount negated (a certificate or talk: revoked)."""
    amount = row.get("amount")
    return Line(source=source, period=row["period"], subject=row["subject"],
                subject_type=row["subject_type"], kind=row["kind"], reason=reason,
                rule=row["rule"], effective=effective,
                amount=None if amount is None else -amount, paying_unit=row.get("paying_unit"),
                basis=row.get("basis"), entry=entry, reverses=row["key"])


@dataclass(frozen=True)
class Revision:
    lines: list                 # to append, in order
    issued: list                # the new lines issued (first grants and corrections)
    reversed: list              # the rows reversed: (row, reason)
    unchanged: list             # identities left untouched


def revise(implied: list[Line], current: dict, entries: Counter, source: str,
           effective: str) -> Revision:
    """The lines that turn ``current`` (identity → row in force, only the identities the rating's
    scope answers for) into ``implied`` (the lines the new result implies, entry numbers unset).

    Per identity, in the implied lines' order and then the ledger's: implied and in force with
    the same content → untouched; with another content → reversal (−old) then the new line;
    implied only → the new line; in force only → reversal (revoked)."""
    out, issued, gone, unchanged = [], [], [], []
    counts = Counter(entries)
    seen = set()
    for line in implied:
        ident = line.identity
        if ident in seen:
            raise ValueError(f"two implied lines for {ident}")
        seen.add(ident)
        old = current.get(ident)
        if old is not None and same_content(old, line):
            unchanged.append(ident)
            continue
        if old is not None:
            counts[ident] += 1
            out.append(reversal(old, source, effective, counts[ident], CORRECTED))
            gone.append((old, CORRECTED))
        counts[ident] += 1
        new = replace(line, entry=counts[ident])
        out.append(new)
        issued.append(new)
    for ident, old in sorted(current.items(), key=lambda item: item[1].get("seq") or 0):
        if ident not in seen:
            counts[ident] += 1
            out.append(reversal(old, source, effective, counts[ident], REVOKED))
            gone.append((old, REVOKED))
    return Revision(out, issued, gone, unchanged)
