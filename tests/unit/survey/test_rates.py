

def test_pool_by_agency_pools_answers_not_rates_and_keeps_city_wide():
    from services.survey.domain import pool_by_agency

    rows = [{"id": "o1", "satisfied": 9, "basic": 0, "answered": 10},   # 90%
            {"id": "o2", "satisfied": 0, "basic": 1, "answered": 1},    # 100% of one answer
            {"id": "s1", "satisfied": 5, "basic": 3, "answered": 10},
            {"id": "x", "satisfied": 1, "basic": 0, "answered": 1}]     # unknown subject: city only
    pooled = pool_by_agency(rows, {"o1": "a1", "o2": "a1", "s1": "a2"})
    assert pooled["a1"] == (10, 11)          # pooled 10/11, not the mean of 90% and 100%
    assert pooled["a2"] == (8, 10)
    assert pooled["city"] == (19, 22)
    assert "x" not in pooled
