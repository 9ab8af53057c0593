"""The rewards domain: pure rules of settlement (SPEC §6, M§五(一)3, M§五(二)5, M§三(四)1(5)).

No nameko, no SQLAlchemy.  Modules: :mod:`.schedule` (amounts and the guardrail),
:mod:`.settlement` (rating → ledger lines), :mod:`.allowance`, :mod:`.lines` (the line and its
unique key), :mod:`.chain` (hash chain), :mod:`.reconcile` (expected vs ledger), :mod:`.tasks`
(talks and rectifications), :mod:`.notice` (the public notice as tables).
"""
