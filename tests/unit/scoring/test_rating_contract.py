"""RATING.md §1 and §4: every bad input is refused naming its JSON path, by both validators."""
import copy
import json
from pathlib import Path

import pytest

from rating_builders import agency, months, officer, section, snapshot
from services.scoring.domain import defaults
from services.scoring.domain.payload import rate_payload
from shared.contracts import rating as contract
from shared.contracts.rating import load_snapshot_marshmallow, loads_snapshot, validate_snapshot
from shared.errors import ValidationFailed

DATA = Path(__file__).resolve().parents[2] / "data" / "rating"


def base():
    return snapshot([officer("o1", section="s1", monthly=months(90),
                             leave=[{"kind": "sick", "from": "2026-02-01", "to": "2026-02-10"}],
                             honours=[{"title": "省优秀", "level": "provincial"}],
                             satisfaction={"satisfied": 5, "basic": 1, "dissatisfied": 1}),
                     officer("o2", mentor="o1", monthly=months(80))],
                    sections=[section("s1")],
                    agencies=[agency("c1", awards=[{"kind": "unit_commended", "level": "central"}],
                                     previous_class=2)],
                    rules={"cutoffs": {"5": 96}, "five_star_quota": 0.5,
                           "amounts": {"officer_five_star": 1200}})


def mutate(fn):
    snap = base()
    fn(snap)
    return snap


def _set(path, value):
    def fn(snap):
        node = snap
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return fn


def _del(path):
    def fn(snap):
        node = snap
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return fn


O = ("officers", 0)
BAD = [
    ("unknown top-level field", _set(("extra",), 1), "extra"),
    ("unknown officer field", _set(O + ("rank",), 1), "officers[0].rank"),
    ("month 13", _set(O + ("monthly", "2026-13"), 90), "officers[0].monthly.2026-13"),
    ("month outside the period", _set(O + ("monthly", "2025-12"), 90),
     "officers[0].monthly.2025-12"),
    ("score above 100", _set(O + ("monthly", "2026-03"), 100.5), "officers[0].monthly.2026-03"),
    ("score below 0", _set(O + ("monthly", "2026-03"), -1), "officers[0].monthly.2026-03"),
    ("score NaN from Python", _set(O + ("monthly", "2026-03"), float("nan")),
     "officers[0].monthly.2026-03"),
    ("score Infinity from Python", _set(O + ("monthly", "2026-03"), float("inf")),
     "officers[0].monthly.2026-03"),
    ("score a string", _set(O + ("monthly", "2026-03"), "90"), "officers[0].monthly.2026-03"),
    ("score a boolean", _set(O + ("monthly", "2026-03"), True), "officers[0].monthly.2026-03"),
    ("monthly missing", _del(O + ("monthly",)), "officers[0].monthly"),
    ("joined missing", _del(O + ("joined",)), "officers[0].joined"),
    ("joined not a date", _set(O + ("joined",), "2026-02-30"), "officers[0].joined"),
    ("joined in basic ISO form", _set(O + ("joined",), "20100101"), "officers[0].joined"),
    ("id empty", _set(O + ("id",), ""), "officers[0].id"),
    ("id a number", _set(O + ("id",), 7), "officers[0].id"),
    ("agency null", _set(O + ("agency",), None), "officers[0].agency"),
    ("honour level unknown", _set(O + ("honours", 0, "level"), "county"),
     "officers[0].honours[0].level"),
    ("leave to before from", _set(O + ("leave", 0, "to"), "2026-01-31"), "officers[0].leave[0]"),
    ("leave overlap", lambda s: s["officers"][0]["leave"].append(
        {"kind": "annual", "from": "2026-02-10", "to": "2026-02-12"}), "officers[0].leave[1]"),
    ("leave kind unknown", _set(O + ("leave", 0, "kind"), "study"), "officers[0].leave[0].kind"),
    ("absence negative", _set(O + ("unexcused_absence_days",), -1),
     "officers[0].unexcused_absence_days"),
    ("absence not whole", _set(O + ("unexcused_absence_days",), 2.5),
     "officers[0].unexcused_absence_days"),
    ("satisfaction count negative", _set(O + ("satisfaction", "basic"), -2),
     "officers[0].satisfaction.basic"),
    ("satisfaction count missing", _del(O + ("satisfaction", "dissatisfied")),
     "officers[0].satisfaction.dissatisfied"),
    ("unknown officer fact", _set(O + ("facts",), ["late_again"]), "officers[0].facts[0]"),
    ("section fact on an officer", _set(O + ("facts",), ["officer_criminal"]),
     "officers[0].facts[0]"),
    ("disqualified_last_year not boolean", _set(O + ("disqualified_last_year",), 1),
     "officers[0].disqualified_last_year"),
    ("duplicate officer id at the later one", _set(("officers", 1, "id"), "o1"), "officers[1].id"),
    ("section id equal to an officer id", _set(("sections", 0, "id"), "o2"), "sections[0].id"),
    ("mentor not an officer", _set(("officers", 1, "mentor"), "s1"), "officers[1].mentor"),
    ("section unknown", _set(O + ("section",), "s9"), "officers[0].section"),
    ("section of another agency", _set(("sections", 0, "agency"), "a2"), "officers[0].section"),
    ("section headcount negative", _set(("sections", 0, "headcount"), -1), "sections[0].headcount"),
    ("section score missing", _del(("sections", 0, "score")), "sections[0].score"),
    ("section score above 100", _set(("sections", 0, "score"), 101), "sections[0].score"),
    ("agency group unknown", _set(("agencies", 0, "group"), "province"), "agencies[0].group"),
    ("agency score above 100", _set(("agencies", 0, "score"), 100.01), "agencies[0].score"),
    ("award kind unknown", _set(("agencies", 0, "awards", 0, "kind"), "medal"),
     "agencies[0].awards[0].kind"),
    ("award level missing for group A", _del(("agencies", 0, "awards", 0, "level")),
     "agencies[0].awards[0].level"),
    ("previous class 4", _set(("agencies", 0, "previous_class"), 4), "agencies[0].previous_class"),
    ("criticisms negative", _set(("agencies", 0, "criticisms"), -1), "agencies[0].criticisms"),
    ("period H2", _set(("period",), "2026H2"), "period"),
    ("rating date missing", _del(("rating_date",)), "rating_date"),
    ("officers not a list", _set(("officers",), {}), "officers"),
    ("cut-offs not decreasing", _set(("rules", "cutoffs"), {"4": 96}), "rules.cutoffs.4"),
    ("cut-off of ★5 below the default ★4", _set(("rules", "cutoffs"), {"5": 90}),
     "rules.cutoffs.5"),
    ("cut-off above 105", _set(("rules", "cutoffs"), {"5": 105.5}), "rules.cutoffs.5"),
    ("cut-off key unknown", _set(("rules", "cutoffs"), {"1": 10}), "rules.cutoffs.1"),
    ("quota 0", _set(("rules", "five_star_quota"), 0), "rules.five_star_quota"),
    ("quota above 1", _set(("rules", "five_star_quota"), 1.01), "rules.five_star_quota"),
    ("amount negative", _set(("rules", "amounts", "officer_five_star"), -1),
     "rules.amounts.officer_five_star"),
    ("amount above twice the default", _set(("rules", "amounts", "section_five_star_per_head"),
                                            600.01), "rules.amounts.section_five_star_per_head"),
    ("unknown rule", _set(("rules", "bonus_for_all"), 1), "rules.bonus_for_all"),
    ("empty object", lambda s: s.clear(), "period"),
]


