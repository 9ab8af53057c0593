"""Rules of satisfaction rates (SPEC §4, M§一8, M§五(二)1(1)③ 1(2)③), with hand-computed numbers."""
from fractions import Fraction

import pytest

from services.survey.domain import (Counts, below_disqualification_line, default_questionnaire,
                                    event_subjects, format_rate, meets_team_target, rate_report,
                                    satisfaction_rate, tally_answers, tally_forms)

pytestmark = pytest.mark.timeout(10)

Q = default_questionnaire()
# morality S×6, ability B×6, diligence D×6, results N×6, integrity S×6, learning S B D N S
MIXED = "S" * 6 + "B" * 6 + "D" * 6 + "N" * 6 + "S" * 6 + "SBDNS"


def test_satisfaction_rate_is_satisfied_plus_basic_over_answered():
    assert satisfaction_rate(Counts(satisfied=14, basic=7, dissatisfied=7)) == Fraction(3, 4)


def test_satisfaction_rate_is_null_never_zero_when_nothing_answered():
    assert satisfaction_rate(Counts()) is None
    assert satisfaction_rate(Counts(dissatisfied=3)) == 0


def test_below_60_percent_disqualifies_exactly_60_does_not():
    assert not below_disqualification_line(Fraction(60, 100))
    assert below_disqualification_line(Fraction(5999, 10000))
    assert not below_disqualification_line(None)


def test_team_target_90_percent_includes_90():
    assert meets_team_target(Fraction(9, 10))
    assert not meets_team_target(Fraction(8999, 10000))
    assert not meets_team_target(None)


@pytest.mark.parametrize("rate,text", [
    (Fraction(3, 4), "0.7500"), (Fraction(1, 3), "0.3333"), (Fraction(2, 3), "0.6667"),
    (Fraction(1, 32), "0.0313"), (Fraction(1), "1.0000"), (Fraction(0), "0.0000"), (None, None),
])
def test_format_rate_rounds_half_up_to_four_places(rate, text):
    assert format_rate(rate) == text


def test_dont_know_counts_as_no_answer_per_dimension():
    out = tally_answers(MIXED, Q)
    as_tuple = {d: (c.satisfied, c.basic, c.dissatisfied) for d, c in out.items()}
    assert as_tuple == {"morality": (6, 0, 0), "ability": (0, 6, 0), "diligence": (0, 0, 6),
                        "results": (0, 0, 0), "integrity": (6, 0, 0), "learning": (2, 1, 1)}
    assert satisfaction_rate(out["results"]) is None
    assert satisfaction_rate(out["learning"]) == Fraction(3, 4)


def _report():
    forms = [("o1", "parents", MIXED), ("o1", "officers", "D" * 35), ("o1", "parents", "N" * 35)]
    cells, received = tally_forms(forms, Q)
    subjects = {"o1": "officer", "s1": "section"}
    return rate_report(subjects, cells, received, names={"o1": "张三"})


def test_rates_pool_all_answers_not_a_mean_of_forms():
    o1 = _report()["subjects"][0]
    # hand count: MIXED gives S14 B7 D7 (28 answered), D×35 gives D35; pooled 21/63 = 1/3,
    # whereas the mean of the two forms' rates would be (3/4 + 0) / 2 = 0.375
    assert (o1["satisfied"], o1["basic"], o1["dissatisfied"], o1["answered"]) == (14, 7, 42, 63)
    assert o1["rate"] == "0.3333"
    assert o1["below_60"] is True and o1["meets_target"] is False


def test_form_all_dont_know_is_received_but_adds_no_answer():
    o1 = _report()["subjects"][0]
    assert o1["forms"] == 3
    assert o1["answered"] == 63


def test_rates_per_dimension_and_per_group_by_hand():
    o1 = _report()["subjects"][0]
    assert o1["dimensions"]["morality"]["rate"] == "0.5000"      # S6 over 6 + D6 from form 2
    assert o1["dimensions"]["results"]["rate"] == "0.0000"       # only form 2 answered: D6
    assert o1["dimensions"]["learning"]["rate"] == "0.3333"      # S2 B1 D1 + D5: 3/9
    assert o1["groups"]["parents"]["rate"] == "0.7500"            # 21/28
    assert o1["groups"]["officers"]["rate"] == "0.0000"           # 0/35
    assert o1["groups"]["retired_staff"]["rate"] is None


def test_subject_without_forms_has_null_rates():
    s1 = _report()["subjects"][1]
    assert (s1["forms"], s1["answered"], s1["rate"]) == (0, 0, None)
    assert s1["below_60"] is False


