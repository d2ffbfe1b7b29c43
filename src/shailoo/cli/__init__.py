"""The ``shailoo`` command: one sub-command per user task.

Each module in this package that defines ``register(subparsers)`` adds its sub-commands; the
module list is discovered, so adding a command never edits this file. A sub-command's handler
returns the process exit code. Every :class:`~shailoo.domain.errors.ShailooError` is printed as
one line on stderr with its exit code (2 for bad input), never as a traceback; so is an
``OSError`` on a file the user named (exit 2).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence

from shailoo import __version__
from shailoo.domain.errors import ShailooError


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def _command_modules(command: str | None) -> list[str]:
    """The modules to import for a command line whose first word is ``command``.

    Importing every command module costs about 0.3 s (the law engine, cryptography, the web
    stack's helpers); a command such as ``import`` of a national file should not pay for the
    others. When the first word names a module (``export-results`` -> ``export_results``,
    ``import`` -> ``import_``) only that one is imported; otherwise (``--help``, a typo, no
    command) all are, so that the full list of commands can be shown.
    """
    if command and not command.startswith("-"):
        name = command.replace("-", "_")
        for candidate in (name, name + "_"):
            # the module's file, looked for directly: listing the package needs pkgutil,
            # about 5 ms of imports at every start
            if not candidate.isidentifier() or candidate.startswith("_"):
                continue
            if any(os.path.isfile(os.path.join(folder, candidate + ".py")) for folder in __path__):
                return [candidate]
    import pkgutil

    return sorted(
        info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")
    )


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Return the top-level parser with the discovered sub-commands registered: every one, or
    only the one named ``command`` when a module of that name registers it."""
    parser = argparse.ArgumentParser(
        prog="shailoo",
        description="Shailoo: election results from protocols to certified seats, checkable.",
        epilog="Example:\n  shailoo seats kg-2020 results.csv\n\nRun 'shailoo COMMAND --help' for one command.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"shailoo {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = _command_modules(command)
    for name in modules:
        module = importlib.import_module(f"{__name__}.{name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    if len(modules) == 1 and command not in sub.choices:
        return build_parser()  # that module registers other names: build the whole list
    return parser


def add_command(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    name: str,
    help: str,
    example: str,
    description: str | None = None,
) -> argparse.ArgumentParser:
    """Add a sub-command whose help ends with an example (every command must have one)."""
    return sub.add_parser(  # type: ignore[no-any-return]
        name,
        help=help,
        description=description or help,
        epilog=f"Example:\n  {example}",
        formatter_class=_Formatter,
    )


def add_action(
    actions: argparse._SubParsersAction,  # type: ignore[type-arg]
    name: str,
    help: str,
    example: str,
    description: str | None = None,
) -> argparse.ArgumentParser:
    """Add an action of a command (``shailoo incident add``) whose help ends with an example."""
    return add_command(actions, name, help, example, description)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``shailoo`` console script (``argv``: the words after ``shailoo``;
    default: the program's command line, and the process then ends)."""
    code = _run(list(sys.argv[1:] if argv is None else argv))
    if argv is None:
        # The process ends next. Its exit runs the cycle collector over every object still
        # alive (modules, classes, functions: 10-20 ms of a small import's 0.2 s); frozen, they
        # are only freed. Not when called with words (tests, other programs): they go on.
        gc.freeze()
    return code


def _run(words: list[str]) -> int:
    """Run the command line ``words``; return the exit code."""
    parser = build_parser(words[0] if words else None)
    args = parser.parse_args(words)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        code: int = args.handler(args)
        return code
    except ShailooError as exc:
        # one line, always: a driver's message (psycopg's "...\n\tIs the server running")
        # may carry line breaks; other spacing is kept, it may be part of a value
        message = " ".join(part.strip() for part in str(exc).splitlines() if part.strip())
        print(f"shailoo {args.command}: {message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except UnicodeDecodeError as exc:
        # The last guard for a reader that forgot to check its encoding (the readers name the
        # file themselves): one line and exit 2 rather than a traceback.
        print(
            f"shailoo {args.command}: a file given is not UTF-8 text "
            f"(byte 0x{exc.object[exc.start]:02X} at offset {exc.start}); save it as UTF-8",
            file=sys.stderr,
        )
        return 2
    except OSError as exc:
        # A file the user named cannot be written or read (missing folder, a folder where a
        # file is wanted, no permission, disk full): one line naming it, never a traceback.
        where = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f is not None)
        reason = exc.strerror or str(exc)
        print(f"shailoo {args.command}: {where + ': ' if where else ''}{reason}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
