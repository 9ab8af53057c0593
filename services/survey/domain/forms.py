"""Forms: validation of one form, of a batch, and the duplicate-serial rules.

A form concerns one subject, answered by one respondent group; its answers are packed one code a
character (``S`` 满意, ``B`` 基本满意, ``D`` 不满意, ``N`` 不了解), one per questionnaire item.

Rules:
* every form has a serial number (SPEC §4);
* a serial is unique across the whole campaign: the first copy wins and every later copy,
  identical or not, is a duplicate, refused with a per-form error and never counted (SPEC §4);
* a batch with bad forms reports each one (serial, field) and takes the good ones, or in strict
  mode takes none (issue 7); a bad form's report lists every fault it has, each with its field
  (``faults``), the first of them also as the form's own field, reason and message (issue 26);
* a form whose answers are all 不了解 is received but adds no answer (SPEC §4).

Validation is plain Python on purpose: a batch holds thousands of forms and a schema library per
form would dominate the intake time.
"""
from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter

from .vocabulary import ANSWER_CODES, ANSWER_LABELS, UNKNOWN

FORM_FIELDS = frozenset({"serial", "subject", "group", "answers"})
SERIAL_MAX = 64
_CODES = "".join(ANSWER_CODES)

# reasons a form is refused (also the label of the "rejected" metric)
BAD_FORM = "bad_form"
BAD_SERIAL = "bad_serial"
UNKNOWN_FIELD = "unknown_field"
UNKNOWN_SUBJECT = "unknown_subject"
UNKNOWN_GROUP = "unknown_group"
BAD_ANSWERS = "bad_answers"
DUPLICATE_SERIAL = "duplicate_serial"
CAMPAIGN_CLOSED = "campaign_closed"
REASONS = (BAD_FORM, BAD_SERIAL, UNKNOWN_FIELD, UNKNOWN_SUBJECT, UNKNOWN_GROUP, BAD_ANSWERS,
           DUPLICATE_SERIAL, CAMPAIGN_CLOSED)


@dataclass(frozen=True, slots=True)
class FormError:
    index: int              # position of the form in its batch
    serial: str | None      # None when the serial itself is unusable
    field: str              # JSON path of the (first) bad field, e.g. forms[3].answers
    reason: str             # one of REASONS
    message: str
    faults: tuple = ()      # every fault of the form: (field, reason, message), the first above

    def to_dict(self) -> dict:
        faults = self.faults or ((self.field, self.reason, self.message),)
        return {"index": self.index, "serial": self.serial, "field": self.field,
                "reason": self.reason, "message": self.message,
                "faults": [{"field": f, "reason": r, "message": m} for f, r, m in faults]}


@dataclass(frozen=True, slots=True)
class Form:
    index: int
    serial: str
    subject: str
    group: str
    answers: str


def valid_serial(serial) -> bool:
    """Every form has a serial number (SPEC §4): a non-empty string of at most 64 characters,
    without surrounding blanks or control characters."""
    return (isinstance(serial, str) and 0 < len(serial) <= SERIAL_MAX
            and serial == serial.strip() and serial.isprintable())


def answers_problem(answers, item_count: int) -> str | None:
    """Answers are one code per questionnaire item, each of S B D N (SPEC §4: 满意, 基本满意,
    不满意, 不了解).  Returns None when fine, else a message naming every fault (the count, then
    each bad item)."""
    if not isinstance(answers, str):
        return "must be a string of answer codes"
    if len(answers) == item_count and not answers.strip(_CODES):
        return None
    problems = []
    if len(answers) != item_count:
        problems.append(f"needs {item_count} answers, got {len(answers)}")
    if answers.strip(_CODES):
        problems += [f"item {pos}: {code!r} is not one of {', '.join(ANSWER_CODES)}"
                     for pos, code in enumerate(answers, 1) if code not in _CODES]
    return "; ".join(problems)


def check_form(raw, index: int, subjects, groups, item_count: int) -> Form | FormError:
    """Validate one form against its campaign: fields, serial, subject, group, answers.

    Source: SPEC §4 (serials, subjects, the ten groups, the four answers).  A good form costs the
    checks alone; a bad one is looked at again for every fault (:func:`form_faults`), each naming
    the field as a path inside the batch (``forms[3].group``).
    """
    if isinstance(raw, dict) and raw.keys() == FORM_FIELDS:
        serial, subject, group, answers = raw["serial"], raw["subject"], raw["group"], raw["answers"]
        if (valid_serial(serial) and isinstance(subject, str) and subject in subjects
                and isinstance(group, str) and group in groups
                and answers_problem(answers, item_count) is None):
            return Form(index, serial, subject, group, answers)
    faults = form_faults(raw, index, subjects, groups, item_count)
    serial = raw.get("serial") if isinstance(raw, dict) else None
    field, reason, message = faults[0]
    return FormError(index, serial if isinstance(serial, str) else None, field, reason, message,
                     tuple(faults))


