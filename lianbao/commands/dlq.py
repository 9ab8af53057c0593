"""``lianbao dlq list|replay``: the dead-letter queue of failed events."""
from __future__ import annotations


def register(subparsers):
    p = subparsers.add_parser("dlq", help="dead-letter queue: list or replay failed events")
    sub = p.add_subparsers(dest="dlq_what", metavar="WHAT")
    ls = sub.add_parser("list", help="print the dead letters as JSON (they stay in the queue)")
    ls.add_argument("--limit", type=int, default=1000)
    ls.set_defaults(func=run_list)
    rp = sub.add_parser("replay", help="send the dead letters back to their queues")
    rp.add_argument("--limit", type=int, default=1000)
    rp.set_defaults(func=run_replay)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run_list(args) -> int:
    from shared.config import load_config
    from shared.dlq import dumps, list_dead_letters

    letters = list_dead_letters(load_config(), args.limit)
    print(dumps(letters))
    return 0


def run_replay(args) -> int:
    from shared.config import load_config
    from shared.dlq import replay_dead_letters

    count = replay_dead_letters(load_config(), args.limit)
    print(f"replayed {count} dead letter(s)")
    return 0
