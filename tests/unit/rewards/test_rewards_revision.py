"""Money once per person, period and kind (SPEC §6, DESIGN §2, §6): overlapping ratings are refused,
a re-rating after objections is settled by reversal and correction lines (rewards domain, pure)."""
import pytest

from shared.errors import Conflict
from services.rewards.domain import revision
from services.rewards.domain.chain import chain, verify
from services.rewards.domain.reconcile import diff
from services.rewards.domain.revision import Settled, decide, ledger_state, revise
from services.rewards.domain.schedule import adapted_schedule
from services.rewards.domain.settlement import settle
from services.rewards.domain.tasks import Task, complete, is_overdue, revoke, task_for
from rewards_ratings import officer, rating, section

pytestmark = pytest.mark.timeout(10)

V1 = dict(officers=[officer("o1", stars=5), officer("o2", stars=3), officer("o3", stars=2),
                    officer("o4", stars=5)],
          sections=[section("s1", stars=5)], headcount=10)


def ledger_after(*ratings_and_schedules):
    """Settle ratings one after the other as the service does; returns the ledger rows."""
    rows = []
    for r, schedules in ratings_and_schedules:
        state = ledger_state(rows)
        rev = revise(settle(r, schedules), state.in_force, state.entries, r["rating_id"],
                     r["rating_date"].isoformat())
        rows += chain([dict(line.to_dict(), recorded_at="t") for line in rev.lines],
                      prev_hash=rows[-1]["hash"] if rows else "0" * 64, first_seq=len(rows) + 1)
    return rows


def plan(old, new, old_schedules=None, new_schedules=None):
    rows = ledger_after((old, old_schedules))
    state = ledger_state(rows)
    rev = revise(settle(new, new_schedules), state.in_force, state.entries, new["rating_id"],
                 new["rating_date"].isoformat())
    return rows, rev


def summary(rev):
    return [(x.subject, x.kind, x.amount, x.reason, x.reverses) for x in rev.lines]


def test_first_settlement_issues_entry_one_of_each_identity():
    rows = ledger_after((rating(**V1), None))
    assert [r["key"] for r in rows[:3]] == ["2026|o1|bonus|1", "2026|o1|certificate|1",
                                           "2026|o1|eligibility|1"]


def test_unchanged_subject_is_untouched():
    v2 = rating(**{**V1, "officers": [officer("o1", stars=5, score=97.0), *V1["officers"][1:]]},
                version=2)
    _rows, rev = plan(rating(**V1), v2)
    assert rev.lines == [] and "2026|o1|bonus" in rev.unchanged


def test_a_changed_amount_is_reversed_then_issued_anew_never_edited():  # −3000 then +3600
    def announcing(amount, version):
        return rating(**V1, version=version, settlement=[
            {"subject": "s1", "kind": "bonus", "amount": amount, "reason": "five_stars"}])

    rows, rev = plan(announcing(3000, 1), announcing(3600, 2))
    assert summary(rev) == [("s1", "bonus", -3000, "corrected", "2026|s1|bonus|1"),
                            ("s1", "bonus", 3600, "five_stars", None)]
    assert [x.key for x in rev.lines] == ["2026|s1|bonus|2", "2026|s1|bonus|3"]
    assert rev.lines[0].source == "2026:a1:2"


def test_a_star_dropped_below_five_reverses_the_bonus_and_revokes_the_certificate():
    v2 = rating(**{**V1, "officers": [officer("o1", stars=4), *V1["officers"][1:]]}, version=2)
    _rows, rev = plan(rating(**V1), v2)
    assert summary(rev) == [
        ("o1", "bonus", -1000, "revoked", "2026|o1|bonus|1"),
        ("o1", "certificate", None, "revoked", "2026|o1|certificate|1"),
        ("o1", "eligibility", None, "revoked", "2026|o1|eligibility|1")]


def test_newly_disqualified_revokes_the_talk_and_dismisses_on_the_second_year():
    v1 = rating(**V1, disqualified_last_year=["o3"])
    v2 = rating(**{**V1, "officers": [*V1["officers"][:2], officer("o3", status="disqualified"),
                                      V1["officers"][3]]}, disqualified_last_year=["o3"], version=2)
    _rows, rev = plan(v1, v2)
    assert summary(rev) == [("o3", "dismissal", None, "disqualified_two_years", None),
                            ("o3", "warning_talk", None, "revoked", "2026|o3|warning_talk|1")]


