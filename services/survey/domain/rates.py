"""Satisfaction rates per subject, per dimension and per respondent group.

Rules:
* satisfaction rate = (satisfied + basically satisfied) / answered, where answered counts 满意,
  基本满意 and 不满意 and 不了解 is no answer (SPEC §4, 001 §一2);
* rates pool all answers (not a mean of per-form rates) and are null, never 0, when nothing was
  answered (SPEC §4);
* below 60% disqualifies a section or an officer from stars (M§五(二)1(1)③, 1(2)③);
* the team target is 90% or more (M§一8 "达90%以上"; 以上 includes the number itself, M§六).

Arithmetic is exact (:class:`fractions.Fraction`); the wire carries the exact counts and a
4-decimal display of the rate rounded half-up.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import chain, count
from operator import add

from .questionnaire import Questionnaire, dimension_runs
from .vocabulary import BASIC, DIMENSIONS, DISSATISFIED, RESPONDENT_GROUPS, SATISFIED

DISQUALIFICATION_LINE = Fraction(60, 100)
TEAM_TARGET = Fraction(90, 100)
RATE_PLACES = 4


@dataclass
class Counts:
    satisfied: int = 0
    basic: int = 0
    dissatisfied: int = 0

    @property
    def answered(self) -> int:
        return self.satisfied + self.basic + self.dissatisfied

    def add(self, satisfied: int, basic: int, dissatisfied: int) -> "Counts":
        self.satisfied += satisfied
        self.basic += basic
        self.dissatisfied += dissatisfied
        return self

    def __iadd__(self, other: "Counts") -> "Counts":
        return self.add(other.satisfied, other.basic, other.dissatisfied)


def satisfaction_rate(counts: Counts) -> Fraction | None:
    """(satisfied + basically satisfied) / answered, exact; None when nothing was answered.

    Source: SPEC §4 ("满意和基本满意率", M§一8); 不了解 is not in the denominator.
    """
    if counts.answered == 0:
        return None
    return Fraction(counts.satisfied + counts.basic, counts.answered)


def below_disqualification_line(rate: Fraction | None) -> bool:
    """Below 60% disqualifies from stars (M§五(二)1(1)③ and 1(2)③ "满意率与基本满意率低于60%");
    exactly 60% does not (以下不含本数, M§六).  No answer: no verdict (False)."""
    return rate is not None and rate < DISQUALIFICATION_LINE


def meets_team_target(rate: Fraction | None) -> bool:
    """The team target: satisfied + basically satisfied at 90% or more (M§一8 "达90%以上";
    以上含本数, M§六).  No answer does not meet it."""
    return rate is not None and rate >= TEAM_TARGET


def format_rate(rate: Fraction | None, places: int = RATE_PLACES) -> str | None:
    """The rate as a decimal string rounded half-up, computed on integers (exact); None stays None."""
    if rate is None:
        return None
    scale = 10 ** places
    num, den = rate.numerator, rate.denominator
    units = (2 * num * scale + den) // (2 * den)       # half-up for rates >= 0
    whole, frac = divmod(units, scale)
    return f"{whole}.{frac:0{places}d}"


def tally_answers(answers: str, questionnaire: Questionnaire) -> dict[str, Counts]:
    """Count one form's answers per dimension (SPEC §4; the reference the store's SQL must match)."""
    out: dict[str, Counts] = {}
    for dim, runs in dimension_runs(questionnaire).items():
        counts = Counts()
        for start, length in runs:
            part = answers[start:start + length]
            counts.add(part.count(SATISFIED), part.count(BASIC), part.count(DISSATISFIED))
        out[dim] = counts
    return out


@dataclass(frozen=True)
class Cell:
    """The pooled counts of one subject, one respondent group, one dimension."""
    subject: str
    group: str
    dimension: str
    satisfied: int
    basic: int
    dissatisfied: int


#: the counts of distinct answer strings, per layout of the questionnaire (bounded: cleared when full)
_VECTORS: dict = {}
_VECTORS_MAX = 1 << 16


def _layout(questionnaire: Questionnaire) -> tuple[tuple[str, ...], tuple[tuple[int, int, int], ...]]:
    """(dimensions present, ``(slot, start, end)`` of each run): where a form's answers are counted."""
    runs = [(dim, start, start + length)
            for dim, dim_runs in dimension_runs(questionnaire).items() for start, length in dim_runs]
    dims = tuple(dict.fromkeys(dim for dim, _, _ in runs))
    slot = {dim: i for i, dim in enumerate(dims)}
    return dims, tuple((1 + 3 * slot[dim], start, end) for dim, start, end in runs)


