from datetime import date

import pytest

from services.training.domain.model import Course, Person, Result, RULE_OF_LAW


def d(text: str) -> date:
    return date.fromisoformat(text)


def res(kind: str, on: str, passed: bool, person: str = "p1", course: str | None = None) -> Result:
    return Result(person, course or f"c-{kind}", kind, d(on), passed)


@pytest.fixture
def chief():
    return Person("p1", "s1", "chief", agency_id="a1", joined=d("2010-01-01"))


@pytest.fixture
def officer():
    return Person("p1", "s1", "officer", agency_id="a1", joined=d("2015-06-01"))


@pytest.fixture
def courses():
    return {
        "pre": Course("pre", "pre_service"),
        "rot": Course("rot", "rotation", modules=frozenset({RULE_OF_LAW})),
        "rot2": Course("rot2", "rotation", modules=frozenset({RULE_OF_LAW})),
        "drill": Course("drill", "skills"),
        "ar": Course("ar", "all_round_assessment"),
        "arr": Course("arr", "all_round_recheck"),
    }
