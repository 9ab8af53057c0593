"""The host of agencies' code plug-ins (对接 by code, DESIGN §3): discovery, allow-list, safe calls.

* :func:`parse_allow_list` reads the configuration ``PLUGINS`` (env ``LIANBAO_PLUGINS``):
  ``"court-reversals@lianbao-plugin-court-reversals==0.1.0=a1|a2,psb-clearance=a3"`` binds each
  plug-in (its entry-point name in the group ``lianbao.plugins``) to the agencies it may touch, and
  pins it to the distribution (and version) that must provide it: ``name@distribution==version``,
  ``name@distribution`` or, unpinned, ``name``.  An installed plug-in that is not listed is not
  loaded; a listed one that is not installed is reported.
* :func:`build_host` makes a pluggy ``PluginManager`` with :mod:`shared.hookspecs`, checks each
  entry point's distribution against the pin BEFORE importing it (an entry point of an allowed
  name from another distribution or version is refused, logged, reported in
  :attr:`PluginHost.refused` and never imported; an unpinned name offered by more than one
  distribution is refused for all of them), loads the allowed ones, rejects a plug-in that
  implements an unknown hook (``check_pending``) or declares a Method fact, and returns a
  :class:`PluginHost`.
* :meth:`PluginHost.propose` calls ONE plug-in for ONE subject with keyword arguments, on a
  read-only view (:func:`freeze`), within a bounded time, and returns its normalised proposals, or
  raises a :class:`PluginFailure` saying why it was skipped (raised, timed out, junk, refused).

Pure plumbing, no rule of the Method: the rating engine decides what proposals do.
"""
from __future__ import annotations

import logging
import math
import os
import re
import queue as _queue_mod
import threading as _threading_mod
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.metadata import entry_points as _entry_points
from types import MappingProxyType

import pluggy

from shared import hookspecs
from shared.contracts.packs import DIMENSION_POINTS, DIMENSIONS, IDENT_RE, METHOD_FACTS

DEFAULT_TIMEOUT = 2.0
PROPOSAL_KEYS = {"subject", "points", "disqualify", "settlement"}
SETTLEMENT_KINDS = ("certificate", "eligibility", "warning_talk", "plaque", "rectification",
                    "admonishment_talk", "commendation")
# M§五(二)1(2)③ "other mechanisms' rules — the plug-in hook" (SPEC §3.2)
PLUGIN_METHOD_FACTS = ("other_mechanism",)


# ------------------------------------------------------------------------------------------------
# failures


class PluginFailure(Exception):
    """A plug-in's answer for one subject was not used; the message says why."""

    what = "failed"


class PluginRaised(PluginFailure):
    what = "raised"


class PluginTimedOut(PluginFailure):
    what = "timed out"


class PluginJunk(PluginFailure):
    what = "returned junk"


class PluginRefused(PluginFailure):
    what = "refused"


# ------------------------------------------------------------------------------------------------
# allow-list

log = logging.getLogger("lianbao.plugins")

# name[@distribution[==version]]  (the part of an allow-list entry before "=agencies")
_PIN_RE = re.compile(r"^(?P<name>[^@=\s,|]+)(?:@(?P<dist>[A-Za-z0-9][A-Za-z0-9._-]*)"
                     r"(?:==(?P<version>[A-Za-z0-9][A-Za-z0-9._+!-]*))?)?$")
ENTRY_SYNTAX = "plugin_name[@distribution[==version]]=agency1|agency2"


def canonical_dist(name: str | None) -> str | None:
    """A distribution's name as PEP 503 compares it (``Lianbao_Plugin.X`` -> ``lianbao-plugin-x``)."""
    return None if name is None else re.sub(r"[-_.]+", "-", str(name)).lower()


