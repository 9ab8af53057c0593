"""#24 item 5: the workflow's batched reads and writes answer what the one-at-a-time ones did:
the rule packs of a kind read once (:func:`repository.template_from`) pick the pack
:func:`repository.template_for` picks; units read at once (``Ctx.load_units``) are those of
:func:`history.unit_on`; a person's posts alone (``History.load_posts``) give the post a whole
load gives; evaluations read as records and written back by primary key in one statement."""
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, insert, select
from sqlalchemy.orm import Session

from services.scoring import followup_models  # noqa: F401  (their tables on the same Base)
from services.scoring import history, repository
from services.scoring.models import (Base, CriteriaPack, Evaluation, EvaluationLog, Person, PersonPost,
                                     Spell, Unit, UnitVersion)

EARLIEST = date(1900, 1, 1)


@pytest.fixture
def s():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session


def pack(agency, version, extra):
    return {"agency": agency, "version": version,
            "items": [{"dimension": "political", "id": extra, "label": extra, "max": 2}],
            "maxima": {"political.study": 6}}


def test_the_packs_of_a_kind_read_once_pick_the_pack_the_query_picks(s):
    s.execute(insert(CriteriaPack), [
        dict(agency="a1", kind="officer", version=1, effective_from="2025-01", pack=pack("a1", 1, "x1")),
        dict(agency="a1", kind="officer", version=3, effective_from="2025-06", pack=pack("a1", 3, "x3")),
        dict(agency="a1", kind="officer", version=2, effective_from="2025-03", pack=pack("a1", 2, "x2")),
        dict(agency="a2", kind="officer", version=1, effective_from="2025-09", pack=pack("a2", 1, "y1")),
        dict(agency="a1", kind="section", version=9, effective_from="2025-01", pack={}),
    ])
    uow = SimpleNamespace(session=s)
    packs = repository.packs_of_kind(s, "officer")
    seen = set()
    for agency in ("a1", "a2", "a3", None):
        for month in ("2024-12", "2025-01", "2025-02", "2025-03", "2025-05", "2025-06", "2025-12", None):
            want = repository.template_for(uow, "officer", agency, month)
            assert repository.template_from(packs, "officer", agency, month) == want, (agency, month)
            seen.add(want.version)
    assert len(seen) == 5          # the city's and a1's three and a2's: every case met


def test_units_read_at_once_are_those_read_one_by_one(s):
    s.execute(insert(UnitVersion), [
        dict(id="s1", since=EARLIEST, until=date(2025, 6, 14), kind="section", parent="a1", agency="a1",
             name="one"),
        dict(id="s1", since=date(2025, 6, 15), until=None, kind="section", parent="a2", agency="a2",
             name="one"),
        dict(id="s2", since=EARLIEST, until=date(2025, 3, 31), kind="section", parent="a1", agency="a1",
             name="two"),
        dict(id="a1", since=EARLIEST, until=None, kind="agency", parent=None, agency="a1", name="A"),
    ])
    s.execute(insert(Unit), [dict(id="a1", kind="agency", agency="a1", evaluator="city"),
                             dict(id="s1", kind="section", agency="a2", evaluator=None)])
    ctx = repository.Ctx(SimpleNamespace(session=s), on=date(2025, 7, 1))
    ctx.load_units(["s1", "s2", "a1", "nope"])
    for day in (date(2025, 1, 1), date(2025, 4, 1), date(2025, 6, 14), date(2025, 6, 15), None):
        for uid in ("s1", "s2", "a1", "nope"):
            assert ctx.unit(uid, day) == history.unit_on(s, uid, day or ctx.day), (uid, day)
    assert ctx.unit("a1").evaluator == "city" and ctx.unit("s1").agency == "a2"
    assert ctx.unit("s2") is None


