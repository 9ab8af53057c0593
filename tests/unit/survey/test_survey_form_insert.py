"""Issue 24 item 5: a batch's forms go into SQLite through one Core INSERT … ON CONFLICT DO NOTHING
RETURNING (``handlers._insert_new_forms``), where the ORM's bulk insert of the same statement stood.
Both ways must store the same rows (``signed_by`` included) and answer the same new serials: the
first copy of a serial wins, a serial already in the campaign is not new."""
from types import SimpleNamespace

from sqlalchemy import create_engine, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from services.survey import handlers, models
from services.survey.domain import forms as form_rules
from services.survey.domain.vocabulary import ALL_GROUPS


def _old_insert(uow, campaign_id, forms):
    """The code before: the ORM's bulk insert of one parameter set per form."""
    if not forms:
        return []
    stmt = sqlite_insert(models.FormRow).on_conflict_do_nothing().returning(models.FormRow.serial)
    rows = uow.session.execute(stmt, [{"campaign_id": campaign_id, "serial": f.serial, "subject": f.subject,
                                       "grp": handlers.GROUP_INDEX[f.group], "answers": f.answers}
                                      for f in forms.forms()])
    return [r[0] for r in rows]


def _batch(n, start=0, repeat=()):
    serials = [f"F{i}" for i in range(start, start + n)] + list(repeat)
    k = len(serials)
    return form_rules.Batch(list(range(k)), serials, [f"o{i % 7}" for i in range(k)],
                            [ALL_GROUPS[i % len(ALL_GROUPS)] for i in range(k)],
                            ["SBDN"[i % 4] * 35 for i in range(k)])


def _run(insert, actor):
    engine = create_engine("sqlite://")
    models.Base.metadata.create_all(engine, tables=[models.FormRow.__table__])
    answers = []
    with Session(engine) as session:
        session.info["signed_by"] = actor
        uow = SimpleNamespace(session=session)
        session.execute(select(1))                  # the transaction begun, as in a unit of work
        answers.append(sorted(insert(uow, "c1", _batch(3))))
        # a batch delivered again in part, a serial twice in it, forms of another campaign
        answers.append(sorted(insert(uow, "c1", _batch(1500, start=2, repeat=("F5", "F2000")))))
        answers.append(sorted(insert(uow, "c2", _batch(2))))
        answers.append(sorted(insert(uow, "c1", form_rules.Batch([], [], [], [], []))))
        session.commit()
        rows = session.execute(select(models.FormRow.__table__).order_by(
            models.FormRow.campaign_id, models.FormRow.serial)).all()
    return answers, [tuple(r) for r in rows]


def test_the_core_insert_stores_and_answers_what_the_orm_insert_did():
    old = _run(_old_insert, "service:gateway")
    new = _run(handlers._insert_new_forms, "service:gateway")
    assert new == old
    answers, rows = new
    assert answers[0] == ["F0", "F1", "F2"] and len(answers[1]) == 1500 - 1 + 1 and "F2" not in answers[1]
    assert len(rows) == 3 + 1500 + 2 and {r[-1] for r in rows} == {"service:gateway"}
    # the first copy of a repeated serial is the one kept
    f5 = next(r for r in rows if r[:2] == ("c1", "F5"))
    assert f5[3:5] == (handlers.GROUP_INDEX[ALL_GROUPS[3 % len(ALL_GROUPS)]], "N" * 35)


def test_a_timer_without_an_actor_stores_null_as_before():
    assert _run(handlers._insert_new_forms, None) == _run(_old_insert, None)
    assert {r[-1] for r in _run(handlers._insert_new_forms, None)[1]} == {None}