def tally_by_key(forms, questionnaire: Questionnaire
                 ) -> tuple[tuple[str, ...], dict[tuple[str, str], list[int]]]:
    """Pool forms ``(subject, group, answers)`` per subject and group: ``(dimensions, {(subject,
    group): [forms, satisfied, basic, dissatisfied of the first dimension, … of the next, …]})``.

    The same counts as :func:`tally_answers` summed form by form (SPEC §4: rates pool all answers).
    Each distinct answer string is counted once (a public answers alike: most strings repeat) and
    its counts are added to its subject and group in one step, so a form costs about the same
    whether its subject and group have one form or thousands (a batch spreads over thousands)."""
    dims, plan = _layout(questionnaire)
    vectors = _VECTORS.get(plan)
    if vectors is None or len(vectors) >= _VECTORS_MAX:
        vectors = _VECTORS[plan] = {}
    width = 1 + 3 * len(dims)
    acc: dict[tuple[str, str], list[int]] = {}
    for subject, group, answers in forms:
        counts = vectors.get(answers)
        if counts is None:
            c = [0] * width
            c[0] = 1
            for base, start, end in plan:
                part = answers[start:end]
                c[base] += part.count(SATISFIED)
                c[base + 1] += part.count(BASIC)
                c[base + 2] += part.count(DISSATISFIED)
            counts = tuple(c)
            if len(vectors) < _VECTORS_MAX:
                vectors[answers] = counts
        key = (subject, group)
        pooled = acc.get(key)
        if pooled is None:
            acc[key] = list(counts)
        else:
            pooled[:] = map(add, pooled, counts)
    return dims, acc


def tally_columns(subjects, groups, answers, questionnaire: Questionnaire
                  ) -> tuple[tuple[str, ...], dict[tuple[str, str], list[int]]]:
    """:func:`tally_arrays` as :func:`tally_by_key`'s pooled counts (a dict of lists)."""
    dims, keys, sums = tally_arrays(subjects, groups, answers, questionnaire)
    return dims, dict(zip(keys, sums.tolist()))


def tally_arrays(subjects, groups, answers, questionnaire: Questionnaire):
    """:func:`tally_by_key` of the forms given as three columns (``subjects[i]``, ``groups[i]``,
    ``answers[i]``): the same dimensions and counts, the keys in the order they first appear, as
    ``(dims, keys, sums)``: ``sums[i]`` (a row of an int64 array) the counts of ``keys[i]``.

    Counted over the columns at once (issue 24 item 4): each distinct answer string's counts are a
    row of a table kept per questionnaire layout (made once, as :func:`tally_by_key` makes them),
    the batch's rows are taken from it by index, and added up per subject and group in one step."""
    import numpy as np

    dims, plan = _layout(questionnaire)
    width = 1 + 3 * len(dims)
    n = len(answers)
    if n == 0:
        return dims, [], np.zeros((0, width), dtype=np.int64)
    entry = _TABLES.get(plan)
    if entry is None or len(entry[0]) >= _VECTORS_MAX:
        entry = _TABLES[plan] = [{}, np.zeros((0, width), dtype=np.int64)]
    index, table = entry
    try:                    # the usual batch: every answer string already has its row
        at = np.fromiter(map(index.__getitem__, answers), dtype=np.intp, count=n)
    except KeyError:
        at = None
    new = () if at is not None else dict.fromkeys(answers).keys() - index.keys()
    if new:
        new = list(new)
        rows = np.zeros((len(new), width), dtype=np.int64)
        rows[:, 0] = 1
        for r, text in enumerate(new):
            for base, start, end in plan:
                part = text[start:end]
                rows[r, base] += part.count(SATISFIED)
                rows[r, base + 1] += part.count(BASIC)
                rows[r, base + 2] += part.count(DISSATISFIED)
        index.update(zip(new, range(len(index), len(index) + len(new))))
        table = entry[1] = np.concatenate([table, rows])
    if at is None:
        at = np.fromiter(map(index.__getitem__, answers), dtype=np.intp, count=n)
    keys, ids = _first_keys(subjects, groups)
    return dims, keys, sum_rows(ids, table[at], len(keys))