def test_campaign_totals_pool_every_subject():
    totals = _report()["totals"]
    assert (totals["forms"], totals["answered"], totals["rate"]) == (3, 63, "0.3333")


def test_event_lines_carry_the_counts_the_rating_snapshot_needs():
    lines = event_subjects(_report())
    assert lines[0] == {"id": "o1", "kind": "officer", "forms": 3, "satisfied": 14, "basic": 7,
                        "dissatisfied": 42, "answered": 63, "rate": "0.3333", "below_60": True,
                        "meets_target": False}


@pytest.mark.parametrize("layout", ["default", "interleaved"])
def test_tally_forms_matches_form_by_form_counting(layout):
    """Each distinct answer string is counted once and added to its subject and group: the counts
    are those of form-by-form counting, with repeated strings, on a questionnaire whose dimensions
    come in several runs, and again when the strings were counted before (issue 24 item 4)."""
    import random
    from services.survey.domain.questionnaire import Questionnaire
    q = Q if layout == "default" else Questionnaire(
        "mixed", 1, tuple(Q.dimensions[(i * 7) % 35] for i in range(35)), ())
    rnd = random.Random(7)
    pool = ["".join(rnd.choice("SBDN") for _ in range(35)) for _ in range(15)]
    forms = [(f"o{rnd.randrange(3)}", rnd.choice(["parents", "officers"]),
              rnd.choice(pool) if rnd.random() < 0.7 else "".join(rnd.choice("SBDN") for _ in range(35)))
             for _ in range(200)]
    expected = {}
    for subject, group, answers in forms:
        for dim, c in tally_answers(answers, q).items():
            e = expected.setdefault((subject, group, dim), [0, 0, 0])
            e[0] += c.satisfied
            e[1] += c.basic
            e[2] += c.dissatisfied
    for _ in range(2):
        cells, received = tally_forms(forms, q)
        got = {(c.subject, c.group, c.dimension): [c.satisfied, c.basic, c.dissatisfied] for c in cells}
        assert got == expected
        assert sum(received.values()) == 200
        assert received == {s: sum(1 for f in forms if f[0] == s) for s in {f[0] for f in forms}}


def test_the_report_of_pooled_counts_is_the_report_of_cells():
    """rate_report_pooled (per subject and group, integer verdicts) gives exactly rate_report's
    report (per cell, exact fractions): rates rounded half-up, the 60% and 90% lines on the line
    itself, subjects and groups without forms, a subject outside the campaign ignored (issue 24 item 4)."""
    import random
    from services.survey.domain import rate_report_pooled, tally_by_key
    rnd = random.Random(11)
    subjects = {"a1": "agency", "s1": "section", "o1": "officer", "o2": "officer", "o3": "officer"}
    groups = ("parents", "officers", "case_parties")
    forms = [(rnd.choice(["a1", "s1", "o1", "o2", "x9"]), rnd.choice(groups[:2]),
              "".join(rnd.choice("SSSBBDN") for _ in range(35))) for _ in range(300)]
    forms += [("o2", "parents", "S" * 18 + "D" * 12 + "N" * 5)] * 3      # exactly 60% on o2's forms
    forms += [("s1", "officers", "S" * 27 + "D" * 3 + "N" * 5)] * 2      # exactly 90%
    cells, received = tally_forms(forms, Q)
    expected = rate_report(subjects, cells, received, groups=groups, names={"o1": "张三"})
    got = rate_report_pooled(subjects, *tally_by_key(forms, Q), groups=groups, names={"o1": "张三"})
    assert got == expected
    assert [r["forms"] for r in got["subjects"]][-1] == 0 and got["subjects"][-1]["rate"] is None


def test_the_pooled_report_gives_every_count_its_own_dict():
    """rate_report_rows (the pooled report's row-by-row way) works each distinct (satisfied, basic,
    dissatisfied) out once per report (issue 24 item 5); its rows still hold dicts of their own, so
    changing one changes no other; and so do the arrays' (rate_report_pooled)."""
    from services.survey.domain import DIMENSIONS, rate_report_pooled, rate_report_rows, tally_by_key
    subjects = {"o1": "officer", "o2": "officer", "o3": "officer"}
    forms = [("o1", "parents", "S" * 35), ("o2", "parents", "S" * 35)]     # o1 and o2 alike, o3 none
    groups = ("parents", "officers")
    dims, pooled = tally_by_key(forms, Q)
    for report in (rate_report_rows(subjects, dims, pooled, DIMENSIONS, groups, {}),
                   rate_report_pooled(subjects, dims, pooled, groups=groups)):
        dicts = [d for row in report["subjects"] for part in ("dimensions", "groups") for d in row[part].values()]
        dicts += list(report["totals"]["dimensions"].values()) + list(report["totals"]["groups"].values())
        assert len({id(d) for d in dicts}) == len(dicts)
        first, second = report["subjects"][0], report["subjects"][1]
        assert first["groups"] == second["groups"]
        first["groups"]["parents"]["rate"] = "changed"
        assert second["groups"]["parents"]["rate"] == "1.0000"