def _same_version(pinned: str, installed: str | None) -> bool:
    if installed is None:
        return False
    try:
        from packaging.version import InvalidVersion, Version
    except ImportError:  # pragma: no cover - packaging is in the locks
        return pinned == installed
    try:
        return Version(pinned) == Version(installed)
    except InvalidVersion:
        return pinned == installed


@dataclass(frozen=True)
class Allowed:
    """One allow-list entry: the agencies a plug-in may touch and the distribution (and version)
    that must provide its entry point (``None``: not pinned)."""

    agencies: frozenset
    distribution: str | None = None
    version: str | None = None

    def __iter__(self):                      # ``frozenset(allowed)`` / ``sorted(allowed)``
        return iter(self.agencies)

    def __contains__(self, agency) -> bool:
        return agency in self.agencies

    def __eq__(self, other):
        if isinstance(other, (set, frozenset)):   # an unpinned entry equals its set of agencies
            return self.distribution is None and self.version is None and self.agencies == other
        if isinstance(other, Allowed):
            return (self.agencies, canonical_dist(self.distribution), self.version) == (
                other.agencies, canonical_dist(other.distribution), other.version)
        return NotImplemented

    def __hash__(self):
        return hash((self.agencies, canonical_dist(self.distribution), self.version))

    @property
    def pin(self) -> str:
        if self.distribution is None:
            return "(not pinned)"
        return self.distribution + (f"=={self.version}" if self.version else "")

    def key(self) -> tuple:
        return (tuple(sorted(self.agencies)), canonical_dist(self.distribution), self.version)


def _entry(spec: str, agencies, entry: str) -> tuple[str, Allowed]:
    m = _PIN_RE.match(spec.strip())
    if not m:
        raise ValueError(f"PLUGINS entry {entry!r}: expected {ENTRY_SYNTAX}")
    if isinstance(agencies, str):
        agencies = agencies.split("|")
    ids = [str(a).strip() for a in (agencies or ()) if str(a).strip()]
    if not ids:
        raise ValueError(f"PLUGINS entry {entry!r}: expected {ENTRY_SYNTAX}")
    return m["name"], Allowed(frozenset(ids), m["dist"], m["version"])


def parse_allow_list(text) -> dict:
    """``"name@dist==1.0=a1|a2,other=a3"`` -> ``{"name": Allowed({"a1", "a2"}, "dist", "1.0"),
    "other": Allowed({"a3"})}`` (an unpinned entry compares equal to its frozenset of agencies).

    Empty or None: nothing is allowed.  A malformed entry raises ``ValueError`` naming it."""
    out: dict = {}
    if text is None:
        return out
    if isinstance(text, dict):                          # YAML: {"name@dist==1.0": "a1|a2"}
        for k, v in text.items():
            name, allowed = _entry(str(k), v, f"{k}={v}")
            if name in out:
                raise ValueError(f"PLUGINS entry {k!r}: plug-in {name} listed twice")
            out[name] = allowed
        return out
    for raw in str(text).split(","):
        entry = raw.strip()
        if not entry:
            continue
        # the agencies follow the LAST "=" that is not part of "=="
        spec, sep, agencies = entry.rpartition("=")
        if not sep or spec.endswith("="):
            raise ValueError(f"PLUGINS entry {entry!r}: expected {ENTRY_SYNTAX}")
        name, allowed = _entry(spec, agencies, entry)
        if name in out:
            raise ValueError(f"PLUGINS entry {entry!r}: plug-in {name} listed twice")
        out[name] = allowed
    return out


def _as_allowed(v) -> Allowed:
    return v if isinstance(v, Allowed) else Allowed(frozenset(v))


def allow_list_from_config(config: dict | None) -> dict:
    """The allow-list of a nameko/suite config (``PLUGINS``), else the env ``LIANBAO_PLUGINS``."""
    value = (config or {}).get("PLUGINS") if config is not None else None
    if value is None:
        value = os.environ.get("LIANBAO_PLUGINS", "")
    return parse_allow_list(value)


