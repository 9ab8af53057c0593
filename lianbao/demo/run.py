"""The main job: a year of a city, end to end, through the services' RPCs and events.

Every step below is a call to a running service (or an event one service publishes and others
consume); nothing calls domain code directly.  The same code runs on the embedded default (all
five services in this process, ``memory://``, SQLite) and on RabbitMQ + PostgreSQL.
"""
from __future__ import annotations

import json
import random
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import eventlet

from lianbao.demo.city import City, build_city

YEAR = 2025  # a year that is wholly in the past: ratings in July 2025 and January 2026
DEAD_LETTERS_READ = 100_000          # how many dead letters the summary reads at the most

# agencies' adaptations (对接): the two example plug-ins, bound by the services' allow-list, and a
# rule pack registered by the city public-security bureau's leading group
DEMO_PLUGINS = ("psb-clearance@lianbao-plugin-psb-clearance==0.1.0=k1ps|k2ps,"
                "court-reversals@lianbao-plugin-court-reversals==0.1.0=k1ct")
DEMO_PACK_AGENCY = "cps"

OFFICER_ITEMS = ("political.study", "political.discipline", "integrity.bans", "integrity.clean",
                 "performance.targets", "diligence.public")
SECTION_ITEMS = ("quality.staff", "management.rules")


def _batches(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]