def test_tally_over_columns_equals_form_by_form():
    """tally_columns (the intake's tally, issue 24 item 4) gives tally_by_key's dimensions, keys in
    the same order and the same counts, on a checked batch and on anything else."""
    import random

    from services.survey.domain import Questionnaire, tally_by_key, tally_columns
    rnd = random.Random(24)
    forms = [(rnd.choice(["a1", "s1", "o1", "o2"]), rnd.choice(["parents", "officers"]),
              "".join(rnd.choice("SBDN") for _ in range(35))) for _ in range(500)]
    forms += [("o1", "parents", "N" * 35)] * 3 + [("o1", "parents", "S" * 35)]
    from services.survey.domain import DIMENSIONS
    split = Questionnaire("split", 1, tuple(DIMENSIONS[i % 3] for i in range(35)))   # runs interleaved
    for q in (Q, split):
        for sample in (forms, forms[:1], forms[:0],
                       forms[:5] + [("o2", "officers", "SB")],              # unequal lengths
                       forms[:5] + [("o2", "officers", "满" * 35)]):          # not ASCII
            columns = [list(c) for c in zip(*sample)] or [[], [], []]
            expected = tally_by_key(sample, q)
            got = tally_columns(*columns, q)
            assert got == expected
            assert list(got[1]) == list(expected[1])
            assert all(type(v) is int for c in got[1].values() for v in c)


def test_pooled_rows_added_at_once_equal_added_one_by_one():
    from operator import add

    from services.survey.domain import add_pooled
    pooled = {("o1", "parents"): [1, 2, 3, 4], ("s1", "officers"): [5, 0, 0, 5]}
    keys = [("o2", "parents"), ("o1", "parents"), ("o2", "parents"), ("a1", "officers")]
    rows = [[1, 1, 0, 0], [2, 0, 2, 0], [3, 1, 1, 1], [1, 0, 0, 1]]
    expected = {k: list(v) for k, v in pooled.items()}
    for k, r in zip(keys, rows):
        expected[k] = list(map(add, expected.get(k, [0] * 4), r))
    add_pooled(pooled, keys, rows, 4)
    assert pooled == expected
    assert list(pooled) == [("o1", "parents"), ("s1", "officers"), ("o2", "parents"), ("a1", "officers")]
    assert all(type(v) is int for c in pooled.values() for v in c)
    empty: dict = {}
    add_pooled(empty, keys[:1], rows[:1], 4)
    assert empty == {("o2", "parents"): [1, 1, 0, 0]}
    add_pooled(empty, [], [], 4)
    assert empty == {("o2", "parents"): [1, 1, 0, 0]}


def test_sum_rows_equals_add_at_and_stays_exact_beyond_float():
    import numpy as np

    from services.survey.domain import sum_rows
    rng = np.random.default_rng(24)
    ids = rng.integers(0, 7, 200)
    rows = rng.integers(-5, 1000, (200, 4))
    expected = np.zeros((9, 4), dtype=np.int64)
    np.add.at(expected, ids, rows)
    got = sum_rows(ids, rows, 9)
    assert got.dtype == np.int64 and (got == expected).all()
    big = np.array([[2 ** 53 + 1], [1], [2 ** 60]], dtype=np.int64)   # float64 would round these
    assert sum_rows(np.array([0, 0, 1]), big, 2).tolist() == [[2 ** 53 + 2], [2 ** 60]]
    assert sum_rows(np.array([], dtype=np.intp), np.zeros((0, 3), dtype=np.int64), 2).tolist() == [[0] * 3] * 2


def test_rows_summed_by_subject_and_group_index_equal_pooled_under_their_keys():
    """sum_by_subject_group (a campaign's tally parts, keyed by integers) gives the keys and sums of
    add_pooled under (subject, group) keys, in the same order; an index outside the groups is refused."""
    import random

    import numpy as np
    import pytest

    from services.survey.domain import add_pooled, sum_by_subject_group
    from services.survey.domain.vocabulary import RESPONDENT_GROUPS

    groups = tuple(RESPONDENT_GROUPS)
    rnd = random.Random(7)
    for n in (1, 2, 50, 3000):
        subjects = [rnd.choice(["o1", "o2", "s1", "a-1", "o10", "一"]) for _ in range(n)]
        grps = np.array([rnd.randrange(len(groups)) for _ in range(n)])
        rows = np.array([[rnd.randrange(0, 300) for _ in range(7)] for _ in range(n)], dtype=np.int64)
        expected: dict = {}
        add_pooled(expected, [(s, groups[g]) for s, g in zip(subjects, grps.tolist())], rows, 7)
        keys, sums = sum_by_subject_group(subjects, grps, rows, groups)
        assert keys == list(expected) and sums.tolist() == list(expected.values())
    assert sum_by_subject_group([], np.array([], dtype=np.intp), np.zeros((0, 7)), groups)[0] == []
    for bad in (-1, len(groups)):
        with pytest.raises(IndexError):
            sum_by_subject_group(["o1"], np.array([bad]), np.ones((1, 7)), groups)


