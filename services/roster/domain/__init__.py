"""The roster's pure domain: units, staff, status spells, mentoring, evaluator resolution, bans,
coverage and import planning. Plain Python: no nameko, no SQLAlchemy (SPEC §2, M§三(三), M§四,
M§五(二)3)."""
