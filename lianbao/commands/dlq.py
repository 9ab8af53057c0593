"""``lianbao dlq list|show|replay``: the dead-letter queue of failed events.

* ``lianbao dlq list`` — one line per dead letter: its id, the queue it failed in, the event type,
  the attempts and the first line of the error (``--json``: every letter in full);
* ``lianbao dlq show ID`` — one letter in full (JSON): ID is the event id from ``list`` or the
  letter's position (``#3``);
* ``lianbao dlq replay`` — send the dead letters back to their queues.
Listing and showing never remove a letter from the queue.
"""
from __future__ import annotations

import sys


def register(subparsers):
    p = subparsers.add_parser("dlq", help="dead-letter queue: list, show or replay failed events")
    sub = p.add_subparsers(dest="dlq_what", metavar="WHAT")
    ls = sub.add_parser("list", help="one line per dead letter (they stay in the queue)")
    ls.add_argument("--limit", type=int, default=1000)
    ls.add_argument("--json", action="store_true", help="every letter in full, as JSON")
    ls.set_defaults(func=run_list)
    sh = sub.add_parser("show", help="one dead letter in full (JSON)")
    sh.add_argument("id", metavar="ID", help="the event id shown by `dlq list`, or #N (its position)")
    sh.add_argument("--limit", type=int, default=1000, help="how many letters to look through")
    sh.set_defaults(func=run_show)
    rp = sub.add_parser("replay", help="send the dead letters back to their queues")
    rp.add_argument("--limit", type=int, default=1000)
    rp.set_defaults(func=run_replay)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def letter_id(letter: dict, position: int) -> str:
    """The event id of the letter's body, or ``#position`` (1-based) for a body without one."""
    body = letter.get("body")
    if isinstance(body, dict) and isinstance(body.get("event_id"), str) and body["event_id"]:
        return body["event_id"]
    return f"#{position}"


def summary_line(letter: dict, position: int) -> str:
    error = str(letter.get("error") or "").strip().splitlines()
    first = error[-1] if error else ""        # a traceback's last line names the exception
    if len(first) > 120:
        first = first[:117] + "..."
    return "  ".join((letter_id(letter, position), str(letter.get("queue") or "?"),
                      str(letter.get("routing_key") or "?"), f"attempts={letter.get('attempts')}",
                      first))


def run_list(args) -> int:
    from shared.config import load_config
    from shared.dlq import dumps, list_dead_letters

    letters = list_dead_letters(load_config(), args.limit)
    if args.json:
        print(dumps(letters))
        return 0
    for position, letter in enumerate(letters, 1):
        print(summary_line(letter, position))
    print(f"{len(letters)} dead letter(s)" + (" (limit reached)" if len(letters) >= args.limit else ""))
    return 0


def find(letters: list[dict], wanted: str) -> dict | None:
    for position, letter in enumerate(letters, 1):
        if wanted in (letter_id(letter, position), f"#{position}"):
            return letter
    return None


def run_show(args) -> int:
    from shared.config import load_config
    from shared.dlq import dumps, list_dead_letters

    letter = find(list_dead_letters(load_config(), args.limit), args.id)
    if letter is None:
        print(f"lianbao dlq show: no dead letter {args.id} (see `lianbao dlq list`)", file=sys.stderr)
        return 1
    print(dumps(letter))
    return 0


def run_replay(args) -> int:
    from shared.config import load_config
    from shared.dlq import replay_dead_letters

    count = replay_dead_letters(load_config(), args.limit)
    print(f"replayed {count} dead letter(s)")
    return 0