def form_faults(raw, index: int, subjects, groups, item_count: int) -> list[tuple[str, str, str]]:
    """Every fault of a form, ``(field path, reason, message)``, in the order serial, unknown
    fields, missing fields, subject, group, answers (the first is the form's error)."""
    where = f"forms[{index}]"
    if not isinstance(raw, dict):
        return [(where, BAD_FORM, "a form must be an object")]
    faults = []
    if not valid_serial(raw.get("serial")):
        faults.append((f"{where}.serial", BAD_SERIAL,
                       "must be a non-empty string of at most 64 printable characters"))
    for name in sorted(str(k) for k in raw.keys() - FORM_FIELDS):
        faults.append((f"{where}.{name}", UNKNOWN_FIELD, "unknown field"))
    for name in sorted(FORM_FIELDS - raw.keys() - {"serial"}):
        reason = {"subject": UNKNOWN_SUBJECT, "group": UNKNOWN_GROUP}.get(name, BAD_ANSWERS)
        faults.append((f"{where}.{name}", reason, "missing field"))
    if "subject" in raw:
        subject = raw["subject"]
        if not isinstance(subject, str) or subject not in subjects:
            faults.append((f"{where}.subject", UNKNOWN_SUBJECT, "not a subject of this campaign"))
    if "group" in raw:
        group = raw["group"]
        if not isinstance(group, str) or group not in groups:
            faults.append((f"{where}.group", UNKNOWN_GROUP, "not a respondent group of this campaign"))
    if "answers" in raw:
        problem = answers_problem(raw["answers"], item_count)
        if problem:
            faults.append((f"{where}.answers", BAD_ANSWERS, problem))
    return faults


def check_batch(raw_forms, subjects, groups, item_count: int) -> tuple[list[Form], list[FormError]]:
    """Validate a batch; the first valid copy of a serial wins inside the batch (SPEC §4).

    Returns the valid forms with distinct serials, in batch order, and one error per bad form or
    later copy, in batch order.
    """
    good: list[Form] = []
    errors: list[FormError] = []
    first_at: dict[str, int] = {}
    for index, raw in enumerate(raw_forms):
        out = check_form(raw, index, subjects, groups, item_count)
        if type(out) is FormError:
            errors.append(out)
            continue
        earlier = first_at.get(out.serial)
        if earlier is not None:
            errors.append(duplicate_error(out, f"serial already given at forms[{earlier}] of this batch"))
            continue
        first_at[out.serial] = index
        good.append(out)
    return good, errors


class Batch:
    """The valid forms of a batch as columns, in batch order: ``serials[i]`` is the form at
    ``indexes[i]`` of the batch (a column each: one insert, one tally, no object per form)."""
    __slots__ = ("answers", "groups", "indexes", "serials", "subjects")

    def __init__(self, indexes: list, serials: list, subjects: list, groups: list, answers: list):
        self.indexes, self.serials, self.subjects, self.groups, self.answers = \
            indexes, serials, subjects, groups, answers

    @classmethod
    def of(cls, forms) -> Batch:
        forms = list(forms)
        return cls([f.index for f in forms], [f.serial for f in forms], [f.subject for f in forms],
                   [f.group for f in forms], [f.answers for f in forms])

    def __len__(self) -> int:            # the number of forms (not of columns)
        return len(self.serials)

    def forms(self) -> list[Form]:
        return list(map(Form, self.indexes, self.serials, self.subjects, self.groups, self.answers))

    def only(self, serials) -> Batch:
        """The forms whose serial is in ``serials``, in batch order."""
        keep = [i for i, serial in enumerate(self.serials) if serial in serials]
        if len(keep) == len(self.serials):
            return self
        return Batch(*([column[i] for i in keep] for column in
                       (self.indexes, self.serials, self.subjects, self.groups, self.answers)))


_COLUMNS = tuple(itemgetter(name) for name in ("serial", "subject", "group", "answers"))
_CODE_BYTES = _CODES.encode("ascii")


