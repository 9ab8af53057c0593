"""The rewards service: a thin nameko shell (validate → handler → dict); rules live in the domain."""
from shared.db import Database
from shared.service import ServiceBase

from services.rewards import models


class RewardsService(ServiceBase):
    name = "rewards"
    db = Database(models.Base)


Service = RewardsService
