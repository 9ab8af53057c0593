import pytest

from roster_city import build_units


@pytest.fixture
def units():
    return build_units()