def _all_valid(raw_forms, subjects, groups, item_count: int) -> Batch | None:
    """The batch as columns when every form is valid and every serial distinct, decided by passes
    over whole columns (issue 24 item 4): exactly the forms :func:`check_form` takes, each check
    the same (a field of another type than ``str``, an extra or missing field, a repeated serial
    or any fault: None, and the batch is checked form by form)."""
    n = len(raw_forms)
    if n == 0 or set(map(type, raw_forms)) != {dict} or set(map(len, raw_forms)) != {len(FORM_FIELDS)}:
        return None
    try:       # a column at a time (a zip over 5,000 rows of four was a third of the checks' time)
        serials, subjects_, groups_, answers = (list(map(column, raw_forms)) for column in _COLUMNS)
    except KeyError:
        return None
    if not (set(map(type, serials)) == set(map(type, subjects_)) == set(map(type, groups_))
            == set(map(type, answers)) == {str}):
        return None
    if not (0 < min(map(len, serials)) and max(map(len, serials)) <= SERIAL_MAX
            and serials == list(map(str.strip, serials)) and "".join(serials).isprintable()
            and len(set(serials)) == n):
        return None
    if not (set(subjects_).issubset(subjects) and set(groups_).issubset(groups)):
        return None
    # every character one of the codes: what strip(_CODES) leaves of the joined answers is empty
    # exactly when the ASCII bytes (any other character written as ``?``) less the codes are
    # (str.strip with characters to strip walks 175,000 of them slowly; bytes.translate does not)
    if (set(map(len, answers)) != {item_count}
            or "".join(answers).encode("ascii", "replace").translate(None, _CODE_BYTES)):
        return None
    return Batch(list(range(n)), serials, subjects_, groups_, answers)


def check_batch_columns(raw_forms, subjects, groups, item_count: int) -> tuple[Batch, list[FormError]]:
    """:func:`check_batch` with the valid forms as a :class:`Batch`: a batch whose forms are all
    valid is checked column by column, any other form by form (the same forms taken, the same
    errors)."""
    batch = _all_valid(raw_forms, subjects, groups, item_count)
    if batch is not None:
        return batch, []
    good, errors = check_batch(raw_forms, subjects, groups, item_count)
    return Batch.of(good), errors


def duplicate_error(form: Form, message: str = "serial already received in this campaign") -> FormError:
    """A later copy of a serial, identical or not, is a duplicate (SPEC §4 "first copy wins")."""
    return FormError(form.index, form.serial, f"forms[{form.index}].serial", DUPLICATE_SERIAL, message)


def split_new_batch(candidates: Batch, inserted_serials) -> tuple[Batch, list[FormError]]:
    """:func:`split_new_and_duplicates` on a :class:`Batch`: the batch itself when every serial
    was new (the usual case), else the new ones and a duplicate error for each other."""
    inserted = set(inserted_serials)
    if len(inserted) == len(candidates) and inserted.issuperset(candidates.serials):
        return candidates, []
    new, dups = split_new_and_duplicates(candidates.forms(), inserted)
    return Batch.of(new), dups


def blank_count(answers, item_count: int) -> int:
    """How many of a checked batch's answers (each ``item_count`` codes) are blank (:func:`is_blank`)."""
    if not set(map(len, answers)) <= {item_count}:
        return sum(map(is_blank, answers))
    return answers.count(UNKNOWN * item_count)


def split_new_and_duplicates(candidates: list[Form], inserted_serials) -> tuple[list[Form], list[FormError]]:
    """After the store kept the first copies (``inserted_serials``), the other candidates were
    already in the campaign: each is a duplicate, reported and not counted (SPEC §4)."""
    inserted = set(inserted_serials)
    new, dups = [], []
    for form in candidates:
        if form.serial in inserted:
            new.append(form)
        else:
            dups.append(duplicate_error(form))
    return new, dups


def strict_accepts(errors) -> bool:
    """Strict mode: a batch with any refused form (bad or duplicate) takes none (issue 7)."""
    return not errors


def is_blank(answers: str) -> bool:
    """A form answered 不了解 throughout is received but adds no answer (SPEC §4)."""
    return answers.count(UNKNOWN) == len(answers)


_TOKENS = {code: code for code in ANSWER_CODES}
_TOKENS.update({code.lower(): code for code in ANSWER_CODES})
_TOKENS.update({label: code for code, label in ANSWER_LABELS.items()})
_TOKENS[""] = UNKNOWN


def answer_code(token) -> str | None:
    """One answer cell of a paper form as its code: a code (any case) or the Chinese label.

    A blank cell is 不了解 (no answer).  Returns None for anything else.
    """
    if token is None:
        return UNKNOWN
    return _TOKENS.get(str(token).strip())


def pack_answers(tokens) -> str:
    """Pack one cell per item into the answer string; ValueError names every bad item."""
    codes, bad = pack_cells(tokens)
    if bad:
        raise ValueError(bad)
    return codes


def pack_cells(tokens) -> tuple[str, str | None]:
    """One cell per item as the answer string, and a message naming every bad cell (None when
    all are answers); a bad cell packs as ``?`` (not a code: the form is refused for it)."""
    out, bad = [], []
    for pos, token in enumerate(tokens, 1):
        code = answer_code(token)
        if code is None:
            bad.append(f"item {pos}: {token!r} is not 满意, 基本满意, 不满意 or 不了解")
            code = "?"
        out.append(code)
    return "".join(out), "; ".join(bad) or None