# ------------------------------------------------------------------------------------------------
# read-only views


def freeze(value):
    """A deep read-only copy: dicts become ``MappingProxyType``, lists/sets become tuples."""
    if isinstance(value, (dict, MappingProxyType)):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(freeze(v) for v in value)
    return value


# ------------------------------------------------------------------------------------------------
# bounded calls


def _green() -> bool:
    try:
        import eventlet.patcher
    except ImportError:  # pragma: no cover
        return False
    return eventlet.patcher.is_monkey_patched("thread")


def call_bounded(fn, kwargs: dict, timeout: float | None):
    """Call ``fn(**kwargs)`` in a real OS thread and wait at most ``timeout`` seconds.

    Under eventlet (the services) the call goes to eventlet's OS-thread pool and the green thread
    waits under ``eventlet.Timeout``; otherwise a daemon thread.  A call that overruns raises
    :class:`PluginTimedOut` (the thread cannot be killed: it is abandoned).  ``timeout`` 0 or None:
    called inline."""
    if not timeout:
        return fn(**kwargs)
    if _green():
        import eventlet
        from eventlet import tpool

        try:
            with eventlet.Timeout(timeout):
                return tpool.execute(lambda: fn(**kwargs))
        except eventlet.Timeout:
            raise PluginTimedOut(f"no answer within {timeout} s") from None
    box: _queue_mod.Queue = _queue_mod.Queue(maxsize=1)

    def run():
        try:
            box.put((True, fn(**kwargs)))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box.put((False, exc))

    _threading_mod.Thread(target=run, daemon=True, name="lianbao-plugin-call").start()
    try:
        ok, value = box.get(timeout=timeout)
    except _queue_mod.Empty:
        raise PluginTimedOut(f"no answer within {timeout} s") from None
    if ok:
        return value
    raise value


# ------------------------------------------------------------------------------------------------
# the host


@dataclass
class LoadedPlugin:
    name: str
    version: str
    agencies: frozenset
    obj: object
    facts: dict = field(default_factory=dict)      # fact id -> {"applies_to": (...), "meaning"}

    @property
    def label(self) -> str:
        return f"plugin:{self.name}/{self.version}"


def _dist_version(ep) -> str:
    dist = getattr(ep, "dist", None)
    return getattr(dist, "version", None) or "0"


def _declared_facts(name: str, answer) -> dict:
    """Validate what ``lianbao_facts`` returned; raise ValueError saying what is wrong."""
    out: dict = {}
    for n, f in enumerate(answer or ()):
        if not isinstance(f, dict) or set(f) - {"id", "applies_to", "meaning"}:
            raise ValueError(f"lianbao_facts()[{n}] is not {{id, applies_to, meaning}}")
        fid, kinds, meaning = f.get("id"), f.get("applies_to"), f.get("meaning")
        if not isinstance(fid, str) or not IDENT_RE.match(fid):
            raise ValueError(f"lianbao_facts()[{n}].id {fid!r} is not an identifier")
        if isinstance(kinds, str):
            kinds = (kinds,)
        if not kinds or not all(k in METHOD_FACTS for k in kinds):
            raise ValueError(f"lianbao_facts()[{n}].applies_to must name officer and/or section")
        if not isinstance(meaning, str) or not meaning:
            raise ValueError(f"lianbao_facts()[{n}].meaning is required")
        if any(fid in METHOD_FACTS[k] for k in METHOD_FACTS):
            raise ValueError(f"lianbao_facts()[{n}].id {fid} is a fact of the Method and cannot "
                             "be redeclared")
        out[fid] = {"applies_to": tuple(kinds), "meaning": meaning}
    return out


