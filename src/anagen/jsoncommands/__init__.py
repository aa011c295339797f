"""JSON commands: ``anagen screen|formulate|plan|classify|labs|simulate|forecast|hairs``.

Each command reads one JSON document (from a file argument or standard input) and writes one JSON
document to standard output. A command module exposes ``run(document) -> dict`` and raises
``anagen.core.errors.InvalidInput`` for bad input; this module turns that into exit status 2 and
one JSON error document on standard error. No traceback ever reaches the user.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import IO, Any

from anagen.core.errors import FieldError, InvalidInput

# Command name -> module under anagen.jsoncommands; imported lazily so that one command's heavy
# dependencies (numpy for the hair-cycle model) do not slow the others.
COMMANDS: dict[str, str] = {
    "screen": "screen",
    "formulate": "formulate",
    "plan": "plan",
    "classify": "classify",
    "labs": "labs",
    "simulate": "simulate",
    "forecast": "forecast",
    "hairs": "hairs",
}

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def _error(stderr: IO[str], errors: list[dict[str, str]], kind: str = "invalid_input") -> int:
    json.dump({"error": kind, "fields": errors}, stderr, ensure_ascii=False)
    stderr.write("\n")
    return EXIT_BAD_INPUT


def run_command(
    name: str,
    argv: list[str],
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    if len(argv) > 1:
        return _error(stderr, [{"field": "arguments", "message": f"anagen {name} takes at most one file argument"}])
    try:
        if argv and argv[0] != "-":
            with open(argv[0], encoding="utf-8") as handle:
                text = handle.read()
        else:
            text = stdin.read()
    except OSError as exc:
        return _error(stderr, [{"field": "file", "message": f"cannot read input file: {exc.strerror}"}])
    except UnicodeDecodeError:
        return _error(stderr, [{"field": "file", "message": "input is not UTF-8 text"}])
    try:
        document: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        return _error(
            stderr,
            [{"field": "$", "message": f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"}],
            kind="malformed_json",
        )
    module = importlib.import_module(f"anagen.jsoncommands.{COMMANDS[name]}")
    try:
        result = module.run(document)
    except InvalidInput as exc:
        return _error(stderr, [e.as_dict() for e in exc.errors])
    json.dump(result, stdout, ensure_ascii=False, indent=2)
    stdout.write("\n")
    return EXIT_OK


__all__ = ["COMMANDS", "FieldError", "InvalidInput", "run_command"]
