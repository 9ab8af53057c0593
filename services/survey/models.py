"""Tables of the survey service (its own database)."""
from shared.db import make_base

Base = make_base()
