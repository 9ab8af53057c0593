"""Tables of rule packs and adaptation data (declared on the scoring service's ``Base``).

``rule_packs``: every registered version of every agency's pack, never updated or deleted (the
history); ``pack_subject_data``: extra facts and figures per subject and period, read by packs and
plug-ins; ``pack_uses``: which pack version and plug-ins a rating used.  Created by the migration
``b7e1c0a5d3f2_rule_packs``; importing this module registers them on the metadata (tests).
"""
from sqlalchemy import JSON, Column, DateTime, Integer, String, Text

from shared.db import utcnow
from services.scoring.models import Base

ID = 100


class RulePack(Base):
    __tablename__ = "rule_packs"
    agency = Column(String(ID), primary_key=True)
    version = Column(Integer, primary_key=True)
    effective_from = Column(String(6), nullable=False)
    title = Column(String(200))
    document = Column(Text, nullable=False)       # the pack as given (JSON text)
    digest = Column(String(64), nullable=False)
    registered_by = Column(String(ID))
    registered_at = Column(DateTime, nullable=False, default=utcnow)


class PackSubjectData(Base):
    __tablename__ = "pack_subject_data"
    agency = Column(String(ID), primary_key=True)
    period = Column(String(6), primary_key=True)
    subject = Column(String(ID), primary_key=True)
    data = Column(Text, nullable=False)           # {"id", "facts", "figures"} as given (JSON text)
    recorded_at = Column(DateTime, nullable=False, default=utcnow)


class PackUse(Base):
    __tablename__ = "pack_uses"
    rating_id = Column(String(200), primary_key=True)
    agency = Column(String(ID), primary_key=True)
    period = Column(String(6), nullable=False)
    pack_version = Column(Integer)
    plugins = Column(JSON, nullable=False)
    incidents = Column(JSON, nullable=False)
    recorded_at = Column(DateTime, nullable=False, default=utcnow)