@pytest.mark.parametrize("name, change, path", BAD, ids=[b[0] for b in BAD])
def test_bad_snapshot_names_its_path_in_both_validators(name, change, path):
    snap = mutate(change)
    with pytest.raises(ValidationFailed) as fast:
        validate_snapshot(copy.deepcopy(snap))
    with pytest.raises(ValidationFailed) as slow:
        load_snapshot_marshmallow(copy.deepcopy(snap))
    assert fast.value.field == path
    assert slow.value.field == path


def test_valid_snapshot_normalised_the_same_by_both_validators():
    for snap in [base()] + [loads_snapshot(p.read_text(encoding="utf-8"))
                            for p in sorted(DATA.glob("*.json"))
                            if not p.name.endswith(".expected.json")]:
        assert validate_snapshot(copy.deepcopy(snap)) == load_snapshot_marshmallow(
            copy.deepcopy(snap))


def test_rate_payload_raises_validation_failed_naming_the_path():
    with pytest.raises(ValidationFailed) as err:
        rate_payload(mutate(_set(O + ("monthly", "2026-13"), 90)))
    assert err.value.field == "officers[0].monthly.2026-13"
    assert err.value.details[0]["field"] == "officers[0].monthly.2026-13"


def test_floats_become_exact_decimals():
    out = validate_snapshot(snapshot([officer(monthly={"2026-01": 94.2})]))
    assert str(out["officers"][0]["monthly"]["2026-01"]) == "94.2"


def test_level_optional_for_articles_and_inspections():
    snap = snapshot(agencies=[agency(awards=[{"kind": "article_adopted"},
                                             {"kind": "inspection_hosted", "level": None}])])
    assert validate_snapshot(snap)["agencies"][0]["awards"][0]["level"] is None


def test_defaults_filled_and_lists_optional():
    out = validate_snapshot({"period": "2026H1", "rating_date": "2026-07-08"})
    assert (out["officers"], out["sections"], out["agencies"], out["rules"]) == ([], [], [], {})
    o = validate_snapshot(snapshot([{"id": "o1", "agency": "a", "joined": "2020-01-01",
                                     "monthly": {}}]))["officers"][0]
    assert (o["honours"], o["leave"], o["facts"], o["unexcused_absence_days"],
            o["disqualified_last_year"], o["satisfaction"], o["section"], o["mentor"]) == (
        [], [], [], 0, False, None, None, None)