class Progress:
    """tqdm bars when asked for, silence otherwise (tests)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def bar(self, total, desc):
        if not self.enabled:
            return _NullBar()
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit="", leave=True, dynamic_ncols=True,
                    bar_format="{desc:<34}{percentage:3.0f}%|{bar:30}| {n_fmt}/{total_fmt} [{elapsed}]")


class _NullBar:
    def update(self, n=1):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class Demo:
    def __init__(self, suite, city: City, seed: int = 7, progress: bool = True, year: int = YEAR,
                 concurrency: int = 8):
        self.suite = suite
        self.city = city
        self.rng = random.Random(seed * 7919)
        self.progress = Progress(progress)
        self.year = year
        self.concurrency = concurrency
        self.timings: dict[str, float] = {}
        self.notes: dict = {}
        self.staff = {s["id"]: s for s in city.staff}
        self.mentor_of = {mentee: mentor for mentor, mentee in city.pairs}
        self.mentor_changes: dict = {}  # mentee -> [(first day, new mentor, previous mentor)]
        # the dated tree (SPEC §9): what the demo's reorganisation changed, with the day it did
        self.section_moves: dict = {}    # section -> (day, old agency)
        self.evaluator_changes: dict = {}  # person -> (day, old evaluating body)
        self.leader_changes: dict = {}   # section -> (day, old supervising leader)
        self.pair_start: dict = {}     # mentee -> first day of the first pair
        self.sections = {s["id"]: s["agency"] for s in city.sections}
        self.agency_head = {}
        self.agency_leaders = defaultdict(list)
        self.section_chiefs = defaultdict(list)
        self.leader_of_section = {}
        for s in city.staff:
            if s["position"] == "head":
                self.agency_head[s["unit"]] = s["id"]
            elif s["position"] == "leader":
                self.agency_leaders[s["unit"]].append(s["id"])
                for sid in s["supervises"]:
                    self.leader_of_section[sid] = s["id"]
            elif s["position"] == "chief":
                self.section_chiefs[s["unit"]].append(s["id"])
        self.parent = {u["id"]: u.get("parent") for u in city.units}

    # -- plumbing --------------------------------------------------------------------------------
    def rpc(self):
        return self.suite.rpc()

    def _timed(self, name):
        demo = self

        class _T:
            def __enter__(self):
                self.t = time.perf_counter()

            def __exit__(self, *exc):
                demo.timings[name] = round(time.perf_counter() - self.t, 2)
                return False

        return _T()

    def _parallel(self, calls, desc):
        """Run ``calls`` [(service, method, payload)] over several green threads, one proxy each."""
        pool = eventlet.GreenPool(self.concurrency)
        results = [None] * len(calls)
        chunks = [list(range(i, len(calls), self.concurrency)) for i in range(self.concurrency)]
        bar = self.progress.bar(len(calls), desc)

        def work(indices):
            with self.rpc() as rpc:
                for i in indices:
                    service, method, payload = calls[i]
                    results[i] = getattr(getattr(rpc, service), method)(payload)
                    bar.update(1)

        for chunk in chunks:
            if chunk:
                pool.spawn(work, chunk)
        pool.waitall()
        bar.close()
        return results

    # -- 1. roster ----------------------------------------------------------------------------------
    def load_roster(self):
        with self._timed("roster"), self.rpc() as rpc:
            rpc.roster.save_units({"units": self.city.units})
            bar = self.progress.bar(len(self.city.staff), "roster: staff")
            for batch in _batches(self.city.staff, 2000):
                rpc.roster.create_staff({"staff": batch})
                bar.update(len(batch))
            bar.close()
        with self._timed("mentoring"), self.rpc() as rpc:
            start = date(self.year, 1, 1)
            pairs = []
            for mentor, mentee in self.city.pairs:
                joined = max(date.fromisoformat(self.staff[mentee]["joined"]),
                             date.fromisoformat(self.staff[mentor]["joined"]))
                pairs.append({"mentor": mentor, "mentee": mentee, "start": max(start, joined).isoformat()})
                self.pair_start[mentee] = max(start, joined).isoformat()
            bar = self.progress.bar(len(pairs), "roster: mentoring pairs")
            for batch in _batches(pairs, 2000):
                out = rpc.roster.assign_mentors({"pairs": batch})
                if out["errors"]:
                    raise RuntimeError(f"mentoring pairs refused: {out['errors'][:3]}")
                bar.update(len(batch))
            bar.close()
        with self._timed("read models"):
            self.suite.wait_quiet(timeout=600)

    def seed_evaluators(self):
        """Which leading group acts for whom (the demo drives every body's approvals, so it needs
        to know): heads and leaders are resolved by the roster (M§五(二)3), everyone else is their
        agency's. Scoring is not told: it learns every evaluator, with its dates, from the
        roster's ``evaluators_resolved`` events (issue 27)."""
        with self._timed("evaluators"):
            people = [s for s in self.city.staff if s["position"] in ("head", "leader")]
            when = date(self.year, 6, 30).isoformat()
            calls = [("roster", "evaluator_of", {"person": s["id"], "date": when}) for s in people]
            answers = self._parallel(calls, "roster: evaluators of leaders")
            self.evaluator = {s["id"]: self.city.agency_of[s["id"]] for s in self.city.staff}
            changed = 0
            for s, answer in zip(people, answers):
                self.evaluator[s["id"]] = answer["group"]
                changed += answer["group"] != self.city.agency_of[s["id"]]
            self.notes["evaluated_outside_their_agency"] = changed
        # members of each evaluating body: the heads and leaders of that unit (领导小组)
        self.body_members = defaultdict(list)
        for s in self.city.staff:
            if s["position"] in ("head", "leader"):
                self.body_members[s["unit"]].append(s["id"])

    # -- 2. training -------------------------------------------------------------------------------
    def training(self):
        y = self.year
        with self._timed("training"), self.rpc() as rpc:
            rpc.training.register_courses({"courses": [
                {"id": f"ROT{y}", "kind": "rotation", "title": f"{y}年度轮训",
                 "modules": ["rule_of_law", "politics", "skills"]},
                {"id": f"SK{y}", "kind": "skills", "title": f"{y}年度考技考能", "modules": ["skills"]},
                {"id": f"AR{y}", "kind": "all_round_assessment", "title": "全能政法干警考核", "modules": []},
            ]})
            # political-theory study: two days a month each (a few fall short)
            entries = []
            for s in self.city.staff:
                for m in range(1, 13):
                    days = (3, 10) if self.rng.random() > 0.02 else (3,)
                    for d in days:
                        entries.append({"person_id": s["id"], "date": date(y, m, d).isoformat()})
            bar = self.progress.bar(len(entries), "training: study days")
            for batch in _batches(entries, 50_000):
                rpc.training.record_study({"entries": batch})
                bar.update(len(batch))
            bar.close()
            # the central study group: one 3-day session a quarter in every unit with a head
            heads = sorted(self.agency_head)
            for q in range(4):
                for unit in heads:
                    if self.rng.random() < 0.97:
                        rpc.training.record_session({"unit_id": unit, "start": date(y, 3 * q + 2, 6).isoformat(),
                                                     "days": 3})
            # rotation training: every chief, and officers in the year they are due; a few fail,
            # most of them pass the retraining, the rest are removed / transferred (M§三(四)1(3))
            rows, self.transferred, self.demoted = [], {}, set()
            skills = []
            for s in self.city.staff:
                if s["position"] not in ("chief", "officer"):
                    continue
                if s["joined"] > date(y, 4, 15).isoformat():
                    continue                    # joins after the course: his pre-service training counts
                joined_year = int(s["joined"][:4])
                due = s["position"] == "chief" or (y - joined_year) % 3 == 0
                if due:
                    fail = self.rng.random() < 0.03
                    rows.append({"person_id": s["id"], "course_id": f"ROT{y}",
                                 "date": date(y, 4, 15).isoformat(), "result": "fail" if fail else "pass"})
                    if fail:
                        again = self.rng.random() < 0.7
                        rows.append({"person_id": s["id"], "course_id": f"ROT{y}",
                                     "date": date(y, 9, 15).isoformat(), "result": "pass" if again else "fail"})
                        if not again:
                            if s["position"] == "officer":
                                self.transferred[s["id"]] = date(y, 9, 15)
                            else:
                                self.demoted.add(s["id"])
                skills.append({"person_id": s["id"], "course_id": f"SK{y}", "date": date(y, 11, 20).isoformat(),
                               "result": "pass" if self.rng.random() < 0.965 else "fail"})
            officers = [s for s in self.city.staff if s["position"] == "officer"
                        and s["joined"] <= date(y, 3, 15).isoformat()]      # on the team by the assessment
            self.certified = [s["id"] for s in self.rng.sample(officers, max(1, len(officers) // 60))]
            assessments = [{"person_id": p, "course_id": f"AR{y}", "date": date(y, 3, 15).isoformat(),
                            "result": "pass"} for p in self.certified]
            result = rpc.training.import_results({"rows": rows + skills + assessments})
            assert result["committed"], result["errors"][:5]
            for m in range(1, 13):
                rpc.training.run_allowances({"month": f"{y}-{m:02d}"})
            self.notes["training_results"] = len(rows) + len(skills) + len(assessments)
        with self._timed("training events"):
            self.suite.wait_quiet(timeout=600)

    def repair_mentoring(self):
        """After removals, the agencies appoint a new chief where a section lost its only one, and
        give every officer without a mentor a new one (the roster never does it silently)."""
        when = date(self.year, 10, 1).isoformat()
        with self._timed("mentoring repaired"), self.rpc() as rpc:
            before = rpc.roster.mentoring_coverage({"date": when})
            appointed = 0
            for sid, chiefs in sorted(self.section_chiefs.items()):
                if any(c not in self.demoted and self.staff[c]["joined"] <= when for c in chiefs):
                    continue
                candidates = [s for s in self.city.staff if s["unit"] == sid and s["position"] == "officer"
                              and s["id"] not in self.transferred and s["id"] not in self.demoted
                              and s["joined"] <= when]
                if not candidates:
                    continue
                new = min(candidates, key=lambda s: s["joined"])
                rpc.roster.change_staff({"person": new["id"], "effective": when, "position": "chief"})
                rpc.roster.assign_mentor({"mentor": self.leader_of_section[sid], "mentee": new["id"], "start": when})
                new["position"] = "chief"
                self._new_mentor(new["id"], self.leader_of_section[sid], when)
                self.section_chiefs[sid].append(new["id"])
                appointed += 1
            self.suite.wait_quiet(timeout=600)
            without = [(p, when) for p in rpc.roster.mentoring_coverage({"date": when})["officer"]["without"]]
            # newcomers who join after the repair: the pair waiting for them was cancelled when its
            # mentor lost his post (the roster cuts future pairs too), so they get one from their
            # first day, as the roster answers it for that day
            later = sorted((s for s in self.city.staff if s["joined"] > when and s["position"] == "officer"
                            and s["id"] not in self.transferred), key=lambda s: s["id"])
            if later:
                answers = self._parallel([("roster", "mentor_of", {"person": s["id"], "date": s["joined"]})
                                          for s in later], "roster: mentors of later newcomers")
                without += [(s["id"], s["joined"]) for s, a in zip(later, answers) if a["mentor"] is None]
            pairs = []
            for person, start in without:
                staff = self.staff.get(person)
                if staff is None or person in self.transferred:
                    continue
                options = [c for c in self.section_chiefs.get(staff["unit"], [])
                           if c not in self.demoted and self.staff[c]["joined"] <= start]
                if options:
                    pairs.append({"mentor": options[0], "mentee": person, "start": start})
            out = rpc.roster.assign_mentors({"pairs": pairs}) if pairs else {"assigned": 0, "errors": []}
            refused = {e["index"] for e in out["errors"]}
            for i, pair in enumerate(pairs):
                if i not in refused:
                    self._new_mentor(pair["mentee"], pair["mentor"], pair["start"])
            fixed = out["assigned"]
            self.notes["mentoring_repair_refused"] = [e["message"] for e in out["errors"][:5]]
            after = rpc.roster.mentoring_coverage({"date": when})
        self.notes["mentoring_repair"] = {"coverage_before": before["officer"]["share"],
                                          "chiefs_appointed": appointed, "mentors_reassigned": fixed,
                                          "coverage_after": after["officer"]["share"],
                                          "still_without": after["officer"]["without"][:10]}
        self.suite.wait_quiet(timeout=600)

    # -- the tree through time (SPEC §9): a section moves to another agency, then is renamed ----------
    def reorganisation_plan(self):
        """A section of a county procuratorate (the county's last one with a court beside it, away
        from the agencies whose adaptations the demo feeds) moves to the county court on 15 June
        and is renamed on 1 July: (section, from, to, moved on, renamed on, new name)."""
        adapted = {DEMO_PACK_AGENCY, "k1ps", "k2ps", "k1ct"}
        for cid in reversed(self.city.committees):
            src, dest = f"{cid}pr", f"{cid}ct"
            if src in self.agency_leaders and dest in self.agency_leaders and not {src, dest} & adapted:
                sections = sorted(sid for sid, agency in self.sections.items() if agency == src)
                if len(sections) >= 2 and self.agency_head.get(dest):
                    return (sections[-1], src, dest, date(self.year, 6, 15).isoformat(),
                            date(self.year, 7, 1).isoformat(), "立案庭")
        return None

    def reorganise(self):
        """The roster's ``move_unit`` and ``rename_unit`` (the leading groups first hand over the
        section's 分管: the roster refuses a section supervised from another agency); the chiefs'
        mentor becomes the new agency's leader from the same day. Scoring, survey, training and
        rewards learn it from the roster's events: from June the section and its people are
        evaluated, rated and paid by the court (a month is read on its last day)."""
        plan = self.reorganisation_plan()
        if plan is None:
            return
        sid, src, dest, moved_on, renamed_on, name = plan
        old_leader = self.leader_of_section[sid]
        new_leader = self.agency_leaders[dest][0]
        with self._timed("reorganisation"), self.rpc() as rpc:
            keep = [x for x in self.staff[old_leader]["supervises"] if x != sid]
            cut = rpc.roster.change_staff({"person": old_leader, "effective": moved_on, "supervises": keep})
            self.staff[old_leader]["supervises"] = keep
            rpc.roster.move_unit({"unit": sid, "parent": dest, "effective": moved_on})
            more = self.staff[new_leader]["supervises"] + [sid]
            rpc.roster.change_staff({"person": new_leader, "effective": moved_on, "supervises": more})
            self.staff[new_leader]["supervises"] = more
            unassigned = {u["mentee"] for u in cut["unassigned"]}
            for chief in self.section_chiefs[sid]:
                call = rpc.roster.assign_mentor if chief in unassigned else rpc.roster.reassign_mentor
                call({"mentor": new_leader, "mentee": chief, "start": moved_on})
                self._new_mentor(chief, new_leader, moved_on)
            rpc.roster.rename_unit({"unit": sid, "name": name, "effective": renamed_on})
            history = rpc.roster.unit_history({"unit": sid})["versions"]
        self.section_moves[sid] = (moved_on, src)
        self.sections[sid] = dest
        self.leader_changes[sid] = (moved_on, old_leader)
        self.leader_of_section[sid] = new_leader
        people = [s["id"] for s in self.city.staff if s["unit"] == sid]
        for pid in people:
            if self.evaluator[pid] == src:
                self.evaluator_changes[pid] = (moved_on, src)
                self.evaluator[pid] = dest
            self.city.agency_of[pid] = dest
        self.city.agency_of[sid] = dest
        self.notes["reorganisation"] = {
            "section": sid, "from": src, "to": dest, "moved_on": moved_on, "renamed_on": renamed_on,
            "name": name, "people": len(people), "supervised_by": [old_leader, new_leader],
            "versions": [(v["since"], v["until"], v["parent"], v["name"]) for v in history]}
        self.suite.wait_quiet(timeout=600)

    def _notice_name(self, rpc, month, notice_on):
        """The moved section's name on its body's notice of ``month`` (posted after the move)."""
        seen = self.notes.get("reorganisation")
        if not seen:
            return
        sid = seen["section"]
        body = self._body(sid, "section", month)
        page = rpc.scoring.public_notice({"evaluator": body, "month": month, "as_of": notice_on})
        seen.setdefault("notices", {})[month] = {
            "evaluator": body, "posted_on": notice_on,
            "name": next((e["name"] for e in page["entries"] if e["subject"] == sid), None)}

    def reorganisation_seen(self, rpc) -> dict:
        """What scoring made of the reorganisation: the section's evaluating body in May, June and
        July (as the demo expects it from the dated tree)."""
        seen = self.notes.get("reorganisation")
        if not seen:
            return {}
        sid = seen["section"]
        return {month: {"evaluator": rpc.scoring.evaluation({"subject": sid, "kind": "section",
                                                             "month": month})["evaluator"],
                        "expected": self._body(sid, "section", month)}
                for month in (f"{self.year}-05", f"{self.year}-06", f"{self.year}-07")}

    # -- 3. satisfaction surveys -------------------------------------------------------------------
    def _answers(self, p: float) -> str:
        out = []
        for _ in range(35):
            r = self.rng.random()
            if r < 0.05:
                out.append("N")
            elif r < 0.05 + p * 0.7:
                out.append("S")
            elif r < 0.05 + p * 0.95:
                out.append("B")
            else:
                out.append("D")
        return "".join(out)

    def surveys(self):
        from shared.contracts.survey import RESPONDENT_GROUPS

        y = self.year
        officers = [s["id"] for s in self.city.staff]
        self.unhappy = set(self.rng.sample(officers, max(1, len(officers) // 120)))
        per_kind = [("officer", officers, 4), ("section", list(self.sections), 20),
                    ("agency", [a["id"] for a in self.city.agencies], 100)]
        totals = {}
        self.error_kinds_survey = Counter()
        with self._timed("surveys"), self.rpc() as rpc:
            for half in ("H1", "H2"):
                campaign = f"sat-{y}{half}"
                subjects = [{"id": sid, "kind": kind, "name": ""} for kind, ids, _n in per_kind for sid in ids]
                rpc.survey.create_campaign({"campaign_id": campaign, "period": f"{y}{half}", "owner": "city",
                                            "title": f"{y}年{'上' if half == 'H1' else '下'}半年群众满意度测评",
                                            "subjects": subjects})
                forms = []
                for kind, subjects, n in per_kind:
                    for subject in subjects:
                        p = 0.45 if subject in self.unhappy else 0.93
                        for k in range(n):
                            forms.append({"serial": f"{campaign}-{subject}-{k}", "subject": subject,
                                          "group": RESPONDENT_GROUPS[(k + len(subject)) % 10],
                                          "answers": self._answers(p)})
                # paper forms keyed twice by mistake: the second copy must not count
                forms.extend(dict(f) for f in self.rng.sample(forms, 200))
                self.rng.shuffle(forms)
                bar = self.progress.bar(len(forms), f"survey {half}: forms")
                received = duplicates = 0
                for i, batch in enumerate(_batches(forms, 10_000)):
                    out = rpc.survey.submit_batch({"campaign_id": campaign, "batch_id": f"{campaign}-b{i}",
                                                   "forms": batch})
                    received += out["accepted"]
                    duplicates += out["duplicates"]
                    for e in out["errors"]:
                        self.error_kinds_survey[f"{e['reason']}: {e['message'][:50]}"] += 1
                    bar.update(len(batch))
                bar.close()
                rates = rpc.survey.close_campaign({"campaign_id": campaign})
                totals[half] = {"forms": received, "duplicates_refused": duplicates,
                                "rate": rates["totals"]["rate"]}
                if half == "H1":
                    self.xlsx_rates = rpc.survey.rates_xlsx({"campaign_id": campaign})
        self.notes["surveys"] = totals
        self.notes["survey_refusals"] = dict(self.error_kinds_survey.most_common(6))
        self.suite.wait_quiet(timeout=600)

    # -- 4. monthly evaluations ---------------------------------------------------------------------
    def _profiles(self):
        """Each person's standing over the year: how many points a month they usually lose."""
        self.loss = {}
        for s in self.city.staff:
            r = self.rng.random()
            if r < 0.10:
                base = self.rng.uniform(0, 3.5)
            elif r < 0.36:
                base = self.rng.uniform(5.5, 9)
            elif r < 0.85:
                base = self.rng.uniform(11, 18)
            elif r < 0.97:
                base = self.rng.uniform(21, 28)
            else:
                base = self.rng.uniform(31, 38)
            self.loss[s["id"]] = base
        self.troubled = set(self.rng.sample([s["id"] for s in self.city.staff if s["position"] == "officer"],
                                            max(1, len(self.city.staff) // 250)))
        self.section_loss = {}
        for sid in self.sections:
            r = self.rng.random()
            self.section_loss[sid] = (self.rng.uniform(0, 4) if r < 0.25 else self.rng.uniform(5, 18)
                                      if r < 0.9 else self.rng.uniform(21, 34))

    @staticmethod
    def _spread(loss: float, items) -> dict:
        """Item scores that lose ``loss`` points (in half points) from the template's items."""
        remaining = round(loss * 2) / 2
        out = {}
        for item, maximum in items:
            take = min(maximum, remaining)
            if take > 0:
                out[item] = float(maximum - take)
                remaining -= take
        return out

    def _new_mentor(self, mentee, mentor, first_day):
        self.mentor_changes.setdefault(mentee, []).append((first_day, mentor, self.mentor_of.get(mentee)))
        self.mentor_of[mentee] = mentor

    def _mentor_on(self, mentee, day: str):
        """The mentor on ``day`` (scoring checks the mentor of the act's date): the latest change
        from on or before it, else the first mentor."""
        if day < self.pair_start.get(mentee, ""):
            return None
        changes = sorted(self.mentor_changes.get(mentee, ()), key=lambda c: c[0])
        if not changes:
            return self.mentor_of.get(mentee)
        started = [c for c in changes if c[0] <= day]
        return started[-1][1] if started else changes[0][2]

    # -- the dated tree, as the demo changed it (the roster and scoring read the same dates) -----
    @staticmethod
    def _last_day(month: str) -> str:
        y, m = int(month[:4]), int(month[5:7])
        return (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)).isoformat()

    def _section_agency(self, sid, day: str):
        move = self.section_moves.get(sid)
        return move[1] if move is not None and day < move[0] else self.sections[sid]

    def _evaluator_on(self, person, day: str):
        change = self.evaluator_changes.get(person)
        return change[1] if change is not None and day < change[0] else self.evaluator[person]

    def _leader_of_section(self, sid, day: str):
        change = self.leader_changes.get(sid)
        return change[1] if change is not None and day < change[0] else self.leader_of_section[sid]

    def _body(self, subject, kind, month: str):
        """The leading group evaluating ``subject`` for ``month``: the one of the month's last day
        (SPEC §9, a section moved on the 15th counts for its new agency that month)."""
        last = self._last_day(month)
        return self._section_agency(subject, last) if kind == "section" else self._evaluator_on(subject, last)

    def _reviewer(self, subject, kind, day, month):
        """The section's supervising leader (分管领导) or the person's mentor on the review's day;
        a person without one is reviewed by another member of the month's evaluating body."""
        if kind == "section":
            return self._leader_of_section(subject, day)
        mentor = self._mentor_on(subject, day)
        if mentor:
            return mentor
        body = self._body(subject, kind, month)
        return next(m for m in self.body_members[body] if m != subject)

    def _approver(self, subject, kind, day, month):
        """A member of the month's evaluating body who is neither the subject nor its reviewer (the
        mentor reviews, someone else approves)."""
        body = self._body(subject, kind, month)
        reviewer = self._reviewer(subject, kind, day, month)
        members = [m for m in self.body_members[body] if m not in (subject, reviewer)]
        return members[0] if members else next(m for m in self.body_members[body] if m != subject)

    def _body_step(self, rpc, method, body, **payload):
        """公示 / 备案 of a body's month by its first member; the member's own evaluation is left for
        another member of the leading group (SPEC §8), who then posts or files it."""
        members = self.body_members[body]
        out = getattr(rpc.scoring, method)({"actor": members[0], "evaluator": body, **payload})
        if out.get("left_for_another_member") and len(members) > 1:
            getattr(rpc.scoring, method)({"actor": members[1], "evaluator": body, **payload})
        return out

    def evaluations(self, months):
        """The monthly workflow for ``months`` (evaluated early in the next month, in order)."""
        y = self.year
        if not hasattr(self, "loss"):
            self._profiles()
        officer_items = [("political.study", 8), ("political.discipline", 12), ("integrity.bans", 10),
                         ("integrity.clean", 10), ("performance.targets", 12), ("performance.daily_log", 8),
                         ("fairness.enforcement", 12), ("fairness.openness", 8), ("diligence.conduct", 10),
                         ("diligence.public", 10)]
        section_items = [("cooperation.team", 10), ("cooperation.joint", 10), ("quality.training", 10),
                         ("quality.staff", 10), ("management.rules", 10), ("management.mentoring", 10),
                         ("enforcement.quality", 10), ("enforcement.targets", 10), ("satisfaction.review", 10),
                         ("satisfaction.complaints", 10)]
        bodies = sorted(set(self.evaluator.values()) | set(self.sections.values()))
        if not hasattr(self, "late_bodies"):
            self.late_bodies = set(self.rng.sample(bodies, max(1, len(bodies) // 8)))
            self.notes["late_bodies"] = sorted(self.late_bodies)
            self.error_kinds = Counter()
            self.notes["objections"] = self.notes["workflow_item_errors"] = 0
        late_bodies = self.late_bodies
        objections = errors = 0
        bar = self.progress.bar(len(months), f"scoring: months {months[0]}–{months[-1]}")
        with self._timed(f"evaluations {months[0]}-{months[-1]}"), self.rpc() as rpc:
            for m in months:
                month = f"{y}-{m:02d}"
                nxt = date(y + (m == 12), m % 12 + 1, 1)
                submit_on, notice_on = (nxt + timedelta(days=1)).isoformat(), (nxt + timedelta(days=2)).isoformat()
                subjects = []
                for s in self.city.staff:
                    left = getattr(self, "transferred", {}).get(s["id"])
                    if left is not None and (y, m) >= (left.year, left.month):
                        continue        # gone before the month is evaluated: no evaluation
                    if date.fromisoformat(s["joined"]) > date(y, m, 28):
                        continue
                    subjects.append((s["id"], "officer"))
                subjects += [(sid, "section") for sid in self.sections]
                items = []
                for subject, kind in subjects:
                    if kind == "section":
                        loss = self.section_loss[subject] + self.rng.uniform(-2, 2)
                        scores = self._spread(max(0.0, loss), section_items)
                        actor = next(c for c in self.section_chiefs[subject]
                                     if c not in getattr(self, "demoted", ()))
                    else:
                        loss = self.loss[subject] + self.rng.uniform(-2.5, 2.5)
                        if subject in self.troubled and m in (3, 6, 9):
                            loss = 45
                        scores = self._spread(max(0.0, loss), officer_items)
                        actor = subject
                    items.append({"actor": actor, "subject": subject, "kind": kind, "month": month,
                                  "item_scores": scores})
                for step, method, make in (
                        ("submit", "submit_self_assessments", lambda it: it),
                        ("review", "review_batch", lambda it: {"actor": self._reviewer(it["subject"], it["kind"], submit_on, month),
                                                               "subject": it["subject"], "kind": it["kind"],
                                                               "month": month}),
                        ("approve", "approve_batch", lambda it: {"actor": self._approver(it["subject"], it["kind"], submit_on, month),
                                                                 "subject": it["subject"], "kind": it["kind"],
                                                                 "month": month})):
                    for batch in _batches([make(it) for it in items], 5000):
                        out = getattr(rpc.scoring, method)({"items": batch, "as_of": submit_on})
                        errors += len(out["errors"])
                        for e in out["errors"]:
                            self.error_kinds[f"{step}: {e['message'][:60]}"] += 1
                for body in bodies:
                    self._body_step(rpc, "publish_notice", body, month=month, as_of=notice_on)
                self._notice_name(rpc, month, notice_on)
                # objections during the notice: back to review, reviewed and approved again
                for subject, kind in self.rng.sample([x for x in subjects if x[1] == "officer"], 3):
                    rpc.scoring.raise_objection({"actor": subject, "subject": subject, "kind": kind,
                                                 "month": month, "text": "对扣分有异议", "as_of": notice_on})
                    rpc.scoring.review({"actor": self._reviewer(subject, kind, notice_on, month), "subject": subject,
                                        "kind": kind, "month": month, "as_of": notice_on})
                    rpc.scoring.approve({"actor": self._approver(subject, kind, notice_on, month), "subject": subject,
                                         "kind": kind, "month": month, "as_of": notice_on})
                    body = self._body(subject, kind, month)
                    self._body_step(rpc, "publish_notice", body, month=month, as_of=notice_on)
                    objections += 1
                # the notice's three working days on China's calendar (after National Day, a make-up
                # Saturday counts): filing on the 10th, or the first day after the notice
                notice_end = date.fromisoformat(rpc.scoring.working_days(
                    {"start": notice_on, "end": notice_on})["notice_end_if_posted_on_start"])
                for body in bodies:
                    day = 17 if body in late_bodies and m in (4, 10) else 10
                    on = max(date(nxt.year, nxt.month, day), notice_end + timedelta(days=1)).isoformat()
                    self._body_step(rpc, "file_month", body, month=month, as_of=on)
                    rpc.scoring.rank_month({"actor": self.body_members[body][0], "evaluator": body,
                                            "month": month, "as_of": on})
                bar.update(1)
        bar.close()
        self.notes["objections"] += objections
        self.notes["workflow_item_errors"] += errors
        self.notes["workflow_error_kinds"] = dict(self.error_kinds.most_common(10))

    # -- 5. facts of the year: daily logs, honours, absences, bans, agency evaluations ---------------
    def facts(self):
        y = self.year
        officers = [s for s in self.city.staff if s["position"] == "officer" and s["id"] not in self.transferred]
        with self._timed("facts"), self.rpc() as rpc:
            # daily logs of one week in November, reviewed by the mentors (a few left unreviewed)
            sample = self.rng.sample(officers, max(5, len(officers) // 20))
            logs, reviews = [], []
            for s in sample:
                for d in range(17, 22):
                    day = date(y, 11, d).isoformat()
                    logs.append({"person": s["id"], "date": day, "text": "办理案件、走访群众、学习记录"})
                    if self.rng.random() < 0.95 and self.mentor_of.get(s["id"]):
                        reviews.append({"actor": self.mentor_of[s["id"]], "person": s["id"], "date": day})
            rpc.scoring.write_daily_logs({"logs": logs, "as_of": date(y, 11, 21).isoformat()})
            out = rpc.scoring.review_daily_logs({"reviews": reviews, "as_of": date(y, 11, 24).isoformat()})
            unreviewed = rpc.scoring.unreviewed_logs({"as_of": date(y, 11, 28).isoformat()})
            self.notes["daily_logs"] = {"written": len(logs), "reviewed": out["done"],
                                        "unreviewed": len(unreviewed["logs"])}
            # honours (M§五(二)1(2)①): provincial and central, one title twice at two levels
            honoured = self.rng.sample(officers, max(3, len(officers) // 80))
            self.honoured = [s["id"] for s in honoured]
            honours = []
            for i, s in enumerate(honoured):
                level = "central" if i % 5 == 0 else "provincial"
                honours.append({"id": f"hon-{s['id']}", "subject": s["id"], "title": "优秀政法干警",
                                "level": level, "date": date(y, 5, 4).isoformat()})
            honours.append({"id": f"hon-{honoured[1]['id']}-c", "subject": honoured[1]["id"],
                            "title": "优秀政法干警", "level": "central", "date": date(y, 9, 1).isoformat()})
            for sid in self.rng.sample(sorted(self.sections), max(2, len(self.sections) // 40)):
                honours.append({"id": f"hon-{sid}", "subject": sid, "title": "省级青年文明号",
                                "level": "provincial", "date": date(y, 6, 1).isoformat()})
            rpc.scoring.record_honours({"honours": honours})
            # unexcused absence: five days or more disqualifies (以上含本数)
            absent = self.rng.sample(officers, max(2, len(officers) // 300))
            self.absent = {s["id"]: 5 if k % 2 == 0 else 4 for k, s in enumerate(absent)}
            rpc.scoring.record_absences({"absences": [
                {"person": s["id"], "date": date(y, 8, 4 + d).isoformat()}
                for k, s in enumerate(absent) for d in range(5 if k % 2 == 0 else 4)]})
            # the ten bans: a confirmed violation suspends at once and opens cases against the person
            # and the mentor (联带责任); the sanction that follows disqualifies the person
            banned = self.rng.sample([s for s in officers if s["joined"] < date(y, 6, 10).isoformat()], 3)
            for k, s in enumerate(banned):
                rpc.roster.record_ban_violation({"person": s["id"], "ban": k + 2,
                                                 "occurred_on": date(y, 6, 10).isoformat(),
                                                 "confirmed_on": date(y, 6, 20).isoformat()})
            failed = self.rng.sample(sorted(self.sections), 2)
            rpc.scoring.record_facts({"facts": [
                {"id": f"sanction-{s['id']}", "subject": s["id"], "kind": "disciplinary_sanction",
                 "date": date(y, 7, 1).isoformat()} for s in banned] + [
                {"id": f"inspection-{sid}", "subject": sid, "subject_kind": "section", "kind": "failed_inspection",
                 "date": date(y, 10, 12).isoformat()} for sid in failed]})
            self.banned = [s["id"] for s in banned]
            # agency-level evaluation (M§五(一)): six standards, awards, criticisms, last year's class
            for a in self.city.agencies:
                strength = self.rng.uniform(-6, 12)
                standards = {k: round(min(v, max(0, v * 0.86 + strength * v / 100 + self.rng.uniform(-1, 1))), 1)
                             for k, v in (("structures", 15), ("mentoring", 20), ("joint_work", 15),
                                          ("rules_and_bans", 20), ("central_tasks", 15), ("effectiveness", 15))}
                awards = []
                if self.rng.random() < 0.4:
                    awards.append({"kind": "unit_commended", "level": self.rng.choice(("provincial", "central"))})
                if self.rng.random() < 0.2:
                    awards.append({"kind": "experience_promoted", "level": self.rng.choice(("city", "provincial"))})
                awards += [{"kind": "article_adopted"}] * self.rng.randint(0, 4)
                rpc.scoring.record_agency_evaluation({
                    "agency": a["id"], "year": y, "group": a["group"], "standards": standards, "awards": awards,
                    "criticisms": self.rng.choice((0, 0, 0, 1, 2)), "previous_class": self.rng.choice((1, 2, 2, 3))})
        self.suite.wait_quiet(timeout=600)

    def adaptations(self):
        """The city public-security bureau adopts a rule pack (stricter cut-offs, a five-star quota,
        a higher ★5 bonus), after previewing it; two county bureaus feed the case-clearance plug-in,
        a county court the reversed-judgments plug-in."""
        y = self.year
        pack = {"version": 1, "effective_from": f"{y}", "title": "市公安局星级考评对接标准",
                "rules": {"cutoffs": {"5": 96, "4": 91}, "five_star_quota": 0.12},
                "rewards": {"officer": {"5": 1200}}}
        with self._timed("adaptations"), self.rpc() as rpc:
            self.pack = rpc.scoring.register_pack({"agency": DEMO_PACK_AGENCY, "pack": pack})
            for agency in ("k1ps", "k2ps"):
                people = [s["id"] for s in self.city.staff if self.city.agency_of[s["id"]] == agency
                          and s["position"] in ("officer", "chief")]
                rpc.scoring.record_subject_data({"agency": agency, "period": f"{y}", "subjects": [
                    {"id": p, "figures": {"clearance_rate": {f"{y}-{m:02d}": round(self.rng.uniform(0.5, 1.0), 2)
                                                             for m in range(1, 13)}}} for p in people]})
            judges = [s["id"] for s in self.city.staff if self.city.agency_of[s["id"]] == "k1ct"
                      and s["position"] == "officer"]
            rpc.scoring.record_subject_data({"agency": "k1ct", "period": f"{y}", "subjects": [
                {"id": p, "figures": {"reversed_judgments": self.rng.choice((0, 0, 0, 1, 2, 4))}} for p in judges]})
        self.notes["adaptations"] = {"pack": {"agency": DEMO_PACK_AGENCY, "version": 1,
                                              "created": self.pack.get("created")},
                                     "plugins": DEMO_PLUGINS}

    # -- 6. ratings, settlement, notices ------------------------------------------------------------
    def ratings(self):
        y = self.year
        with self._timed("ratings"), self.rpc() as rpc:
            self.h1 = rpc.scoring.run_rating({"period": f"{y}H1", "scope": "city",
                                              "rating_date": date(y, 7, 8).isoformat()})
            self.annual = rpc.scoring.run_rating({"period": f"{y}", "scope": "city",
                                                  "rating_date": date(y + 1, 1, 8).isoformat()})
        with self._timed("settlement"):
            self.suite.wait_quiet(timeout=600)
        with self.rpc() as rpc:
            self.reconciliation = rpc.rewards.reconcile({"period": f"{y}"})
            self.chain = rpc.rewards.verify_chain()

    # -- the year, in order -------------------------------------------------------------------------
    def run_year(self):
        from shared.dlq import list_dead_letters

        # the dead-letter queue is the broker's (a real one may hold older letters): this year's are
        # those that come after
        self.dead_at_start = len(list_dead_letters(self.suite.config, limit=DEAD_LETTERS_READ))
        self.load_roster()
        self.seed_evaluators()
        self.evaluations(list(range(1, 6)))     # January to May, evaluated February to June
        self.reorganise()                       # 15 June: a section to another agency; 1 July: renamed
        self.evaluations(list(range(6, 9)))     # June to August, evaluated July to September
        self.training()                         # the year's training; failed retraining in September
        self.repair_mentoring()                 # 1 October: new chiefs and mentors where needed
        self.evaluations(list(range(9, 13)))    # September to December
        self.surveys()
        self.facts()
        self.adaptations()
        self.ratings()
        self.followups()

    # -- 8. working days, the ranking's follow-ups, the leaders' poll, training as a caller -------------
    def followups(self):
        """Briefly, through the RPCs: the calendar, referrals twice running (minutes, export), 三帮一
        and a study class, a poor leader's collective talk, the committee leaders' recognition poll
        (公认度测评) and training's read-only queries."""
        y = self.year
        out = {}
        staff = {s["id"]: s for s in self.city.staff}
        committee_of = {cid: [s["id"] for s in self.city.staff if s["unit"] == cid
                              and s["position"] in ("head", "leader")] for cid in self.city.committees}
        with self._timed("follow-ups"), self.rpc() as rpc:
            out["calendar"] = {
                "status": rpc.scoring.calendar_status({"as_of": date(y, 12, 31).isoformat()}),
                "notice_posted_09_30_ends": rpc.scoring.working_days(
                    {"start": f"{y}-09-30", "end": f"{y}-09-30"})["notice_end_if_posted_on_start"]}
            refs = rpc.scoring.referrals({"year": y})["referrals"]
            out["referrals"] = dict(Counter(f"{r['group']}/{r['class']}" for r in refs))
            unit_parent = {u["id"]: u.get("parent") for u in self.city.units}
            minuted = 0
            for r in refs[:3]:                 # the office meeting minutes the first three
                committee = r["evaluator"] if r["evaluator"] in committee_of else unit_parent.get(r["evaluator"])
                while committee and committee not in committee_of:
                    committee = unit_parent.get(committee)
                y_, m_ = map(int, r["month"].split("-"))
                meeting = date(y_ + (m_ == 12), m_ % 12 + 1, 20).isoformat()
                rpc.scoring.record_referral_minutes({
                    "actor": committee_of[committee][0], "referral_id": r["id"], "meeting_date": meeting,
                    "as_of": meeting, "minutes": f"{r['subject']} 连续两次{'好' if r['class'] == 'good' else '差'}, 专题研究"})
                minuted += 1
            export = rpc.scoring.referrals_export({"year": y, "format": "xlsx"})
            out["referrals_minuted"], out["referrals_exported_rows"] = minuted, export["rows"]
            # a poor leader evaluated by a committee (its members act within the committee's units;
            # a deputy-division unit's leader evaluated by its 归口 unit lies outside that unit's own
            # units for the policy table, so its head may not name his helpers)
            poor = [p for p in rpc.scoring.poor_followups({"month": f"{y}-11"})["poor"]
                    if p["group"] == "leaders" and p["evaluator"] in committee_of][:1]
            for p in poor:
                members = [m for m in self.body_members[p["evaluator"]] if m != p["subject"]]
                helpers = (members + [s for s in staff if s != p["subject"] and s not in members])[:3]
                base = {"actor": members[0], "evaluator": p["evaluator"], "month": p["month"],
                        "subject": p["subject"], "as_of": f"{y}-12-20"}
                rpc.scoring.name_helpers({**base, "helpers": helpers})
                done = rpc.scoring.record_study_class({**base, "class_id": f"xxb-{y}-12",
                                                       "class_name": f"{y}年12月学习班",
                                                       "held_on": f"{y}-12-18", "attended": True})
                talk = done["collective_talk"]
                committee = unit_parent.get(p["evaluator"]) if p["evaluator"] not in committee_of else p["evaluator"]
                while committee and committee not in committee_of:
                    committee = unit_parent.get(committee)
                rpc.scoring.complete_task({"actor": committee_of[committee][0], "task_id": talk["id"],
                                           "held_on": f"{y}-12-19", "as_of": f"{y}-12-20",
                                           "record": "政法委书记办公会议集体谈话, 批评教育、帮助整改"})
            tasks = rpc.scoring.followup_tasks({"as_of": f"{y}-12-31"})
            out["collective_talks"] = {"tasks": tasks["count"], "overdue": tasks["overdue"],
                                       "done": sum(1 for t in tasks["tasks"] if t["state"] == "done"),
                                       "poor_leaders_helped": len(poor)}
            # 公认度测评: the city committee's secretary and deputies, by the agencies' leading groups
            leaders = committee_of["city"]
            respondents = [s["id"] for s in self.city.staff if s["position"] in ("head", "leader")
                           and s["unit"] not in self.city.committees]
            poll = f"gr-{y}H2"
            rpc.survey.create_campaign({"campaign_id": poll, "kind": "recognition", "period": f"{y}H2",
                                        "owner": "city", "title": f"{y}年下半年政法委领导公认度测评",
                                        "subjects": [{"id": pid, "kind": "leader"} for pid in leaders]})
            forms = [{"serial": f"{poll}-{r}-{pid}", "subject": pid, "group": "leading_group_members",
                      "answers": self._answers(0.9)[:6]} for r in respondents for pid in leaders]
            for batch in _batches(forms, 5000):
                rpc.survey.submit_batch({"campaign_id": poll, "batch_id": f"{poll}-{batch[0]['serial']}",
                                         "forms": batch})
            rpc.survey.close_campaign({"campaign_id": poll})
        self.suite.wait_quiet(timeout=120)
        with self.rpc() as rpc:
            kept = rpc.scoring.recognition_results({"period": f"{y}H2"})["results"]
            out["recognition_poll"] = {"forms": len(forms), "subjects": len(kept),
                                       "rates": {r["subject"]: r["rate"] for r in kept}}
            holder = next((s["id"] for s in self.city.staff if s["position"] == "officer"), None)
            out["training"] = {
                "study_report": {k: v for k, v in rpc.training.study_report({"month": f"{y}-11"}).items()
                                 if k in ("required", "met_count", "shortfall_count")},
                "rotation_listed": len(rpc.training.rotation_report({"year": y, "as_of": f"{y}-12-31"})["people"]),
                "allowances_of_a_holder": None}
            for cert in rpc.training.certifications({"as_of": f"{y}-12-31"})["certifications"][:1]:
                holder = cert["person_id"]
                statement = rpc.training.allowances_of({"person_id": holder, "year": y, "as_of": f"{y}-12-31"})
                out["training"]["allowances_of_a_holder"] = {"person": holder, "months": len(statement["months"]),
                                                              "total": statement["total"]}
            if self.notes.get("reorganisation"):
                self.notes["reorganisation"]["evaluators"] = self.reorganisation_seen(rpc)
        self.notes["rules_round_2"] = out

    # -- 7. what the year produced -------------------------------------------------------------------
    def summary(self) -> dict:
        y = self.year
        result = self.annual["result"]
        officers = result["officers"]
        stars = Counter(o["stars"] for o in officers if o["status"] == "rated")
        status = Counter(o["status"] for o in officers)
        sections = result["sections"]
        section_stars = Counter(s["stars"] for s in sections if s["status"] == "rated")
        agencies = result["agencies"]
        names = {a["id"]: a["name"] for a in self.city.agencies}
        with self.rpc() as rpc:
            lines, offset = [], 0
            while True:
                page = rpc.rewards.ledger({"period": f"{y}", "limit": 5000, "offset": offset})
                lines.extend(page["lines"])
                if len(page["lines"]) < 5000:
                    break
                offset += 5000
            allowance_lines = []
            offset = 0
            while True:
                page = rpc.rewards.ledger({"source": "allowance", "limit": 5000, "offset": offset})
                allowance_lines.extend(page["lines"])
                if len(page["lines"]) < 5000:
                    break
                offset += 5000
            targets = self._targets(rpc)
            coverage = rpc.roster.mentoring_coverage({"date": date(y, 12, 31).isoformat()})
        from shared.dlq import list_dead_letters

        # an event no service could take: a defect
        dead = list_dead_letters(self.suite.config, limit=DEAD_LETTERS_READ)[getattr(self, "dead_at_start", 0):]
        by_kind = defaultdict(lambda: {"lines": 0, "amount": 0})
        by_unit = defaultdict(lambda: {"lines": 0, "amount": 0})
        seen = set()
        for line in lines + allowance_lines:
            key = (line.get("key") or line.get("line_key") or json.dumps(line, sort_keys=True, default=str))
            if key in seen:
                continue
            seen.add(key)
            by_kind[line["kind"]]["lines"] += 1
            by_kind[line["kind"]]["amount"] += int(line.get("amount") or 0)
            unit = line.get("paying_unit") or "-"
            by_unit[unit]["lines"] += 1
            by_unit[unit]["amount"] += int(line.get("amount") or 0)
        return {
            "year": y,
            "staff": len(self.city.staff), "units": len(self.city.units), "sections": len(self.city.sections),
            "officers": {"rated": status.get("rated", 0), "not_rated": status.get("not_rated", 0),
                         "disqualified": status.get("disqualified", 0),
                         "stars": {str(k): stars.get(k, 0) for k in (5, 4, 3, 2, 1)}},
            "sections_rated": {"stars": {str(k): section_stars.get(k, 0) for k in (5, 4, 3, 2, 1)},
                               "disqualified": sum(1 for s in sections if s["status"] == "disqualified")},
            "agencies": [{"id": a["id"], "name": names.get(a["id"], a["id"]), "score": a["score"],
                          "class": a["class"], "rank": a["rank"], "advanced": a["advanced"],
                          "veto_warning": a["veto_warning"], "veto": a["veto"]} for a in agencies],
            "half_year": {"rating_id": self.h1["rating_id"],
                          "stars": dict(Counter(str(o["stars"]) for o in self.h1["result"]["officers"]
                                                if o["status"] == "rated"))},
            "annual_rating_id": self.annual["rating_id"],
            "ledger": {"by_kind": dict(sorted(by_kind.items())),
                       "by_paying_unit": {k: v for k, v in sorted(by_unit.items())},
                       "lines": len(seen), "amount": sum(v["amount"] for v in by_kind.values())},
            "reconciliation": {k: (len(v) if isinstance(v, list) else v) for k, v in self.reconciliation.items()},
            "hash_chain": self.chain,
            "dead_letters": {"count": len(dead),
                             "errors": dict(Counter(f"{d['queue']}: {d['error']}" for d in dead).most_common(5))},
            "mentoring_coverage": coverage["officer"]["share"],
            "targets": targets,
            "notes": self.notes,
            "timings_s": self.timings,
        }

    def _targets(self, rpc) -> list:
        """The eight targets from the services that own them ("no data" when one cannot say)."""
        rows = []
        for service in ("scoring", "roster", "training", "survey"):
            try:
                answer = getattr(rpc, service).targets({"year": self.year})
            except Exception as exc:  # a service without the RPC, or a failure: say so
                rows.append({"service": service, "error": f"{type(exc).__name__}: {exc}"[:200]})
                continue
            rows.extend(answer.get("targets", []))
        return rows

    def write_outputs(self, out: Path, summary: dict) -> list[Path]:
        import base64

        from lianbao.commands.export_notice import write_csv, write_xlsx

        out.mkdir(parents=True, exist_ok=True)
        files = []
        with self.rpc() as rpc:
            for period in (f"{self.year}H1", f"{self.year}"):
                notice = rpc.rewards.notice({"period": period})
                files.append(write_xlsx(notice, out / f"notice_{period}.xlsx"))
                if period == f"{self.year}":
                    files.extend(write_csv(notice, out))
        rates = out / f"satisfaction_{self.year}H1.xlsx"
        rates.write_bytes(base64.b64decode(self.xlsx_rates["content_base64"]))
        files.append(rates)
        report = out / "report.json"
        report.write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
        files.append(report)
        files.append(self.chart(out / "stars_per_agency.png"))
        return files

    def chart(self, path: Path) -> Path:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        per_agency = defaultdict(Counter)
        for o in self.annual["result"]["officers"]:
            if o["status"] == "rated":
                per_agency[self.city.agency_of.get(o["id"], "?")][o["stars"]] += 1
        agencies = sorted(per_agency)
        fig, ax = plt.subplots(figsize=(max(8, len(agencies) * 0.28), 5))
        bottom = [0] * len(agencies)
        colours = {5: "#1b7837", 4: "#7fbf7b", 3: "#d9f0d3", 2: "#f1b6da", 1: "#c51b7d"}
        for star in (1, 2, 3, 4, 5):
            values = [per_agency[a][star] for a in agencies]
            ax.bar(agencies, values, bottom=bottom, label=f"{star}★", color=colours[star])
            bottom = [b + v for b, v in zip(bottom, values)]
        ax.set_title(f"Officers' stars per agency, annual rating {self.year}")
        ax.set_ylabel("officers rated")
        ax.tick_params(axis="x", labelrotation=90, labelsize=7)
        ax.legend(ncol=5, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        return path


def run_demo(config: dict, staff: int = 10_000, seed: int = 7, out: str = "out/demo", progress: bool = True,
             year: int = YEAR) -> dict:
    """Generate the city, start the suite, run the year, write the files; returns the summary."""
    from shared.runner import Suite

    started = time.perf_counter()
    city = build_city(staff=staff, seed=seed, year=year)
    if not config.get("PLUGINS"):
        config = dict(config, PLUGINS=DEMO_PLUGINS)
    with Suite(config) as suite:
        demo = Demo(suite, city, seed=seed, progress=progress, year=year)
        demo.run_year()
        summary = demo.summary()
        files = demo.write_outputs(Path(out), summary)
    summary["files"] = [str(f) for f in files]
    summary["seconds"] = round(time.perf_counter() - started, 1)
    return summary
