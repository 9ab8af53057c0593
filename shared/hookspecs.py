"""Hook specifications of an agency's code plug-in (对接, 000 §二2; docs/rule-packs.md, plugins/README.md).

A plug-in is a Python package with an entry point in the group ``lianbao.plugins`` whose object (a
module or an instance) implements some of these hooks with ``@hookimpl``.  It is loaded only when the
configuration ``PLUGINS`` (env ``LIANBAO_PLUGINS``) binds its entry-point name to agencies:
``"court-reversals@lianbao-plugin-court-reversals==0.1.0=a1|a2"`` (entry-point name, the
distribution and version that must provide it, checked before it is imported: see
:mod:`shared.plugins`).  The host calls hooks with keyword arguments only;
an implementation may accept any subset of the arguments named here.

Everything a hook receives is read-only (mappings and tuples; an attempt to change them raises).
Numbers arrive as ``int`` or ``decimal.Decimal``.  A hook never sees a subject of an agency it is not
bound to, and a proposal it returns for any subject other than the one it was given is refused.
"""
from __future__ import annotations

import pluggy

PROJECT = "lianbao"
ENTRY_POINT_GROUP = "lianbao.plugins"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def lianbao_facts():
    """Declare the extra facts this plug-in defines, with their meaning.

    Return a list of ``{"id": "judicial_misconduct", "applies_to": ["officer"], "meaning": "..."}``
    (``applies_to``: ``officer`` and/or ``section``).  Subject data may then carry these facts, and
    :func:`lianbao_propose` may disqualify with them.  A fact of the Method (docs/rating.md, facts) cannot be
    redeclared.  Called once, when the plug-in is loaded."""


@hookspec
def lianbao_propose(kind, subject, agency, period):
    """Propose adaptations for ONE subject of the plug-in's agency.

    ``kind``: ``"officer"``, ``"section"`` or ``"agency"``.  ``subject``: a read-only view of that
    subject: the snapshot's fields (docs/reference/snapshot.md: ``id``, ``agency``, ``monthly``, ``facts``, ...)
    plus ``extra_facts`` (tuple of declared facts) and ``figures`` (mapping name -> number, or
    name -> mapping ``"YYYY-MM"`` -> number) from the subject data recorded for the period.
    ``agency``: the agency id; ``period``: ``"YYYY"`` or ``"YYYYH1"``.

    Return ``None`` or a dict (or a list of dicts) of the form::

        {"subject": "o1",                       # optional; must be the subject given
         "points": [{"criterion": "clearance_rate", "dimension": "performance",
                     "points": 2, "text": "..."}],          # +/- points, a dimension's 20 at most
         "disqualify": [{"fact": "judicial_misconduct", "text": "..."}],   # declared facts only
         "settlement": [{"kind": "commendation", "reason": "clearance_rate"}]}  # no money

    Must not take longer than the configured bound (``PLUGIN_TIMEOUT`` seconds, default 2)."""