def _ep_dist(ep) -> tuple[str | None, str | None]:
    """The distribution (name, version) that declares an entry point, read from its metadata
    without importing anything; ``(None, None)`` when unknown."""
    dist = getattr(ep, "dist", None)
    if dist is None:
        return None, None
    try:
        name = dist.metadata["Name"] if getattr(dist, "metadata", None) is not None else None
    except Exception:  # noqa: BLE001 - unreadable metadata: unknown
        name = None
    name = name or getattr(dist, "name", None)
    return name, getattr(dist, "version", None)


def pin_refusal(name: str, allowed: Allowed, dist: str | None, version: str | None) -> str | None:
    """Why an entry point of an allowed ``name`` from distribution ``dist`` (``version``) may not
    be imported, or None when the pin accepts it."""
    if allowed.distribution is None:
        return None
    if dist is None:
        return (f"refused, not imported: the entry point names no distribution, and PLUGINS pins "
                f"{name} to {allowed.pin}")
    if canonical_dist(dist) != canonical_dist(allowed.distribution):
        return (f"refused, not imported: entry point {name} comes from distribution {dist} "
                f"{version or '?'}, but PLUGINS pins it to {allowed.pin}")
    if allowed.version is not None and not _same_version(allowed.version, version):
        return (f"refused, not imported: entry point {name} comes from {dist} {version or '?'}, "
                f"but PLUGINS pins version {allowed.version}")
    return None


class PluginHost:
    """The plug-ins loaded for this process (or for one rating), each bound to its agencies."""

    def __init__(self, pm: pluggy.PluginManager, plugins: dict, rejected: list, timeout,
                 refused: list | None = None):
        self.pm = pm
        self.plugins = plugins            # name -> LoadedPlugin
        self.rejected = rejected          # [{"plugin", "reason"}]: not installed, unlisted, broken, refused
        self.refused = refused or []      # [{"plugin", "distribution", "version", "reason"}]: pin not met
        self.timeout = timeout

    def for_agency(self, agency: str) -> list:
        return [p for p in self.plugins.values() if agency in p.agencies]

    def facts(self, kind: str, agency: str | None = None) -> dict:
        """Facts declared by the plug-ins (of one agency) for a subject kind: id -> plug-in label."""
        out = {}
        for p in (self.plugins.values() if agency is None else self.for_agency(agency)):
            for fid, f in p.facts.items():
                if kind in f["applies_to"]:
                    out[fid] = p.label
        return out

    def _impl(self, plugin: LoadedPlugin, hook: str):
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            if impl.plugin_name == plugin.name:
                return impl
        return None

    def propose(self, plugin: LoadedPlugin, kind: str, subject, agency: str, period: str) -> list:
        """One plug-in, one subject (a frozen view with ``id``).  Returns normalised proposals
        ``{"points": [(criterion, dimension, Decimal, text)], "disqualify": [(fact, text)],
        "settlement": [(kind, reason)]}``; raises :class:`PluginFailure`."""
        if agency not in plugin.agencies:
            raise PluginRefused(f"not bound to agency {agency}")
        impl = self._impl(plugin, "lianbao_propose")
        if impl is None:
            return []
        given = {"kind": kind, "subject": subject, "agency": agency, "period": period}
        kwargs = {k: given[k] for k in impl.argnames}
        try:
            answer = call_bounded(impl.function, kwargs, self.timeout)
        except PluginTimedOut:
            raise
        except Exception as exc:  # noqa: BLE001 - a plug-in must never break the rating
            raise PluginRaised(f"{type(exc).__name__}: {exc}") from None
        return normalise(answer, kind, subject["id"], plugin)