def _first_keys(subjects, groups):
    """The distinct ``(subject, group)`` of two columns in the order each first appears, and each
    row's position among them (an int array): each subject and group a small integer (their strings'
    hashes are kept; a tuple's is made again on every lookup), each pair one integer code, grouped
    by ``np.unique``, the groups put back in order of their first row."""
    import numpy as np

    n = len(subjects)
    names = dict(zip(dict.fromkeys(subjects), count()))
    kinds = dict(zip(dict.fromkeys(groups), count()))
    width = len(kinds)
    codes = (np.fromiter(map(names.__getitem__, subjects), dtype=np.intp, count=n) * width
             + np.fromiter(map(kinds.__getitem__, groups), dtype=np.intp, count=n))
    distinct, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")              # the distinct codes by their first row
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    name_list, kind_list = list(names), list(kinds)
    keys = [(name_list[code // width], kind_list[code % width]) for code in distinct[order].tolist()]
    return keys, rank[inverse.reshape(-1)]


def sum_rows(ids, rows, slots: int):
    """``out[k] = sum of rows[i] where ids[i] == k`` (an int64 array of ``slots`` rows): the sums of
    ``np.add.at``, made by one ``np.bincount`` over the flattened cells (``np.add.at`` took six times
    as long: about 19 ms for a campaign's 44,500 part rows).  ``bincount`` adds in float64, exact
    for integers below 2**53: a total at or over that (never a tally's) takes ``np.add.at``."""
    import numpy as np

    rows = np.asarray(rows, dtype=np.int64)
    n, width = rows.shape
    if n == 0:
        return np.zeros((slots, width), dtype=np.int64)
    if int(np.abs(rows).sum(dtype=np.float64)) >= 2 ** 53:       # not exact in float64: the slow way
        out = np.zeros((slots, width), dtype=np.int64)
        np.add.at(out, ids, rows)
        return out
    cells = (np.asarray(ids, dtype=np.intp)[:, None] * width + np.arange(width)).ravel()
    sums = np.bincount(cells, weights=rows.ravel(), minlength=slots * width)
    return np.rint(sums).astype(np.int64).reshape(slots, width)


_TABLES: dict = {}      # layout -> [{answers: row}, counts of each row] (tally_columns)


def add_pooled(pooled: dict[tuple[str, str], list[int]], keys, rows, width: int) -> None:
    """Add ``rows[i]`` (``width`` counts laid out as :func:`tally_by_key`'s; a list of lists or an
    integer array) to ``pooled[keys[i]]``,
    in place; a key not there yet starts at zero and comes after the keys already there, in the
    order it first appears.  One step over all rows (the tally parts of a campaign: thousands of
    rows an insert), the same sums as adding them one by one."""
    import numpy as np

    if not len(keys):
        return
    slot = dict(zip(dict.fromkeys(chain(pooled, keys)), count()))
    ids = np.fromiter(map(slot.__getitem__, keys), dtype=np.intp, count=len(keys))
    sums = sum_rows(ids, np.asarray(rows, dtype=np.int64).reshape(len(keys), width), len(slot))
    if pooled:
        sums[:len(pooled)] += np.array(list(pooled.values()), dtype=np.int64).reshape(len(pooled), width)
    pooled.clear()
    pooled.update(zip(slot, sums.tolist()))


def sum_by_subject_group(subjects, grps, rows, groups):
    """The rows of the same subject and group added up: ``(keys, sums)``, the keys ``(subject,
    groups[grp])`` in the order each first appears, ``sums`` an int64 array of one row per key.
    ``subjects`` a list of the rows' subjects, ``grps`` their groups' indexes in ``groups`` (an
    integer array; an index outside ``groups`` is an IndexError).  The same keys and sums as adding
    the rows under their ``(subject, group)`` keys (:func:`add_pooled` into an empty dict), with
    each key a small integer instead of a tuple hashed per row: a campaign's tally parts are
    44,500 rows for 4,450 keys (issue 24 item 4)."""
    import numpy as np

    rows = np.asarray(rows, dtype=np.int64)
    grps = np.asarray(grps, dtype=np.intp)
    n = len(subjects)
    if n == 0:
        return [], rows.reshape(0, rows.shape[1] if rows.ndim == 2 else 0)
    if grps.shape != (n,) or int(grps.min()) < 0 or int(grps.max()) >= len(groups):
        raise IndexError("a group index outside the groups")
    names = list(dict.fromkeys(subjects))
    index = dict(zip(names, count()))
    codes = np.fromiter(map(index.__getitem__, subjects), dtype=np.intp, count=n) * len(groups) + grps
    order = np.argsort(codes, kind="stable")          # the rows of each key together, in their order
    ordered = codes[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    sums = np.add.reduceat(rows[order], starts, axis=0)       # int64: exact
    by_first = np.argsort(order[starts], kind="stable")       # each key's first row: the sort is stable
    keys = [(names[code // len(groups)], groups[code % len(groups)])
            for code in ordered[starts][by_first].tolist()]
    return keys, sums[by_first]


def cells_of(dims, pooled: dict[tuple[str, str], list[int]]) -> tuple[list[Cell], dict[str, int]]:
    """The cells and forms received per subject of :func:`tally_by_key`'s pooled counts."""
    cells = [Cell(subject, group, dim, c[1 + 3 * i], c[2 + 3 * i], c[3 + 3 * i])
             for (subject, group), c in pooled.items() for i, dim in enumerate(dims)]
    received: dict[str, int] = {}
    for (subject, _), c in pooled.items():
        received[subject] = received.get(subject, 0) + c[0]
    return cells, received


def tally_forms(forms, questionnaire: Questionnaire) -> tuple[list[Cell], dict[str, int]]:
    """Pool forms ``(subject, group, answers)`` into cells and forms received per subject
    (:func:`tally_by_key`, as cells)."""
    return cells_of(*tally_by_key(forms, questionnaire))


def counts_dict(counts: Counts) -> dict:
    """The wire form of pooled counts: exact counts, the display rate and both verdicts."""
    return _counts_dict(counts.satisfied, counts.basic, counts.dissatisfied)


def _counts_dict(satisfied: int, basic: int, dissatisfied: int) -> dict:
    """:func:`counts_dict` on integers: the rate's display rounded half-up and both verdicts are
    the same comparisons as on the exact :class:`Fraction` (``a/b < p/q`` ⇔ ``a·q < p·b``), without
    making one (a campaign's report has 7,500 of them)."""
    answered = satisfied + basic + dissatisfied
    if answered == 0:
        rate, below, meets = None, False, False
    else:
        happy = satisfied + basic
        scale = 10 ** RATE_PLACES
        whole, frac = divmod((2 * happy * scale + answered) // (2 * answered), scale)
        rate = f"{whole}.{frac:0{RATE_PLACES}d}"
        below = happy * DISQUALIFICATION_LINE.denominator < DISQUALIFICATION_LINE.numerator * answered
        meets = happy * TEAM_TARGET.denominator >= TEAM_TARGET.numerator * answered
    return {"satisfied": satisfied, "basic": basic, "dissatisfied": dissatisfied, "answered": answered,
            "rate": rate, "below_60": below, "meets_target": meets}


def rate_report(subjects: dict[str, str], cells, received: dict[str, int],
                dimensions=DIMENSIONS, groups=RESPONDENT_GROUPS, names=None) -> dict:
    """Rates per subject (pooled), and per subject by dimension and by respondent group, plus the
    campaign's totals.  Subjects without forms are listed with null rates (SPEC §4: null, never 0).
    """
    names = names or {}
    per_subject = {sid: Counts() for sid in subjects}
    by_dim = {sid: {d: Counts() for d in dimensions} for sid in subjects}
    by_group = {sid: {g: Counts() for g in groups} for sid in subjects}
    total, total_dim = Counts(), {d: Counts() for d in dimensions}
    total_group = {g: Counts() for g in groups}
    for cell in cells:
        if cell.subject not in per_subject:
            continue
        s, b, d = cell.satisfied, cell.basic, cell.dissatisfied
        per_subject[cell.subject].add(s, b, d)
        by_dim[cell.subject][cell.dimension].add(s, b, d)
        by_group[cell.subject][cell.group].add(s, b, d)
        total.add(s, b, d)
        total_dim[cell.dimension].add(s, b, d)
        total_group[cell.group].add(s, b, d)
    rows = []
    for sid, kind in subjects.items():
        row = {"id": sid, "kind": kind, "name": names.get(sid, ""), "forms": received.get(sid, 0)}
        row.update(counts_dict(per_subject[sid]))
        row["dimensions"] = {d: counts_dict(c) for d, c in by_dim[sid].items()}
        row["groups"] = {g: counts_dict(c) for g, c in by_group[sid].items()}
        rows.append(row)
    totals = {"forms": sum(received.get(sid, 0) for sid in subjects)}
    totals.update(counts_dict(total))
    totals["dimensions"] = {d: counts_dict(c) for d, c in total_dim.items()}
    totals["groups"] = {g: counts_dict(c) for g, c in total_group.items()}
    return {"subjects": rows, "totals": totals}


def rate_report_pooled(subjects: dict[str, str], dims, pooled: dict[tuple[str, str], list[int]],
                       dimensions=DIMENSIONS, groups=RESPONDENT_GROUPS, names=None) -> dict:
    """:func:`rate_report` of :func:`tally_by_key`'s pooled counts (``dims`` their dimensions): the
    same report, made per subject and group (a few thousand) instead of per cell.

    Summed and judged over arrays (:func:`_rate_report_arrays`) when the counts allow it, else row by
    row (:func:`rate_report_rows`): the same report either way (issue 24 item 4; a test holds the
    two equal)."""
    names = names or {}
    report = _rate_report_arrays(subjects, dims, pooled, dimensions, groups, names)
    if report is None:
        return rate_report_rows(subjects, dims, pooled, dimensions, groups, names)
    return report


#: the largest total the array path adds and judges in int64 (``2·happy·10**RATE_PLACES`` and the
#: lines' products stay far below 2**63); a campaign's counts are millions at most
_ARRAY_TOTAL_MAX = 2 ** 40


def _rate_report_arrays(subjects, dims, pooled, dimensions, groups, names) -> dict | None:
    """:func:`rate_report_rows` with the sums per subject, per subject and group and in total made
    by numpy over all pooled rows at once, and the rates and verdicts of every count in one pass of
    integer arrays (a campaign's report has 7,500 of them: the row-by-row way was a third of closing
    one).  The same integers, the same half-up rounding and the same comparisons on the lines as
    :func:`_counts_dict`.  None (the caller takes the rows' way) for anything unusual: no subjects,
    a pooled row of another width, a negative count, a total beyond :data:`_ARRAY_TOTAL_MAX`, or a
    group of a listed subject outside ``groups`` (the rows' way raises its KeyError)."""
    import numpy as np

    if not subjects:
        return None
    width = 1 + 3 * len(dims)
    subject_at = dict(zip(subjects, count()))
    group_list = list(dict.fromkeys(groups))
    group_at = dict(zip(group_list, count()))
    dim_list = list(dict.fromkeys(dimensions))
    ns, ng, nd = len(subject_at), len(group_list), len(dim_list)
    keys = [k for k in pooled if k[0] in subject_at]           # a subject outside: ignored, as before
    if any(k[1] not in group_at for k in keys):
        return None
    try:
        values = np.array([pooled[k] for k in keys], dtype=np.int64).reshape(len(keys), width)
    except (ValueError, OverflowError, TypeError):
        return None
    if values.size and (int(values.min()) < 0 or values.sum(dtype=np.float64) >= _ARRAY_TOTAL_MAX):
        return None
    sub = np.fromiter((subject_at[k[0]] for k in keys), dtype=np.intp, count=len(keys))
    grp = np.fromiter((group_at[k[1]] for k in keys), dtype=np.intp, count=len(keys))
    per_subject = sum_rows(sub, values, ns)                                   # (ns, width)
    # each pooled row's answers over all its dimensions: satisfied, basic, dissatisfied
    row_triples = np.stack([values[:, 1::3].sum(axis=1), values[:, 2::3].sum(axis=1),
                            values[:, 3::3].sum(axis=1)], axis=1)
    by_group = sum_rows(sub * ng + grp, row_triples, ns * ng).reshape(ns, ng, 3)
    subject_triples = np.stack([per_subject[:, 1::3].sum(axis=1), per_subject[:, 2::3].sum(axis=1),
                                per_subject[:, 3::3].sum(axis=1)], axis=1)       # (ns, 3)
    at = {dim: 1 + 3 * i for i, dim in enumerate(dims)}
    by_dim = np.zeros((ns, nd, 3), dtype=np.int64)
    for j, dim in enumerate(dim_list):
        i = at.get(dim)
        if i is not None:
            by_dim[:, j, :] = per_subject[:, i:i + 3]
    # one block of triples per subject (pooled, dimensions, groups) and the totals' block last
    per_block = np.concatenate([subject_triples[:, None, :], by_dim, by_group], axis=1)
    total_block = np.concatenate([subject_triples.sum(axis=0)[None, :], by_dim.sum(axis=0),
                                  by_group.sum(axis=0)])
    triples = np.concatenate([per_block.reshape(ns * (1 + nd + ng), 3), total_block])
    counts = _counts_dicts(triples)
    forms = per_subject[:, 0].tolist()
    block = 1 + nd + ng
    rows = []
    for i, (sid, kind) in enumerate(subjects.items()):
        at_block = i * block
        row = {"id": sid, "kind": kind, "name": names.get(sid, ""), "forms": forms[i]}
        row.update(counts[at_block])
        row["dimensions"] = dict(zip(dim_list, counts[at_block + 1:at_block + 1 + nd]))
        row["groups"] = dict(zip(group_list, counts[at_block + 1 + nd:at_block + block]))
        rows.append(row)
    at_block = ns * block
    totals = {"forms": int(per_subject[:, 0].sum())}
    totals.update(counts[at_block])
    totals["dimensions"] = dict(zip(dim_list, counts[at_block + 1:at_block + 1 + nd]))
    totals["groups"] = dict(zip(group_list, counts[at_block + 1 + nd:at_block + block]))
    return {"subjects": rows, "totals": totals}


def _counts_dicts(triples) -> list[dict]:
    """:func:`_counts_dict` of every row ``(satisfied, basic, dissatisfied)`` of an int64 array (each
    total below :data:`_ARRAY_TOTAL_MAX`): the rate ``(2·happy·10**places + answered) // (2·answered)``
    rounded half-up as there, the lines compared as ``happy·q < p·answered``, null and both verdicts
    false when nothing was answered; a fresh dict per row, of Python integers and booleans."""
    import numpy as np

    satisfied, basic, dissatisfied = triples[:, 0], triples[:, 1], triples[:, 2]
    answered = satisfied + basic + dissatisfied
    happy = satisfied + basic
    some = answered > 0
    scale = 10 ** RATE_PLACES
    scaled = (2 * happy * scale + answered) // np.where(some, 2 * answered, 1)
    whole, frac = np.divmod(scaled, scale)
    line, target = DISQUALIFICATION_LINE, TEAM_TARGET
    below = some & (happy * line.denominator < line.numerator * answered)
    meets = some & (happy * target.denominator >= target.numerator * answered)
    places = RATE_PLACES
    rates = [f"{w}.{f:0{places}d}" if a else None
             for w, f, a in zip(whole.tolist(), frac.tolist(), some.tolist())]
    return [{"satisfied": s, "basic": b, "dissatisfied": d, "answered": a, "rate": r,
             "below_60": lo, "meets_target": me}
            for s, b, d, a, r, lo, me in zip(satisfied.tolist(), basic.tolist(), dissatisfied.tolist(),
                                             answered.tolist(), rates, below.tolist(), meets.tolist())]


def rate_report_rows(subjects: dict[str, str], dims, pooled: dict[tuple[str, str], list[int]],
                     dimensions=DIMENSIONS, groups=RESPONDENT_GROUPS, names=None) -> dict:
    """:func:`rate_report_pooled` row by row: each pooled row added to its subject's and group's
    counts in Python, each count's rate and verdicts by :func:`_counts_dict`."""
    names = names or {}
    width = 1 + 3 * len(dims)
    per_subject = {sid: [0] * width for sid in subjects}
    by_group = {sid: {g: [0, 0, 0] for g in groups} for sid in subjects}
    for (subject, group), v in pooled.items():
        sv = per_subject.get(subject)
        if sv is None:
            continue
        sv[:] = map(add, sv, v)
        g = by_group[subject][group]
        g[0] += sum(v[1::3])
        g[1] += sum(v[2::3])
        g[2] += sum(v[3::3])
    at = {dim: 1 + 3 * i for i, dim in enumerate(dims)}
    # a report has ~17 count dicts a subject (190,000 for a city) but few distinct (s, b, d): each
    # is worked out once per report and every use gets its own copy (nothing shared between rows)
    made: dict[tuple[int, int, int], dict] = {}

    def counts(satisfied, basic, dissatisfied):
        key = (satisfied, basic, dissatisfied)
        done = made.get(key)
        if done is None:
            done = made[key] = _counts_dict(satisfied, basic, dissatisfied)
        return done.copy()

    def of_dim(vector, dim):
        i = at.get(dim)
        return (0, 0, 0) if i is None else (vector[i], vector[i + 1], vector[i + 2])

    total = [0] * width
    total_group = {g: [0, 0, 0] for g in groups}
    rows = []
    for sid, kind in subjects.items():
        sv = per_subject[sid]
        total[:] = map(add, total, sv)
        row = {"id": sid, "kind": kind, "name": names.get(sid, ""), "forms": sv[0]}
        row.update(counts(sum(sv[1::3]), sum(sv[2::3]), sum(sv[3::3])))
        row["dimensions"] = {d: counts(*of_dim(sv, d)) for d in dimensions}
        row["groups"] = {g: counts(*c) for g, c in by_group[sid].items()}
        for g, c in by_group[sid].items():
            total_group[g][:] = map(add, total_group[g], c)
        rows.append(row)
    totals = {"forms": total[0]}
    totals.update(counts(sum(total[1::3]), sum(total[2::3]), sum(total[3::3])))
    totals["dimensions"] = {d: counts(*of_dim(total, d)) for d in dimensions}
    totals["groups"] = {g: counts(*c) for g, c in total_group.items()}
    return {"subjects": rows, "totals": totals}


def event_subjects(report: dict) -> list[dict]:
    """The per-subject lines of the published event: the counts the rating snapshot's
    ``satisfaction`` field needs (RATING.md §1) plus the verdicts."""
    keys = ("id", "kind", "forms", "satisfied", "basic", "dissatisfied", "answered", "rate",
            "below_60", "meets_target")
    return [{k: row[k] for k in keys} for row in report["subjects"]]


def pool_by_agency(subject_rows, agency_of) -> dict:
    """Target 8 of the Method (M§一8: 群众满意和基本满意率达90%以上), per agency and city-wide: the
    answers of every subject pooled (not a mean of rates). ``subject_rows`` are per-subject counts
    (``id``, ``satisfied``, ``basic``, ``answered``) of one or more campaigns; ``agency_of`` maps a
    subject to its agency (an agency to itself); a subject it does not know counts city-wide only.
    Returns ``{agency or "city": (satisfied + basic, answered)}``."""
    out: dict = {"city": (0, 0)}
    for row in subject_rows:
        happy, answered = row["satisfied"] + row["basic"], row["answered"]
        c_happy, c_answered = out["city"]
        out["city"] = (c_happy + happy, c_answered + answered)
        agency = agency_of.get(row["id"])
        if agency is not None:
            a_happy, a_answered = out.get(agency, (0, 0))
            out[agency] = (a_happy + happy, a_answered + answered)
    return out
