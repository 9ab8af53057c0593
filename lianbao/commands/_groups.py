"""Shared top-level verbs (``lianbao import roster|forms|training``).

``group(subparsers, name, help)`` returns the nested subparsers of verb ``name``, creating the verb
the first time; every command module that adds a sub-command to a shared verb calls it.
"""
from __future__ import annotations


def group(subparsers, name: str, help: str):
    parser = subparsers.choices.get(name)
    if parser is None:
        parser = subparsers.add_parser(name, help=help)
        parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])
        parser._lianbao_sub = parser.add_subparsers(dest=f"{name}_what", metavar="WHAT")
    return parser._lianbao_sub
