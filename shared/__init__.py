"""The suite's contracts and plumbing: schemas, events, errors, config, database, delivery, metrics.

Nothing here holds the business rules of one service.
"""
