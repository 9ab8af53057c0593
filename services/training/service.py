"""The training service: a thin nameko shell (validate → handler → dict); rules live in the domain."""
from shared.db import Database
from shared.service import ServiceBase

from services.training import models


class TrainingService(ServiceBase):
    name = "training"
    db = Database(models.Base)


Service = TrainingService