def test_posts_alone_give_the_post_a_whole_load_gives(s):
    s.execute(insert(Person), [
        dict(id="p1", agency="a1", section="s1", position="officer", joined=date(2024, 1, 1)),
        dict(id="p2", agency="a1", section=None, position="leader", joined=date(2024, 1, 1),
             left_on=date(2025, 5, 1)),
        dict(id="p3", agency="a2", section=None, position="head", joined=date(2024, 1, 1))])
    s.execute(insert(PersonPost), [
        dict(person="p1", start=date(2024, 1, 1), agency="a1", section="s1", position="officer"),
        dict(person="p1", start=date(2025, 3, 1), agency="a1", section=None, position="leader",
             supervises="s1;s2"),
        dict(person="p2", start=date(2024, 1, 1), agency="a1", section=None, position="leader")])
    s.execute(insert(Spell), [dict(id="x", person="p1", kind="dismissed", start=date(2025, 8, 1))])
    whole, posts = history.History(s), history.History(s)
    whole.load(["p1", "p2", "p3"])
    posts.load_posts(["p1", "p2", "p3"])
    for pid in ("p1", "p2", "p3", "p4"):
        for day in (date(2024, 6, 1), date(2025, 3, 1), date(2025, 9, 1)):
            assert posts.post(pid, day) == whole.post(pid, day)
            assert posts.team_on(pid, day) == whole.on_team(pid, day), (pid, day)
    assert posts.loaded == set()          # posts only: the rest of the history not read
    assert whole.on_team("p2", date(2025, 5, 2)) is False and whole.on_team("p1", date(2025, 8, 1)) is False


def test_evaluations_read_as_records_and_written_back_in_one_statement(s):
    row = dict(kind="officer", subject="p1", month="2025-01", agency="a1", evaluator="a1",
               state="submitted", template_version="t", item_scores={"given": {"a": "1"}},
               deductions=[], self_score=90, score=90, late=False, objections=0)
    s.execute(insert(Evaluation), [dict(row, id="officer:p1:2025-01"),
                                   dict(row, id="officer:p2:2025-01", subject="p2")])
    evals = repository.load_evaluations(s, [{"kind": "officer", "subject": p, "month": "2025-01"}
                                            for p in ("p1", "p2", "p3")])
    assert sorted(evals) == ["officer:p1:2025-01", "officer:p2:2025-01"]
    e = evals["officer:p1:2025-01"]
    assert e.item_scores == {"given": {"a": "1"}} and e.state == "submitted"
    e.state, e.reviewed_by, e.item_scores = "reviewed", "m1", {"given": {"a": "2"}}
    repository.save_evaluations(s, [e, e], ("state", "reviewed_by", "item_scores"))
    got = s.execute(select(Evaluation.id, Evaluation.state, Evaluation.reviewed_by, Evaluation.item_scores)
                    .order_by(Evaluation.id)).all()
    assert [tuple(r) for r in got] == [("officer:p1:2025-01", "reviewed", "m1", {"given": {"a": "2"}}),
                                      ("officer:p2:2025-01", "submitted", None, {"given": {"a": "1"}})]
    repository.save_evaluations(s, [], ("state",))        # nothing to write: no statement
    assert s.scalar(select(EvaluationLog.id)) is None


def test_a_bodys_sections_are_those_of_the_whole_tree_on_the_day(s):
    """``history.sections_of_body`` (a body's candidates only) answers what the whole city's tree
    filtered on the body answered: a section moved to another agency, one dissolved, one whose read
    model names its own evaluator, a unit that was a section once."""
    s.execute(insert(UnitVersion), [
        dict(id="s1", since=EARLIEST, until=date(2025, 6, 14), kind="section", parent="a1", agency="a1"),
        dict(id="s1", since=date(2025, 6, 15), until=None, kind="section", parent="a2", agency="a2"),
        dict(id="s2", since=EARLIEST, until=date(2025, 3, 31), kind="section", parent="a1", agency="a1"),
        dict(id="s3", since=EARLIEST, until=None, kind="section", parent="a1", agency="a1"),
        dict(id="s4", since=EARLIEST, until=None, kind="section", parent="a2", agency="a2"),
        dict(id="s5", since=EARLIEST, until=date(2025, 2, 28), kind="section", parent="a2", agency="a2"),
        dict(id="s5", since=date(2025, 3, 1), until=None, kind="agency", parent=None, agency="s5"),
        dict(id="a1", since=EARLIEST, until=None, kind="agency", parent=None, agency="a1"),
        dict(id="a2", since=EARLIEST, until=None, kind="agency", parent=None, agency="a2")])
    s.execute(insert(Unit), [dict(id="s3", kind="section", agency="a1", evaluator="city"),
                             dict(id="s4", kind="section", agency="a2", evaluator=""),
                             dict(id="a1", kind="agency", agency="a1", evaluator="city")])
    bodies = 0
    for day in (date(2025, 1, 31), date(2025, 3, 31), date(2025, 4, 30), date(2025, 6, 30)):
        tree = history.units_on(s, day, "section")
        for body in ("a1", "a2", "city", "s5", "nope"):
            want = {uid: u for uid, u in tree.items() if u.body == body}
            assert history.sections_of_body(s, body, day) == want, (body, day)
            bodies += bool(want)
    assert bodies >= 10
    assert set(history.sections_of_body(s, "a2", date(2025, 6, 30))) == {"s1", "s4"}


