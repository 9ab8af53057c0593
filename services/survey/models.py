"""Tables of the survey service (its own database).

A form is ONE row: its serial (unique per campaign: the primary key), subject, respondent group
(index into the ten groups) and answers packed one code a character (``S B D N``).  Each insert
of forms also adds them to the campaign's tallies (one ``campaign_tally_parts`` row an insert, beside
``campaign_tallies``, the forms of before), from which rates are made.
"""
from sqlalchemy import JSON, BigInteger, Column, Date, DateTime, Integer, SmallInteger, String

from shared.db import SIGNED_LENGTH, make_base, signed_column, utcnow

Base = make_base()


class QuestionnaireRow(Base):
    __tablename__ = "questionnaires"
    key = Column(String(100), primary_key=True)
    version = Column(Integer, primary_key=True)
    items = Column(JSON, nullable=False)            # [{"dimension", "text"}]
    created_at = Column(DateTime, nullable=False, default=utcnow)
    signed_by = signed_column()      # who the entry point verified when the row was last written


class CampaignRow(Base):
    __tablename__ = "campaigns"
    id = Column(String(100), primary_key=True)
    kind = Column(String(20), nullable=False, default="satisfaction", server_default="satisfaction")
    period = Column(String(6), nullable=False)
    owner = Column(String(100), nullable=False, index=True)
    title = Column(String(200), nullable=False, default="")
    groups = Column(JSON, nullable=False)
    questionnaire_key = Column(String(100), nullable=False)
    questionnaire_version = Column(Integer, nullable=False)
    status = Column(String(10), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    closed_at = Column(DateTime, nullable=True)
    signed_by = signed_column(on_update=False)   # who the entry point verified for the campaign opened (its questionnaire set: set_by)
    set_signed_by = Column(String(SIGNED_LENGTH))   # who the entry point verified for the questionnaire set
    closed_signed_by = Column(String(SIGNED_LENGTH))   # who the entry point verified for the close
    published_signed_by = Column(String(SIGNED_LENGTH))   # who the entry point verified for the last publish_rates


class CampaignSubjectRow(Base):
    __tablename__ = "campaign_subjects"
    campaign_id = Column(String(100), primary_key=True)
    subject_id = Column(String(100), primary_key=True)
    kind = Column(String(10), nullable=False)
    name = Column(String(200), nullable=False, default="")
    position = Column(Integer, nullable=False)      # order given at creation


class FormRow(Base):
    __tablename__ = "forms"
    campaign_id = Column(String(100), primary_key=True)
    serial = Column(String(64), primary_key=True)
    subject = Column(String(100), nullable=False)
    grp = Column(SmallInteger, nullable=False)
    answers = Column(String(200), nullable=False)
    signed_by = signed_column(on_update=False)   # who the entry point verified for the batch that brought the form


class CampaignFormCountRow(Base):
    """Forms received by a campaign, kept by every insert in its transaction (an upsert adding the
    new ones): with the status and the questionnaire it is the version of the campaign's data, read
    without counting 200,000 rows (issue 19). Its own table: a batch holds the campaign's row in
    share mode (against a concurrent close), so two batches adding to a column there would deadlock."""
    __tablename__ = "campaign_form_counts"
    campaign_id = Column(String(100), primary_key=True)
    forms = Column(Integer, nullable=False)


class CampaignTallyRow(Base):
    """A campaign's pooled answers per subject, respondent group and dimension, kept by every insert
    of forms in its transaction (issue 19: no export reads the forms): ``forms`` is the forms of the
    subject and group (the same on each dimension's row), the three counts those of the dimension.
    Only the forms an insert found new are added, so a batch delivered twice adds nothing."""
    __tablename__ = "campaign_tallies"
    campaign_id = Column(String(100), primary_key=True)
    subject = Column(String(100), primary_key=True)
    grp = Column(SmallInteger, primary_key=True)
    dimension = Column(String(20), primary_key=True)
    forms = Column(Integer, nullable=False)
    satisfied = Column(Integer, nullable=False)
    basic = Column(Integer, nullable=False)
    dissatisfied = Column(Integer, nullable=False)


class CampaignTallyPartRow(Base):
    """The tallies one insert of forms added to its campaign, in its transaction (issue 24 item 4):
    one row, appended, so that batches of a campaign committing at once take no common row (an
    upsert of every subject, group and dimension a batch touches was five rows a form, all locked
    until commit); a campaign's tallies are its ``campaign_tallies`` rows (the forms tallied by the
    migration) plus all its parts.  ``counts``: ``[[subject, grp, forms, satisfied, basic,
    dissatisfied of the first of ``dimensions``, … of the next, …]]``; since 29 Nov 2026 written as
    columns, ``{"subjects": […], "grps": […], "dtype": "|u1", "counts": base64 of those rows' counts
    as little-endian integers of that numpy type}`` (both are read)."""
    __tablename__ = "campaign_tally_parts"
    id = Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    campaign_id = Column(String(100), nullable=False, index=True)
    dimensions = Column(JSON, nullable=False)
    counts = Column(JSON, nullable=False)


class CampaignRatesRow(Base):
    """A campaign's rates, computed once per version of its data and stored (issue 19): the version
    is the status, the questionnaire and the number of forms (forms are only ever added). An export
    whose version matches reads this row and only serialises it."""
    __tablename__ = "campaign_rates"
    campaign_id = Column(String(100), primary_key=True)
    version = Column(String(300), nullable=False)
    rates = Column(JSON, nullable=False)
    computed_at = Column(DateTime, nullable=False, default=utcnow)


class RosterUnitRow(Base):
    """Read model of the roster's units (``units_saved``): agencies and sections are subjects."""
    __tablename__ = "roster_units"
    id = Column(String(100), primary_key=True)
    name = Column(String(200), nullable=False, default="")
    kind = Column(String(20), nullable=False)
    parent = Column(String(100), nullable=True, index=True)
    agency = Column(String(100), nullable=False, index=True)


class RosterUnitVersionRow(Base):
    """The roster's unit tree through time (``units_saved`` versions, issue 20): a unit's kind,
    parent and agency from ``since`` to ``until`` (inclusive; null = open). ``roster_units`` keeps
    the latest."""
    __tablename__ = "roster_unit_versions"
    id = Column(String(100), primary_key=True)
    since = Column(Date, primary_key=True)
    until = Column(Date, nullable=True)
    name = Column(String(200), nullable=False, default="")
    kind = Column(String(20), nullable=False)
    parent = Column(String(100), nullable=True)
    agency = Column(String(100), nullable=False, index=True)


class RosterStaffRow(Base):
    """Read model of the roster's staff (``staff_joined``/``staff_changed``/``staff_left``)."""
    __tablename__ = "roster_staff"
    id = Column(String(100), primary_key=True)
    name = Column(String(200), nullable=False, default="")
    agency = Column(String(100), nullable=False, index=True)
    unit = Column(String(100), nullable=False)
    left = Column(String(20), nullable=True)        # transferred_out / dismissed; null again once back
    position = Column(String(20), nullable=True)    # the latest post's position


class RosterDepartureRow(Base):
    """A departure from the team (the roster's ``staff_left``) with its day: the person has no post from
    ``on`` until a post of his begins after it (a return, ``return_to_team``: a ``staff_changed`` with
    the new post from the day of the return)."""
    __tablename__ = "roster_departures"
    person = Column(String(100), primary_key=True)
    on = Column(Date, primary_key=True)
    kind = Column(String(20), nullable=False)       # transferred_out / dismissed


class RosterPostRow(Base):
    """A person's agency and unit from ``start`` until the next post starts (the roster's events
    with their ``since``): the dated read model a campaign reads on its period's last day."""
    __tablename__ = "roster_posts"
    person = Column(String(100), primary_key=True)
    start = Column(Date, primary_key=True)
    agency = Column(String(100), nullable=False, index=True)
    unit = Column(String(100), nullable=False)
    position = Column(String(20), nullable=True)    # the post's position: a person's role here (policy)
