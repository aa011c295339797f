"""A newcomer's first minutes (issue 20, item 8): `make demo` says every account to try, that demo
accounts skip the second factor, installs only what the demo needs, keeps its server's control
socket in its own data folder, and the pages have an icon."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_the_demo_banner_names_every_demo_sign_in_the_patients_too_and_the_second_factor_rule():
    from anagen.accounts.models import User
    from anagen.cli import demo_banner
    from anagen.demo.seed import seed_demo

    seed_demo()
    text = "\n".join(demo_banner("127.0.0.1", 8123))
    assert "http://127.0.0.1:8123/" in text
    assert "password 'demo'" in text
    for username in User.objects.filter(is_demo_account=True).values_list("username", flat=True):
        assert re.search(rf"^  {re.escape(username)}\s", text, re.M), username
    assert re.search(r"^  patient\s+.+, patient: the patient portal$", text, re.M)
    assert re.search(r"^  nurse\s+Sunita Pawar, Practitioner", text, re.M)
    assert "skip the second factor" in text


def test_each_server_keeps_its_control_socket_in_its_own_data_folder(settings, tmp_path):
    from anagen.cli import _gunicorn_argv

    settings.DATA_DIR = tmp_path / "demo-a"
    argv = _gunicorn_argv("127.0.0.1:8001", 2)
    assert argv[argv.index("--control-socket") + 1] == str(tmp_path / "demo-a" / "gunicorn.ctl")
    settings.DATA_DIR = tmp_path / ("x" * 120)
    assert "--no-control-socket" in _gunicorn_argv("127.0.0.1:8002", 2)


def test_make_demo_installs_the_application_without_the_test_extras():
    makefile = (ROOT / "Makefile").read_text()
    demo_rule = re.search(r"^demo: (.+)$", makefile, re.M)
    # The demo's own install, then the translation catalogues compiled (issue 21), which need only it.
    assert demo_rule is not None and demo_rule.group(1).split() == ["$(DEMO_STAMP)", "messages"]
    messages_rule = re.search(r"^messages: (.+)$", makefile, re.M)
    assert messages_rule is not None and messages_rule.group(1).split() == ["$(DEMO_STAMP)"]
    demo_install = re.search(r"^\$\(DEMO_STAMP\):.*\n((?:\t.*\n)+)", makefile, re.M)
    assert demo_install is not None
    assert 'pip install --quiet -e .\n' in demo_install.group(1)
    assert "[test]" not in demo_install.group(1)
    assert re.search(r"^test: \$\(STAMP\)", makefile, re.M)


def test_the_application_imports_nothing_that_only_the_test_extras_install():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {re.split(r"[<>=\[ ]", d)[0].lower() for d in project["dependencies"]}
    test_only = {re.split(r"[<>=\[ ]", d)[0].lower() for d in project["optional-dependencies"]["test"]} - runtime
    modules = {name.replace("-", "_").replace("pytest_django", "pytest") for name in test_only}
    offenders = []
    for path in (ROOT / "src" / "anagen").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"\s*(?:from|import) ([a-z_]+)", line)
            if match and match.group(1) in modules:
                offenders.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert offenders == []


def test_every_page_has_an_icon_and_the_browsers_default_request_finds_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("anagen/favicon.svg")
    login = client.get("/login/").content.decode()
    assert 'rel="icon"' in login and "favicon.svg" in login
    assert (ROOT / "src/anagen/web/static/anagen/favicon.svg").read_text().startswith("<svg")