def test_supervisors_read_for_a_batch_are_those_read_section_by_section(s):
    """``History.load_supervisors`` (one query for a batch's sections, each with the agency of one
    of its versions) gives ``section_supervisors`` the candidates its own LIKE query gives, so the
    same leaders."""
    s.execute(insert(Person), [
        dict(id=p, agency=a, section=None, position="leader", joined=date(2024, 1, 1))
        for p, a in (("l1", "a1"), ("l2", "a1"), ("l3", "a2"), ("l4", "a1"))])
    s.execute(insert(PersonPost), [
        dict(person="l1", start=date(2024, 1, 1), agency="a1", section=None, position="leader",
             supervises="s1;s12"),
        dict(person="l1", start=date(2025, 6, 15), agency="a1", section=None, position="leader",
             supervises="s12"),
        dict(person="l2", start=date(2024, 1, 1), agency="a1", section=None, position="leader",
             supervises="s2"),
        dict(person="l2", start=date(2025, 6, 15), agency="a1", section=None, position="leader",
             supervises="s1;s2"),
        dict(person="l3", start=date(2024, 1, 1), agency="a2", section=None, position="leader",
             supervises="s1;s3"),
        dict(person="l4", start=date(2024, 1, 1), agency="a1", section="s2", position="chief",
             supervises="s1")])
    s.execute(insert(UnitVersion), [
        dict(id="s1", since=EARLIEST, until=date(2025, 6, 14), kind="section", parent="a1", agency="a1"),
        dict(id="s1", since=date(2025, 6, 15), until=None, kind="section", parent="a2", agency="a2"),
        dict(id="s2", since=EARLIEST, until=None, kind="section", parent="a1", agency="a1"),
        dict(id="s3", since=EARLIEST, until=None, kind="section", parent="a2", agency="a2"),
        dict(id="s12", since=EARLIEST, until=None, kind="section", parent="a1", agency="a1"),
        dict(id="s9", since=EARLIEST, until=None, kind="section", parent="a9", agency="a9")])
    # each section with the agency of one of its versions (the act's day's, as Ctx.unit reads it)
    wanted = [("s1", "a1"), ("s1", "a2"), ("s2", "a1"), ("s3", "a2"), ("s12", "a1"), ("s9", "a9")]
    for day in (date(2025, 1, 1), date(2025, 6, 15), date(2025, 12, 31)):
        one, batch = history.History(s), history.History(s)
        batch.load_supervisors(wanted + [(None, "a1"), ("s1", None)])
        for sec, agency in wanted:
            assert batch.section_supervisors(sec, agency, day) == one.section_supervisors(sec, agency, day), \
                (sec, agency, day)
    assert batch.section_supervisors("s1", "a1", date(2025, 12, 31)) == ["l2"]
    assert history.History(s).section_supervisors("s1", "a1", date(2025, 1, 1)) == ["l1"]


