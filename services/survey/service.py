"""The survey service: a thin nameko shell (validate → handler → dict); rules live in the domain."""
from shared.db import Database
from shared.service import ServiceBase

from services.survey import models


class SurveyService(ServiceBase):
    name = "survey"
    db = Database(models.Base)


Service = SurveyService
