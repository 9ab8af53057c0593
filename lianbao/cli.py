"""The ``lianbao`` command.

Each sub-command lives in its own module under :mod:`lianbao.commands` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (a callable taking the parsed
arguments and returning the exit code).  Modules are found automatically, so a new command never
touches this file.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from lianbao import commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lianbao",
        description="联保 — political-legal team management: mentoring, ownership and star ratings")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv=None) -> int:
    # nameko needs eventlet's patches before kombu, socket or threading are imported by any command
    import warnings

    warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from lianbao.commands._files import EXIT_BAD_FILE, BadFile

    try:
        code = args.func(args)
    except KeyboardInterrupt:
        return 130
    except BadFile as exc:   # a file that cannot be read: where and why, never a traceback
        sys.stderr.write(f"lianbao {args.command}: {str(exc).encode('utf-8', 'backslashreplace').decode()}\n")
        return EXIT_BAD_FILE
    return 0 if code is None else int(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