def build_host(allow, *, entry_points=None, extra=(), timeout=DEFAULT_TIMEOUT) -> PluginHost:
    """Load the allowed plug-ins of the group ``lianbao.plugins``.

    ``allow``: the allow-list (a dict from :func:`parse_allow_list`, or its text).
    ``entry_points``: the entry points to consider (default: the installed ones of the group).
    ``extra``: ``(name, version, obj)`` plug-ins given directly (tests, the host's own), subject to
    the same allow-list (a pinned version must match; they have no distribution to check).

    Every entry point's distribution is checked against its pin before ``ep.load()``: one that
    does not match is refused (logged, in ``refused`` and ``rejected``) and never imported."""
    if not isinstance(allow, dict):
        allow = parse_allow_list(allow)
    allow = {name: _as_allowed(v) for name, v in allow.items()}
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    eps = list(_entry_points(group=hookspecs.ENTRY_POINT_GROUP) if entry_points is None
               else entry_points)
    candidates = [(ep.name, None, ep) for ep in eps] + [(n, v, obj) for n, v, obj in extra]
    # the distributions offering each name (an unpinned name offered by two is ambiguous)
    offered: dict = {}
    for ep in eps:
        offered.setdefault(ep.name, set()).add(canonical_dist(_ep_dist(ep)[0]) or "?")
    plugins: dict = {}
    rejected: list = []
    refused: list = []
    seen = set()

    def refuse(name, dist, version, reason):
        log.warning("plug-in %s: %s", name, reason)
        refused.append({"plugin": name, "distribution": dist, "version": version, "reason": reason})
        rejected.append({"plugin": name, "reason": reason})

    for name, version, source in candidates:
        seen.add(name)
        if name not in allow:
            rejected.append({"plugin": name, "reason": "installed but not in the allow-list "
                                                       "(PLUGINS): not loaded"})
            continue
        allowed = allow[name]
        if version is None:                                   # an entry point: check, then import
            dist, dist_version = _ep_dist(source)
            why = pin_refusal(name, allowed, dist, dist_version)
            if why is None and allowed.distribution is None and len(offered[name]) > 1:
                why = (f"refused, not imported: offered by {len(offered[name])} distributions "
                       f"({', '.join(sorted(offered[name]))}) and PLUGINS does not pin one "
                       f"(write {name}@distribution==version=...)")
            if why is not None:
                refuse(name, dist, dist_version, why)
                continue
        elif allowed.version is not None and not _same_version(allowed.version, str(version)):
            refuse(name, None, str(version), f"refused, not imported: version {version}, but "
                                             f"PLUGINS pins version {allowed.version}")
            continue
        if name in plugins:
            rejected.append({"plugin": name, "reason": "a second plug-in of the same name"})
            continue
        try:
            obj = source.load() if version is None else source
            ver = _dist_version(source) if version is None else str(version)
            pm.register(obj, name=name)
        except Exception as exc:  # noqa: BLE001
            rejected.append({"plugin": name, "reason": f"cannot be loaded: {exc}"})
            continue
        try:
            pm.check_pending()
            facts = {}
            for impl in pm.hook.lianbao_facts.get_hookimpls():
                if impl.plugin_name == name:
                    facts = _declared_facts(name, impl.function())
        except Exception as exc:  # noqa: BLE001 - unknown hook, bad facts: reject this one only
            pm.unregister(name=name)
            rejected.append({"plugin": name, "reason": f"rejected: {exc}"})
            continue
        plugins[name] = LoadedPlugin(name, ver, allowed.agencies, obj, facts)
    for name in allow:
        if name not in seen:
            rejected.append({"plugin": name, "reason": "listed in PLUGINS but not installed"})
    return PluginHost(pm, plugins, rejected, timeout, refused)


# ------------------------------------------------------------------------------------------------
# what a plug-in may answer


def _number(v, where: str) -> Decimal | int:
    if isinstance(v, bool) or not isinstance(v, (int, float, Decimal)):
        raise PluginJunk(f"{where}: {v!r} is not a number")
    if isinstance(v, float):
        if not math.isfinite(v):
            raise PluginJunk(f"{where}: {v!r} is not finite")
        return Decimal(repr(v))
    if isinstance(v, Decimal) and not v.is_finite():
        raise PluginJunk(f"{where}: {v!r} is not finite")
    return v