def test_a_pair_event_sets_the_mentor_of_the_latest_open_pair(s):
    """``people.mentor`` after each mentoring event (one UPDATE with the latest open pair as its
    value, #24 item 5) is the mentor of the latest-starting pair neither ended nor cancelled, null
    without one; an event about a person not in the read model changes nobody."""
    from services.scoring import read_model
    from services.scoring.models import MentorSpan

    s.execute(insert(Person), [
        dict(id=p, agency="a1", section="s1", position="officer", joined=date(2024, 1, 1), mentor="old")
        for p in ("m1", "m2")])
    uow = SimpleNamespace(session=s)

    def pair(pid, mentor, mentee, start, end=None):
        return {"pair_id": pid, "mentor": mentor, "mentee": mentee, "start": date.fromisoformat(start),
                "end": None if end is None else date.fromisoformat(end)}

    def expected(mentee):
        open_ = sorted((r.start, r.mentor) for r in s.scalars(select(MentorSpan).where(
            MentorSpan.mentee == mentee, MentorSpan.end.is_(None), MentorSpan.cancelled.is_(False))))
        return open_[-1][1] if open_ else None

    def mentors():
        return dict(s.execute(select(Person.id, Person.mentor)).all())

    steps = [
        ("assigned", pair("p1", "c1", "m1", "2025-01-01")),
        ("assigned", pair("p2", "c2", "m1", "2025-06-01")),
        ("unassigned", dict(pair("p2", "c2", "m1", "2025-06-01", "2025-08-31"), reason="transfer")),
        ("assigned", pair("p3", "c3", "m2", "2025-03-01")),
        ("unassigned", dict(pair("p3", "c3", "m2", "2025-03-01"), reason="transfer")),   # cancelled
        ("unassigned", dict(pair("p1", "c1", "m1", "2025-01-01", "2025-12-31"), reason="transfer")),
        ("assigned", pair("p9", "c9", "nobody", "2025-01-01")),
        ("unassigned", dict(pair("p4", "c4", "m2", "2025-10-01", "2025-10-31"), reason="transfer")),
        ("assigned", pair("p4", "c4", "m2", "2025-10-01")),      # after its end: the end is kept
        ("assigned", pair("p5", "c5", "m2", "2025-11-01")),
        ("assigned", pair("p5", "c5", "m2", "2025-11-01")),      # the same event again
    ]
    seen, want = [], mentors()
    for kind, event in steps:
        getattr(read_model, f"on_mentor_{kind}")(uow, event)
        if event["mentee"] in want:         # only the mentee named changes
            want[event["mentee"]] = expected(event["mentee"])
        got = mentors()
        assert got == want, (kind, event)
        seen.append(got["m1"])
    assert seen[:3] == ["c1", "c2", "c1"] and mentors() == {"m1": None, "m2": "c5"}
    spans = {r.pair_id: (r.mentor, r.mentee, r.start, r.end, r.cancelled) for r in s.scalars(select(MentorSpan))}
    assert spans["p4"] == ("c4", "m2", date(2025, 10, 1), date(2025, 10, 31), False)
    assert spans["p3"][4] is True and spans["p5"] == ("c5", "m2", date(2025, 11, 1), None, False)
    assert len(spans) == 6


def test_referral_names_read_at_once_are_those_read_one_by_one(s):
    """A year's referrals listed (``followups._names``: a query a month for the units, one for the
    people) carry the names ``followups._name`` reads referral by referral: a unit as named on its
    ranked month's last day (renamed mid-year), a person by his name, None for one unknown."""
    from services.scoring import followups as fu
    from services.scoring.followup_models import Referral

    s.execute(insert(UnitVersion), [
        dict(id="s1", since=EARLIEST, until=date(2025, 6, 30), kind="section", parent="a1", agency="a1",
             name="一科"),
        dict(id="s1", since=date(2025, 7, 1), until=None, kind="section", parent="a1", agency="a1",
             name="新一科"),
        dict(id="s2", since=EARLIEST, until=None, kind="section", parent="a1", agency="a1", name=None)])
    s.execute(insert(Unit), [dict(id="s2", kind="section", agency="a1", name="二科"),
                             dict(id="s3", kind="section", agency="a1", name="三科")])
    s.execute(insert(Person), [dict(id="l1", name="甲", agency="a1", position="leader", joined=date(2020, 1, 1)),
                               dict(id="l2", name=None, agency="a1", position="leader", joined=date(2020, 1, 1))])
    rows = [Referral(id=f"{g}:{subj}:{m}", evaluator="a1", month=m, grp=g, subject=subj, klass="good",
                     state="open")
            for g, subj, m in (("units", "s1", "2025-06"), ("units", "s1", "2025-07"), ("units", "s2", "2025-03"),
                               ("units", "s3", "2025-03"), ("units", "s9", "2025-03"), ("leaders", "l1", "2025-03"),
                               ("leaders", "l2", "2025-04"), ("leaders", "l9", "2025-05"))]
    s.add_all(rows)
    s.flush()
    names = fu._names(s, rows)
    assert [fu.referral_dict(s, r, names) for r in rows] == [fu.referral_dict(s, r) for r in rows]
    assert [names[(r.grp, r.subject, r.month)] for r in rows] == [
        "一科", "新一科", "二科", "三科", None, "甲", None, None]


