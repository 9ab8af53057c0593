"""The scoring service: a thin nameko shell (validate → handler → dict); rules live in the domain."""
from shared.db import Database
from shared.service import ServiceBase

from services.scoring import models


class ScoringService(ServiceBase):
    name = "scoring"
    db = Database(models.Base)


Service = ScoringService