def test_month_of_the_second_half_outside_a_half_year_period():
    snap = snapshot([officer(monthly=months(90, 7))], period="2026H1", rating_date="2026-07-08")
    with pytest.raises(ValidationFailed) as err:
        validate_snapshot(snap)
    assert err.value.field == "officers[0].monthly.2026-07"


@pytest.mark.parametrize("text, path", [
    ('{"period": "2026", "period": "2027", "rating_date": "2027-01-08"}', "period"),
    ('{"period": "2026", "rating_date": "2027-01-08", "officers": [{"id": "o1", "id": "o2"}]}',
     "officers[0].id"),
    ('{"period": "2026", "rating_date": "2027-01-08", "sections": '
     '[{"id": "s1", "agency": "a", "headcount": 1, "score": NaN}]}', "sections[0].score"),
    ('{"period": "2026", "rating_date": "2027-01-08", "agencies": '
     '[{"id": "c1", "group": "county", "score": Infinity}]}', "agencies[0].score"),
    ('{"period": "2026", "rating_date": "2027-01-08", "agencies": [-Infinity]}', "agencies[0]"),
    ('{"period": "2026",', "$"),
])
def test_json_text_key_twice_and_non_finite_named_by_path(text, path):
    with pytest.raises(ValidationFailed) as err:
        loads_snapshot(text)
    assert err.value.field == path


def test_contract_vocabulary_equals_the_domain_defaults():
    assert contract.OFFICER_FACTS == defaults.OFFICER_FACTS
    assert contract.SECTION_FACTS == defaults.SECTION_FACTS
    assert contract.LEVELS == defaults.LEVELS
    assert contract.LEAVE_KINDS == defaults.LEAVE_KINDS
    assert contract.AGENCY_GROUPS == defaults.AGENCY_GROUPS
    assert set(contract.AWARD_KINDS) == set(defaults.AWARD_KINDS)
    assert {int(k): v for k, v in contract.DEFAULT_CUTOFFS.items()} == dict(defaults.CITY.cutoffs)
    assert contract.DEFAULT_AMOUNTS == dict(defaults.CITY.amounts)
    assert contract.AMOUNT_MAX_FACTOR == defaults.CITY.amount_max_factor
    assert contract.CUTOFF_RANGE == defaults.CITY.cutoff_range


def test_result_is_plain_json():
    result = rate_payload(base())
    assert json.loads(json.dumps(result, allow_nan=False)) == result


@pytest.mark.parametrize("name, change, path", [b for b in BAD if b[2].startswith("officers[0].")],
                         ids=[b[0] for b in BAD if b[2].startswith("officers[0].")])
def test_fast_officer_path_refuses_what_the_full_check_refuses(name, change, path):
    """The officer fast path (speed, issue 24) never accepts an officer with a problem in its own
    fields: it returns None and the full check names the problem."""
    o = mutate(change)["officers"][0]
    check = contract._Check()
    full = contract._officer(check, copy.deepcopy(o), "officers[0]")
    if check.problems:
        assert contract._officer_fast(copy.deepcopy(o)) is None
    else:       # a cross-reference problem (month outside the period): the officer itself is valid
        assert contract._officer_fast(copy.deepcopy(o)) == full


def test_fast_officer_path_returns_what_the_full_check_returns():
    cases = base()["officers"] + [
        officer("o3", monthly={"2026-01": 94.2, "2026-02": 94.2, "2026-03": 0.0, "2026-04": -0.0,
                               "2026-05": 100, "2026-06": 100.0, "2026-07": 0},
                leave=[{"kind": "sick", "from": "2026-02-01", "to": "2026-02-10"},
                       {"kind": "personal", "from": "2026-03-01", "to": "2026-03-01"}],
                facts=["secret_leak"], unexcused_absence_days=3, disqualified_last_year=True),
        officer("o4", section=None, mentor=None, monthly={})]
    for o in cases:
        check = contract._Check()
        full = contract._officer(check, copy.deepcopy(o), "officers[0]")
        assert not check.problems
        fast = contract._officer_fast(copy.deepcopy(o))
        assert fast == full
        assert [type(v) for v in fast["monthly"].values()] == [type(v) for v in full["monthly"].values()]
        assert [str(v) for v in fast["monthly"].values()] == [str(v) for v in full["monthly"].values()]


def test_a_rating_period_of_year_zero_is_refused_by_name():
    """schemathesis on the real broker sent ``0000`` to POST /scoring/ratings/preview: the RPC took it
    and failed making a date of year 0 (a 502); the contract refuses it (400 naming ``period``)."""
    import pytest as _pytest

    from shared.contracts import scoring as scoring_contract
    from shared.errors import ValidationFailed
    from shared.schemas import load

    for schema in (scoring_contract.PreviewRating(), scoring_contract.RunRating()):
        for period in ("0000", "0999H1", "1899"):
            with _pytest.raises(ValidationFailed) as refused:
                load(schema, {"period": period, "scope": "c_ps"})
            assert refused.value.field == "period"
        assert load(schema, {"period": "2026H1", "scope": "c_ps"})["period"] == "2026H1"