def _random_pooled(rnd, subjects, groups, dims, n_keys, big=False):
    width = 1 + 3 * len(dims)
    top = 2 ** 45 if big else rnd.choice([0, 1, 3, 20, 5000])
    pooled = {}
    for _ in range(n_keys):
        key = (rnd.choice(subjects), rnd.choice(groups))
        pooled[key] = [rnd.randint(0, top) for _ in range(width)]
    return pooled


def test_the_report_over_arrays_equals_the_report_row_by_row():
    """rate_report_pooled (sums, rates and verdicts over numpy arrays, issue 24 item 4) gives exactly
    rate_report_rows's report, key order and Python types included: random counts (many nothing
    answered, many on the 60% and 90% lines and on a half of the last place), subjects without
    rows, a pooled subject outside the campaign, dimensions asked for that the tallies lack and
    tallied ones not asked for, groups repeated; counts beyond int64's safe range take the rows' way;
    a group outside the campaign's is the rows' KeyError."""
    import random

    import orjson

    from services.survey.domain import DIMENSIONS, rate_report_pooled, rate_report_rows
    rnd = random.Random(2024)
    groups = ("parents", "officers", "case_parties", "deputies")
    for trial in range(300):
        dims = tuple(rnd.sample(DIMENSIONS, rnd.randint(0, len(DIMENSIONS))))
        asked = tuple(rnd.sample(DIMENSIONS, rnd.randint(0, len(DIMENSIONS))))
        subjects = {f"s{i}": rnd.choice(["officer", "section", "agency"]) for i in range(rnd.randint(1, 8))}
        campaign_groups = tuple(rnd.sample(groups, rnd.randint(1, len(groups))))
        if trial % 7 == 0:
            campaign_groups += campaign_groups[:1]                      # a group named twice
        pool_subjects = list(subjects) + ["x9"]                            # x9: not the campaign's
        pooled = _random_pooled(rnd, pool_subjects, campaign_groups, dims, rnd.randint(0, 30),
                                big=trial % 50 == 0)
        if trial % 5 == 0:      # counts on the lines: 60% and 90% exactly, and a half of the last place
            for key in list(pooled)[:3]:
                v = pooled[key]
                for i in range(len(dims)):
                    v[1 + 3 * i: 4 + 3 * i] = rnd.choice([[6, 0, 4], [5, 4, 1], [0, 0, 0], [1, 0, 19999]])
        names = {sid: f"名{sid}" for sid in list(subjects)[::2]}
        expected = rate_report_rows(subjects, dims, pooled, dimensions=asked, groups=campaign_groups,
                                    names=names)
        got = rate_report_pooled(subjects, dims, pooled, dimensions=asked, groups=campaign_groups,
                                 names=names)
        assert got == expected
        assert orjson.dumps(got) == orjson.dumps(expected)      # the same key order and types
    # the half of the last place rounds up, on both ways: 1 of 20,000 answered is 0.00005 → 0.0001
    one = rate_report_pooled({"s": "officer"}, ("morality",), {("s", "parents"): [1, 1, 0, 19999]},
                             dimensions=("morality",), groups=("parents",))
    assert one["subjects"][0]["rate"] == "0.0001" and one["subjects"][0]["below_60"] is True
    with pytest.raises(KeyError):
        rate_report_pooled({"s": "officer"}, ("morality",), {("s", "alien"): [1, 1, 0, 0]},
                           dimensions=("morality",), groups=("parents",))


def test_the_report_over_arrays_is_taken_for_a_campaign():
    """The array way is the one a campaign's ordinary report takes (not the rows' fallback)."""
    from services.survey.domain import rates
    pooled = {("s", "parents"): [2, 1, 1, 0], ("t", "officers"): [1, 0, 0, 1]}
    assert rates._rate_report_arrays({"s": "officer", "t": "section"}, ("morality",), pooled,
                                     ("morality",), ("parents", "officers"), {}) is not None
