"""The training rules of M§三(四)1 (SPEC §5), pure Python: no nameko, no SQLAlchemy.

* :mod:`.study` — political-theory study days and the central study group (M§三(四)1(1));
* :mod:`.preservice` — pre-service training and the front-line year (M§三(四)1(2));
* :mod:`.rotation` — rotation training, retraining and its consequence (M§三(四)1(3));
* :mod:`.allround` — the all-round officer title, allowance, recheck, revocation (M§三(四)1(5));
* :mod:`.passrate` — the skills pass rate target (M§一3);
* :mod:`.results` — what recording a result refuses and what follows from it;
* :mod:`.importing` — checking a file of results row by row.
"""