def test_a_bodys_ranked_officers_are_read_from_the_candidates_posts_only(s):
    """``ranking._group_members`` reads the posts of those who ever held the group's post (or whose
    row holds it) only, and finds whom a whole read of every subject's posts finds: a leader
    demoted in the month, an officer promoted, one whose first dated post starts after the month
    (his row stands for the post before it), one unknown to the read model."""
    from services.scoring import ranking

    s.execute(insert(Person), [
        dict(id=p, agency="a1", section=sec, position=pos, joined=date(2020, 1, 1))
        for p, sec, pos in (("h", None, "head"), ("l1", None, "leader"), ("l2", None, "officer"),
                            ("o1", "s1", "leader"), ("o2", "s1", "officer"), ("c1", "s1", "chief"),
                            ("late", "s1", "leader"))])
    s.execute(insert(PersonPost), [
        dict(person="h", start=date(2020, 1, 1), agency="a1", section=None, position="head"),
        dict(person="l1", start=date(2020, 1, 1), agency="a1", section=None, position="leader"),
        dict(person="l2", start=date(2020, 1, 1), agency="a1", section=None, position="leader"),
        dict(person="l2", start=date(2025, 3, 20), agency="a1", section="s1", position="officer"),
        dict(person="o1", start=date(2020, 1, 1), agency="a1", section="s1", position="officer"),
        dict(person="o1", start=date(2025, 3, 10), agency="a1", section=None, position="leader"),
        dict(person="o2", start=date(2020, 1, 1), agency="a1", section="s1", position="officer"),
        dict(person="c1", start=date(2020, 1, 1), agency="a1", section="s1", position="chief"),
        dict(person="late", start=date(2025, 9, 1), agency="a1", section="s1", position="officer")])
    subjects = ["h", "l1", "l2", "o1", "o2", "c1", "late", "ghost"]
    for month in ("2025-02", "2025-03", "2025-10"):
        s.execute(insert(Evaluation), [dict(id=f"officer:{p}:{month}", kind="officer", subject=p, month=month,
                                            agency="a1", evaluator="a1", state="approved",
                                            template_version="t", late=False, objections=0)
                                       for p in subjects])
    whole = history.History(s)
    whole.load(subjects)
    for month in ("2025-02", "2025-03", "2025-10"):
        for group in ("leaders", "chiefs", "officers"):
            wanted = ranking.rank_rules.positions_of(group)
            want = sorted(p for p in subjects if (post := whole.post(p, history.asof.month_last_day(month)))
                          is not None and post.position in wanted)
            assert ranking._group_members(s, "a1", group, month) == ("officer", want), (group, month)
    assert ranking._group_members(s, "a1", "leaders", "2025-02")[1] == ["h", "l1", "l2", "late"]
    assert ranking._group_members(s, "a1", "leaders", "2025-03")[1] == ["h", "l1", "late", "o1"]
    assert ranking._group_members(s, "a1", "leaders", "2025-10")[1] == ["h", "l1", "o1"]


def test_the_missing_of_a_month_skip_reading_the_team_of_who_has_an_evaluation(s):
    """``due_of_body(…, have) - have`` (what the not-posted / not-filed lists ask) is
    ``due_of_body(…) - have``: the officers with an evaluation are left out unread."""
    from services.scoring.models import EvaluatorSpan
    s.execute(insert(Person), [
        dict(id=p, agency="a1", section="s1", position="officer", joined=date(2024, 1, 1),
             left_on=date(2025, 2, 10) if p == "p3" else None) for p in ("p1", "p2", "p3", "p4", "p5")])
    s.execute(insert(EvaluatorSpan), [
        dict(person=p, start=date(2024, 1, 1), end=date(2025, 1, 31) if p == "p5" else None, grp="a1",
             rule="staff_by_agency", resolved_at="t") for p in ("p1", "p2", "p3", "p4", "p5")])
    s.execute(insert(Spell), [dict(id="x", person="p4", kind="transferred_out", start=date(2025, 3, 1))])
    for month in ("2025-01", "2025-02", "2025-03"):
        full = history.due_of_body(s, "a1", month)
        for have in (set(), {("officer", "p1")}, {("officer", "p1"), ("officer", "p3"), ("section", "s9")},
                     {("officer", p) for p in ("p1", "p2", "p3", "p4", "p5")}):
            assert history.due_of_body(s, "a1", month, have) - have == full - have, (month, have)
    assert ("officer", "p2") in history.due_of_body(s, "a1", "2025-03")
    assert ("officer", "p3") not in history.due_of_body(s, "a1", "2025-03")
