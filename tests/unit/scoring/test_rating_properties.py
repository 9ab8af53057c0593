"""Properties of the rating engine (hypothesis): order kept, monotone stars, bad input exit 2."""
import contextlib
import copy
import io
import json
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lianbao.cli import main
from services.scoring.domain.payload import rate_payload

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

score = st.one_of(st.integers(0, 100), st.integers(0, 10000).map(lambda x: x / 100))
sat = st.none() | st.fixed_dictionaries({"satisfied": st.integers(0, 20),
                                         "basic": st.integers(0, 5),
                                         "dissatisfied": st.integers(0, 20)})
honours = st.lists(st.fixed_dictionaries({"title": st.sampled_from(["甲", "乙", "丙"]),
                                          "level": st.sampled_from(["city", "provincial",
                                                                    "central"])}), max_size=5)


@st.composite
def snapshots(draw):
    n = draw(st.integers(0, 8))
    officers = []
    for i in range(n):
        o = {"id": f"o{i}", "agency": draw(st.sampled_from(["a1", "a2"])),
             "joined": draw(st.sampled_from(["2010-01-01", "2026-01-08", "2026-06-01"])),
             "monthly": draw(st.dictionaries(st.sampled_from(MONTHS), score, max_size=12)),
             "honours": draw(honours), "satisfaction": draw(sat),
             "unexcused_absence_days": draw(st.integers(0, 6)),
             "facts": draw(st.lists(st.sampled_from(["secret_leak", "mass_incident"]),
                                    max_size=1 if draw(st.integers(0, 9)) == 0 else 0)),
             "disqualified_last_year": draw(st.booleans())}
        if i and draw(st.booleans()):
            o["mentor"] = f"o{draw(st.integers(0, i - 1))}"
        officers.append(o)
    sections = [{"id": f"s{i}", "agency": "a1", "headcount": draw(st.integers(0, 30)),
                 "score": draw(score), "honours": draw(honours), "satisfaction": draw(sat)}
                for i in range(draw(st.integers(0, 3)))]
    agencies = [{"id": f"c{i}", "group": draw(st.sampled_from(["county", "city_unit"])),
                 "score": draw(score), "criticisms": draw(st.integers(0, 3)),
                 "previous_class": draw(st.sampled_from([None, 1, 2, 3])),
                 "awards": draw(st.lists(st.sampled_from(
                     [{"kind": "article_adopted"}, {"kind": "unit_commended", "level": "central"},
                      {"kind": "experience_promoted", "level": "city"}]), max_size=4))}
                for i in range(draw(st.integers(0, 5)))]
    rules = draw(st.sampled_from([{}, {"five_star_quota": 0.2}, {"cutoffs": {"5": 97}}]))
    return {"period": "2026", "rating_date": "2027-01-08", "rules": rules, "officers": officers,
            "sections": sections, "agencies": agencies}


@SETTINGS
@given(snapshots())
def test_any_valid_snapshot_gives_the_same_ids_in_order(snap):
    result = rate_payload(copy.deepcopy(snap))
    for coll in ("officers", "sections", "agencies"):
        assert [r["id"] for r in result[coll]] == [x["id"] for x in snap[coll]]
        for r in result[coll]:
            assert isinstance(r["explanation"], list)
            if coll != "agencies":
                assert (r["stars"] is None) == (r["status"] != "rated")


@SETTINGS
@given(snapshots(), st.data())
def test_stars_never_rise_when_a_score_falls(snap, data):
    candidates = [i for i, o in enumerate(snap["officers"]) if o["monthly"]]
    if not candidates:
        return
    i = data.draw(st.sampled_from(candidates))
    month = data.draw(st.sampled_from(sorted(snap["officers"][i]["monthly"])))
    drop = data.draw(st.integers(1, 5000).map(lambda x: x / 100))
    before = rate_payload(copy.deepcopy(snap))["officers"][i]
    lower = copy.deepcopy(snap)
    old = lower["officers"][i]["monthly"][month]
    lower["officers"][i]["monthly"][month] = max(0, round(old - drop, 2))
    after = rate_payload(lower)["officers"][i]
    if before["status"] == "rated" and after["status"] == "rated":
        assert after["stars"] <= before["stars"]
        assert after["score"] <= before["score"]


json_junk = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True) |
    st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                 max_size=3),
    max_leaves=6)


def _nodes(value, path=()):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _nodes(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _nodes(v, path + (i,))


def run_cli(text: str):
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin
    sys.stdin = io.StringIO(text)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["rate", "-"])
    finally:
        sys.stdin = old
    return code, out.getvalue(), err.getvalue()


def _mutate(snap, data, junk_for):
    paths = [p for p in _nodes(snap) if p]
    path = data.draw(st.sampled_from(paths))
    node = snap
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = data.draw(junk_for(node[path[-1]]))
    return path


def _never_valid_for(original):
    """Junk of a JSON type the contract never accepts where ``original`` stands: an array where an
    object, string, number, boolean or null was, an object where an array was."""
    scalars = st.none() | st.booleans() | st.integers(-10, 10) | st.text(max_size=3)
    if isinstance(original, list):
        return st.dictionaries(st.text(min_size=1, max_size=3), scalars, min_size=1, max_size=2)
    return st.lists(scalars, max_size=2)


@SETTINGS
@given(snapshots(), st.data())
def test_a_bad_snapshot_always_exits_2_naming_a_field(snap, data):
    path = _mutate(snap, data, _never_valid_for)
    code, out, err = run_cli(json.dumps(snap))
    assert code == 2, (path, out[:200])
    assert out == ""
    first = err.splitlines()[0]
    assert first.startswith("lianbao rate: ")
    field = first[len("lianbao rate: "):].split(": ", 1)[0]
    assert field and field != "_schema"
    assert "Traceback" not in err


@SETTINGS
@given(snapshots(), st.data())
def test_any_junk_anywhere_is_rated_like_the_engine_or_exits_2_never_a_traceback(snap, data):
    _mutate(snap, data, lambda _original: json_junk)
    code, out, err = run_cli(json.dumps(snap))                # NaN/Infinity written as such
    assert code in (0, 2), err
    assert "Traceback" not in err
    if code == 0:       # the junk happened to be valid there: the command printed the engine's result
        assert json.loads(out) == json.loads(json.dumps(rate_payload(json.loads(json.dumps(snap)))))
    else:
        assert out == "" and err.startswith("lianbao rate: ")


@SETTINGS
@given(snapshots(), st.sampled_from(["unknown", "range", "type", "nan"]), st.data())
def test_a_known_fault_is_named_at_its_path(snap, fault, data):
    if not snap["officers"]:
        snap["officers"].append({"id": "ox", "agency": "a1", "joined": "2010-01-01",
                                 "monthly": {}})
    i = data.draw(st.integers(0, len(snap["officers"]) - 1))
    o = snap["officers"][i]
    if fault == "unknown":
        o["grade"], expected = 1, f"officers[{i}].grade"
    elif fault == "range":
        o["monthly"]["2026-05"], expected = 100.01, f"officers[{i}].monthly.2026-05"
    elif fault == "type":
        o["joined"], expected = 20100101, f"officers[{i}].joined"
    else:
        o["monthly"]["2026-05"], expected = float("nan"), f"officers[{i}].monthly.2026-05"
    code, out, err = run_cli(json.dumps(snap))
    assert code == 2 and out == ""
    assert f"lianbao rate: {expected}: " in err
