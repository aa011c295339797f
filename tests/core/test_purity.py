"""The clinical core is pure: importing every module under anagen.core never imports Django."""

import subprocess
import sys
import textwrap

PROBE = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    import anagen.core
    names = [m.name for m in pkgutil.walk_packages(anagen.core.__path__, "anagen.core.")]
    for name in names:
        importlib.import_module(name)
    assert "anagen.core.screening" in names and "anagen.core.course" in names, names
    bad = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
    print(len(names), bad)
    sys.exit(1 if bad else 0)
    """
)


def test_importing_every_core_module_never_imports_django():
    # A fresh interpreter, so that other tests' imports cannot mask a Django import.
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_core_reads_no_clock_and_no_global_random_state():
    import pathlib
    import re

    import anagen.core

    root = pathlib.Path(anagen.core.__file__).parent
    # Every module of the package, found by walking it: a new core module is checked the day it lands.
    modules = sorted(root.rglob("*.py"))
    assert {"screening.py", "course.py", "response.py"} <= {m.name for m in modules}
    for path in modules:
        source = path.read_text(encoding="utf-8")
        for forbidden in (r"\.today\(", r"\.now\(", r"time\.time\(", r"import random", r"np\.random\.seed", r"(?<![\w.])open\("):
            assert not re.search(forbidden, source), f"{path.relative_to(root)} matches {forbidden}"