def test_a_subject_dropped_from_the_new_version_has_its_lines_revoked():
    v2 = rating(**{**V1, "officers": V1["officers"][:3]}, version=2)
    _rows, rev = plan(rating(**V1), v2)
    assert [(x.subject, x.amount, x.reason) for x in rev.lines] == [
        ("o4", -1000, "revoked"), ("o4", None, "revoked"), ("o4", None, "revoked")]


def test_settling_the_same_result_again_changes_nothing():
    _rows, rev = plan(rating(**V1), rating(**V1))
    assert rev.lines == [] and len(rev.unchanged) == len(settle(rating(**V1)))


def test_half_year_settles_nothing_even_when_re_rated():  # M§五(二)2, RATING.md §5
    _rows, rev = plan(rating(**V1, period="2026H1"), rating(**V1, period="2026H1", version=2))
    assert rev.lines == [] and ledger_after((rating(**V1, period="2026H1"), None)) == []


def test_after_a_re_rating_the_chain_is_intact_and_the_net_is_the_new_result():
    schedule = adapted_schedule({"section_per_head": {"5": 360}}, "agency:a1:2026")
    v2 = rating(**{**V1, "officers": [officer("o1", stars=4), *V1["officers"][1:]]}, version=2)
    rows = ledger_after((rating(**V1), None), (v2, {"a1": schedule}))
    assert verify(rows, (rows[-1]["seq"], rows[-1]["hash"]))["ok"]
    report = diff([line.to_dict() for line in settle(v2, {"a1": schedule})], rows)
    assert report["ok"], report
    assert sum(r["amount"] or 0 for r in rows) == 1000 + 3600      # o4 and s1: nothing twice


# -- which ratings settle: overlapping scopes, versions --------------------------------------------

CITY = Settled("2025:city:1", "2025", "city", 1)


def test_the_first_rating_of_a_scope_settles():
    assert decide(rating(**V1, period="2025", scope="k1"), 1, [CITY], {}).action == revision.FIRST


def test_another_scopes_rating_over_settled_subjects_is_refused_naming_it():
    r = rating(**V1, period="2025", scope="k2")
    with pytest.raises(Conflict) as err:
        decide(r, 1, [CITY], {"o1": CITY, "o2": CITY})
    assert err.value.field == "scope"
    assert "2025:city:1 already settled 2 of its subjects (o1, o2)" in str(err.value)


def test_a_newer_version_of_the_same_scope_is_a_re_rating():
    d = decide(rating(**V1, period="2025", scope="city", version=2), 2, [CITY], {"o1": CITY})
    assert (d.action, d.previous) == (revision.RE_RATING, CITY)


def test_an_older_version_arriving_late_changes_nothing_and_says_so():
    newer = Settled("2025:city:3", "2025", "city", 3)
    d = decide(rating(**V1, period="2025", scope="city", version=2), 2, [newer], {"o1": newer})
    assert d.action == revision.SUPERSEDED and "version 3 (2025:city:3) is settled" in d.message


def test_versions_that_cannot_be_ordered_are_refused():
    with pytest.raises(Conflict) as err:
        decide(rating(**V1, period="2025", scope="city"), None, [CITY], {})
    assert err.value.field == "version"
    with pytest.raises(Conflict):
        decide(dict(rating(**V1, period="2025", scope="city"), rating_id="other"), 1, [CITY], {})


# -- tasks follow reversals --------------------------------------------------------------------------

def test_a_revoked_task_is_neither_overdue_nor_completable():
    line = settle(rating(officers=[officer("o3", stars=2)]))[0]
    task = revoke(task_for(line), task_for(line).opened)
    assert not is_overdue(task, task.due.replace(year=task.due.year + 1))
    with pytest.raises(Conflict):
        complete(task, task.due)
    assert revoke(task, task.due) == task
    assert isinstance(task, Task)