def _text(v, where: str, required=False) -> str:
    if v is None and not required:
        return ""
    if not isinstance(v, str) or (required and not v):
        raise PluginJunk(f"{where}: {v!r} is not a text")
    return v


def normalise(answer, kind: str, subject_id: str, plugin: LoadedPlugin) -> list:
    """Check and normalise a ``lianbao_propose`` answer (see :mod:`shared.hookspecs`)."""
    if answer is None:
        return []
    items = [answer] if isinstance(answer, dict) else answer
    if not isinstance(items, (list, tuple)):
        raise PluginJunk(f"returned {type(answer).__name__}, not a dict or a list of dicts")
    out = []
    facts = {f for f, d in plugin.facts.items() if kind in d["applies_to"]}
    facts.update(f for f in PLUGIN_METHOD_FACTS if kind in METHOD_FACTS)
    for n, p in enumerate(items):
        if not isinstance(p, dict):
            raise PluginJunk(f"[{n}] is {type(p).__name__}, not a dict")
        unknown = set(p) - PROPOSAL_KEYS
        if unknown:
            raise PluginJunk(f"[{n}] unknown keys {sorted(unknown)}")
        target = p.get("subject", subject_id)
        if target != subject_id:
            raise PluginRefused(f"proposal for subject {target!r}, which it was not given "
                                f"(it was given {subject_id!r})")
        points, per_dim = [], {}
        for m, e in enumerate(p.get("points") or ()):
            where = f"[{n}].points[{m}]"
            if not isinstance(e, dict) or set(e) - {"criterion", "dimension", "points", "text"}:
                raise PluginJunk(f"{where} is not {{criterion, dimension, points, text}}")
            crit = _text(e.get("criterion"), f"{where}.criterion", required=True)
            dim = e.get("dimension")
            if dim not in DIMENSIONS.get(kind, ()):
                raise PluginJunk(f"{where}.dimension {dim!r} is not a dimension of a {kind}")
            pts = _number(e.get("points"), f"{where}.points")
            per_dim[dim] = per_dim.get(dim, 0) + pts
            if abs(per_dim[dim]) > DIMENSION_POINTS:
                raise PluginJunk(f"{where}: more than the {DIMENSION_POINTS} points of the "
                                 f"dimension {dim}")
            points.append((crit, dim, pts, _text(e.get("text"), f"{where}.text")))
        dq = []
        for m, e in enumerate(p.get("disqualify") or ()):
            where = f"[{n}].disqualify[{m}]"
            if kind == "agency":
                raise PluginJunk(f"{where}: agencies cannot be disqualified")
            if not isinstance(e, dict) or set(e) - {"fact", "text"}:
                raise PluginJunk(f"{where} is not {{fact, text}}")
            if e.get("fact") not in facts:
                raise PluginJunk(f"{where}.fact {e.get('fact')!r} is not a fact it declared for a "
                                 f"{kind}")
            dq.append((e["fact"], _text(e.get("text"), f"{where}.text")))
        lines = []
        for m, e in enumerate(p.get("settlement") or ()):
            where = f"[{n}].settlement[{m}]"
            if not isinstance(e, dict) or set(e) - {"kind", "reason", "amount"}:
                raise PluginJunk(f"{where} is not {{kind, reason}}")
            if e.get("amount") is not None:
                raise PluginJunk(f"{where}: a plug-in adds no money (amounts follow the reward "
                                 "schedule of the rule pack, SPEC §6)")
            if e.get("kind") not in SETTLEMENT_KINDS:
                raise PluginJunk(f"{where}.kind {e.get('kind')!r} is not one of {SETTLEMENT_KINDS}")
            reason = e.get("reason")
            if not isinstance(reason, str) or not IDENT_RE.match(reason):
                raise PluginJunk(f"{where}.reason {reason!r} is not an identifier")
            lines.append((e["kind"], reason))
        out.append({"points": points, "disqualify": dq, "settlement": lines})
    return out
