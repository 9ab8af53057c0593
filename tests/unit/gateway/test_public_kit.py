"""Tickets with a human check, per-address rate limits and QR codes of the public pages (issue 23)."""
import pytest

from services.gateway.public import RateLimiter, TicketProblem, Tickets, new_serial, qr_svg

pytestmark = pytest.mark.timeout(30)


class Clock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


def _tickets(clock, **kw):
    return Tickets(b"s" * 32, min_seconds=3, max_age=3600, clock=clock, **kw)


def test_a_ticket_issues_a_serial_and_is_good_with_the_right_answer_after_the_minimum_time():
    clock = Clock()
    tickets = _tickets(clock)
    token, ticket = tickets.issue("survey:c1:parents")
    assert ticket.issued_id.startswith("W") and len(ticket.issued_id) == 13
    clock.now += 5
    assert tickets.check(token, "survey:c1:parents", str(ticket.a + ticket.b)) == ticket


@pytest.mark.parametrize("case,field", [("fast", "check"), ("old", "ticket"), ("wrong", "check"),
                                         ("other_form", "ticket"), ("forged", "ticket"),
                                         ("damaged", "ticket"), ("blank", "check")])
def test_a_ticket_is_refused_when_forged_for_another_form_too_fast_too_old_or_wrongly_answered(case, field):
    clock = Clock()
    tickets = _tickets(clock)
    token, ticket = tickets.issue("survey:c1:parents")
    answer, purpose = str(ticket.a + ticket.b), "survey:c1:parents"
    clock.now += 10
    if case == "fast":
        clock.now -= 9
    elif case == "old":
        clock.now += 3600
    elif case == "wrong":
        answer = str(ticket.a + ticket.b + 1)
    elif case == "blank":
        answer = ""
    elif case == "other_form":
        purpose = "survey:c1:officers"
    elif case == "forged":
        token = Tickets(b"x" * 32, clock=clock).issue(purpose)[0]
    elif case == "damaged":
        token = token[:-3] + "<s>"
    with pytest.raises(TicketProblem) as err:
        tickets.check(token, purpose, answer)
    assert err.value.field == field


def test_serials_differ():
    assert len({new_serial() for _ in range(1000)}) == 1000


def test_the_rate_limit_is_a_sliding_window_per_address():
    clock = Clock()
    limiter = RateLimiter(3, 60, clock=clock)
    assert [limiter.allow("1.2.3.4")[0] for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("5.6.7.8")[0] is True             # another address: its own count
    clock.now += 30
    allowed, wait = limiter.allow("1.2.3.4")
    assert not allowed and wait == pytest.approx(30)
    clock.now += 31
    assert limiter.allow("1.2.3.4")[0] is True


def test_the_limiter_forgets_idle_addresses_when_full():
    clock = Clock()
    limiter = RateLimiter(1, 10, clock=clock, max_keys=10)
    for i in range(10):
        limiter.allow(f"a{i}")
    clock.now += 11
    assert limiter.allow("new")[0] is True and len(limiter._seen) == 1


def test_qr_code_is_an_svg_document():
    svg = qr_svg("https://example.cn/public/survey/c1?group=parents")
    assert svg.startswith("<svg") and "</svg>" in svg and "<path" in svg
