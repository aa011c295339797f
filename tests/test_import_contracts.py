"""The apps' import shape (docs/architecture.md), checked on every test run, not only by `make lint`:
the import-linter contracts in .importlinter, and the rule that an import placed inside a function
says why beside it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "anagen"


def test_every_import_contract_is_kept():
    # A fresh interpreter: grimp builds the graph from the files, whatever this process imported.
    done = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports; raise SystemExit(lint_imports(no_cache=True))"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def _cross_app_imports_inside_functions() -> list[tuple[Path, ast.ImportFrom | ast.Import, list[str]]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "migrations" in parts or len(parts) < 2:
            continue
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for function in ast.walk(ast.parse(source)):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else (
                    [a.name for a in node.names] if isinstance(node, ast.Import) else [])
                for name in names:
                    app = name.split(".")[1] if name.startswith("anagen.") else None
                    if app and app != parts[0] and (PACKAGE / app).is_dir():
                        found.append((path, node, lines))
    return found


def test_an_import_inside_a_function_from_another_app_says_why_on_the_line_above():
    """Imports go at the top; the few that cannot (Django not set up yet, ...) carry a comment
    just above them that starts by saying so, e.g. ``# Imported here: ...``."""
    unexplained = []
    for path, node, lines in _cross_app_imports_inside_functions():
        above = lines[node.lineno - 2].strip() if node.lineno >= 2 else ""
        if not above.startswith("#"):
            unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not unexplained, "imports inside functions without a reason: " + ", ".join(unexplained)


def test_fewer_than_ten_imports_from_another_app_sit_inside_functions():
    # Each one hides a dependency from a reader: a handful with reasons, never a habit.
    inside = [f"{path.relative_to(ROOT)}:{node.lineno}" for path, node, _ in _cross_app_imports_inside_functions()]
    assert len(inside) < 10, inside


def test_the_check_above_finds_an_import_inside_a_function(tmp_path, monkeypatch):
    # The walk itself is tested on a made-up app, so that an empty result above means something.
    app = tmp_path / "anagen" / "probe"
    app.mkdir(parents=True)
    (tmp_path / "anagen" / "other").mkdir()
    (app / "mod.py").write_text("def f():\n    from anagen.other import thing\n    return thing\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "PACKAGE", tmp_path / "anagen")
    assert [(p.name, n.lineno) for p, n, _ in _cross_app_imports_inside_functions()] == [("mod.py", 2)]
