"""Cases of the ten bans (政法干警禁令, M§三(三)) in the ratings: what a confirmed violation does to
the star rating of the violator and of their mentor.  Pure.

The seed (003, M§三(三)) says, after the ten bans::

    违反上述禁令之一者,当事人一律先停职,并严格按照联带包创精细化管理考评办法和有关党纪政纪、
    法律法规对当事人、联带责任人等进行查究。

("whoever violates one of the bans is first suspended, and the person, their mentor and others are
investigated under the 联带包创 evaluation method and the relevant party and government discipline,
laws and regulations").  The roster applies the first half (the suspension) and opens a case
against the person and the mentor; this module is the reading of the second half for the ratings.

The violator.  M§五(二)1(2)③ lists what disqualifies an officer (取消评星资格): low satisfaction,
three months below 60, five days of unexcused absence, a mass incident, illegal organisations,
protective umbrella, a major leak, "受到党纪政纪及以上处分处罚的" (a party or government
disciplinary sanction or worse), other mechanisms' rules.  A ban violation is not on that list:
M§三(三) sends it to an investigation (查究) whose outcome — a sanction (``disciplinary_sanction``),
a criminal case — is what the list names.  Reading the violation itself as a disqualification
would decide the investigation before it is made.  So the case is NOT a disqualification by itself:
it is shown in the violator's rating explanation (rule ``M§三(三)``, no points), the monthly
evaluation carries its deduction (the integrity item ``integrity.bans``, 严守禁令) and a sanction it
leads to is recorded as the Method's fact ``disciplinary_sanction`` (``scoring.record_facts``),
which disqualifies under M§五(二)1(2)③.

The mentor (联带责任人).  The seed names the mentor among those investigated but gives no
consequence of a mentee's ban violation for the mentor's star rating; the only mentor rule is
M§五(二)1(2)④ (被取消评星资格的干警,其联带人不得评为五星级政法干警), which follows from the
mentee's disqualification when there is one.  So the joint-responsibility case is only shown in the
mentor's explanation (rule ``M§三(三) 联带责任``, no points).

Both entries are contributed through the engine's extension seam, so a stored (composite) snapshot
that carries the cases rates back to the same explanation.
"""
from __future__ import annotations

from services.scoring.domain.rating import Proposal

M_BANS = "M§三(三)"
M_BANS_JOINT = "M§三(三) 联带责任"
VIOLATOR, MENTOR = "violator", "mentor"


def case_text(case: dict) -> str:
    if case["role"] == VIOLATOR:
        return (f"ban {case['ban']} violated on {case['occurred_on']} (case {case['id']}): "
                f"suspended and investigated (查究); not by itself a disqualification of "
                f"M§五(二)1(2)③, a sanction it leads to is")
    return (f"joint responsibility (联带责任人) for {case['violator']}'s violation of ban "
            f"{case['ban']} on {case['occurred_on']} (case {case['id']}); M§五(二)1(2)④ applies "
            f"if {case['violator']} is disqualified")


class BanCases:
    """The cases of a rating as an engine extension: for each officer with a case, one entry per
    case (no points, no status change; see the module's reading of M§三(三))."""

    name = "bans"

    def __init__(self, cases):
        self.by_subject: dict = {}
        for c in cases or ():
            self.by_subject.setdefault(c["subject"], []).append(c)

    def __bool__(self) -> bool:
        return bool(self.by_subject)

    def propose(self, kind, subject, snapshot):
        if kind != "officer" or subject.id not in self.by_subject:
            return None
        return Proposal(points=tuple(
            (M_BANS if c["role"] == VIOLATOR else M_BANS_JOINT, 0, case_text(c))
            for c in self.by_subject[subject.id]))


def cases_in(rows, subjects, first_day, last_day) -> list:
    """The cases of the period against subjects of the snapshot, in (date, case id) order, as the
    composite snapshot stores them."""
    out = [{"id": r["id"], "subject": r["subject"], "role": r["role"], "violator": r["violator"],
            "ban": r["ban"], "occurred_on": r["occurred_on"].isoformat()}
           for r in rows if r["subject"] in subjects and first_day <= r["occurred_on"] <= last_day]
    return sorted(out, key=lambda c: (c["occurred_on"], c["id"]))
