"""Tables of the scoring service (its own database)."""
from shared.db import make_base

Base = make_base()
