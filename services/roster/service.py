"""The roster service: a thin nameko shell (validate → handler → dict); rules live in the domain."""
from shared.db import Database
from shared.service import ServiceBase

from services.roster import models


class RosterService(ServiceBase):
    name = "roster"
    db = Database(models.Base)


Service = RosterService
