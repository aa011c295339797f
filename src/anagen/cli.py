"""The ``anagen`` command.

Errors are one clear line on standard error and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from anagen.jsoncommands import COMMANDS as JSON_COMMANDS

EXIT_ERROR = 1


class CliError(Exception):
    pass


def _setup_django(env: str | None = None) -> None:
    if env is not None:
        os.environ["ANAGEN_ENV"] = env
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anagen.settings")
    import django

    django.setup()


def _call(*args: str, **options: object) -> None:
    from django.core.management import call_command

    call_command(*args, **options)


def _data_dir_ready() -> None:
    from django.conf import settings

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# A Unix socket path is at most 107 bytes: a deeper data folder runs without the control socket.
MAX_SOCKET_PATH = 100


def _control_socket_args() -> list[str]:
    """gunicorn's control socket inside this server's own data folder: by default gunicorn puts it
    in the user's home, where two servers (two demos on two ports) would take the same socket."""
    from django.conf import settings

    path = str(settings.DATA_DIR / "gunicorn.ctl")
    if len(path.encode()) > MAX_SOCKET_PATH:
        return ["--no-control-socket"]
    return ["--control-socket", path]


def _gunicorn_argv(bind: str, workers: int, extra: Sequence[str] = ()) -> list[str]:
    if shutil.which("gunicorn", path=os.path.dirname(sys.executable)) is None:
        raise CliError("gunicorn is not installed in this environment")
    return [
        sys.executable, "-m", "gunicorn", "anagen.wsgi:application",
        "--bind", bind, "--workers", str(workers),
        "--access-logfile", "-",
        # Access lines show the method, the path without its query string, and the status: paths
        # hold ids, never names (health data rule), and query strings may hold search words.
        "--access-logformat", '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss',
        *_control_socket_args(),
        *extra,
    ]


def _gunicorn(bind: str, workers: int, extra: Sequence[str] = ()) -> int:
    argv = _gunicorn_argv(bind, workers, extra)
    os.execv(sys.executable, argv)
    return 0  # not reached


def _serve_with_worker(bind: str, workers: int, extra: Sequence[str] = ()) -> int:
    """The demo: the web server and, beside it, the outbox worker that sends reminders."""
    import signal
    import subprocess

    argv = _gunicorn_argv(bind, workers, extra)
    worker = subprocess.Popen([sys.executable, "-m", "anagen.cli", "worker"], env=os.environ.copy())
    server = subprocess.Popen(argv, env=os.environ.copy())

    def stop(signum: int, frame: object) -> None:
        # Stopped with SIGTERM (not Ctrl-C, which reaches the whole group): pass it on, or the
        # server and the worker would outlive the demo and keep its port.
        server.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.send_signal(signal.SIGTERM)
        return server.wait()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()


def demo_banner(host: str, port: int) -> list[str]:
    """What `make demo` prints once the demo is seeded: where to go and every account to try."""
    from anagen.demo.seed import DEMO_PASSWORD, demo_sign_ins

    lines = [f"Open http://{host}:{port}/ and sign in with the password '{DEMO_PASSWORD}' as:"]
    lines += [f"  {username:<12} {who}" for username, who in demo_sign_ins()]
    lines.append("Demo accounts skip the second factor (two-factor sign-in), on this demo server only; "
                 "every other account sets it up as its clinic requires.")
    return lines


def cmd_demo(args: argparse.Namespace) -> int:
    if not _is_loopback(args.host):
        raise CliError("the demo server only binds to a loopback address (its accounts share the password 'demo')")
    _setup_django("demo")
    _data_dir_ready()
    _call("migrate", interactive=False, verbosity=0)
    _call("seed_demo")
    from django.conf import settings

    print(f"Anagen demo: data in {settings.DATA_DIR}")
    print("\n".join(demo_banner(args.host, args.port)))
    sys.stdout.flush()
    return _serve_with_worker(f"{args.host}:{args.port}", workers=2, extra=["--reload"] if args.reload else [])


def cmd_serve(args: argparse.Namespace) -> int:
    _setup_django()
    _data_dir_ready()
    _call("check", deploy=True, fail_level="WARNING")
    _call("collectstatic", interactive=False, verbosity=0)
    return _gunicorn(args.bind, workers=args.workers)


def cmd_worker(args: argparse.Namespace) -> int:
    """Process the outbox (reminders) until stopped; ``--once`` for one pass (cron)."""
    _setup_django()
    options: dict[str, object] = {"once": args.once}
    if args.interval is not None:
        options["interval"] = args.interval
    _call("run_worker", **options)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    _setup_django()
    _data_dir_ready()
    _call("migrate", interactive=False)
    return 0


def cmd_createsuperuser(args: argparse.Namespace) -> int:
    _setup_django()
    _call("createsuperuser")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    _setup_django()
    from anagen.audit.services import verify_chain

    result = verify_chain()
    if result.ok:
        print(f"audit trail intact: {result.entries_checked} entries verified")
        return 0
    print(f"audit trail BROKEN at entry {result.first_bad_seq}: {result.problem}", file=sys.stderr)
    return EXIT_ERROR


def _passphrase(args: argparse.Namespace) -> bytes | None:
    """From --passphrase-file or ANAGEN_BACKUP_PASSPHRASE: never a command-line value (``ps`` shows those)."""
    if args.passphrase_file:
        try:
            text = Path(args.passphrase_file).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise CliError(f"the passphrase file cannot be read: {exc.strerror}") from exc
    else:
        text = os.environ.get("ANAGEN_BACKUP_PASSPHRASE", "")
        if not text:
            return None
    if len(text) < 12:
        raise CliError("the backup passphrase must be at least 12 characters long")
    return text.encode("utf-8")


def cmd_backup(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from anagen.backup.archive import BackupError, create_backup

    passphrase = _passphrase(args)
    _setup_django()
    suffix = ".tar.enc" if passphrase else ".tar"
    output = Path(args.output or f"anagen-backup-{datetime.now(UTC):%Y%m%dT%H%M%SZ}{suffix}")
    try:
        manifest = create_backup(output, passphrase=passphrase)
    except BackupError as exc:
        raise CliError(str(exc)) from exc
    rows = sum(manifest["row_counts"].values())
    state = "encrypted" if passphrase else "NOT encrypted"
    print(f"backup written to {output.resolve()} ({state}): {manifest['database']['vendor']} database, "
          f"{rows} rows in {len(manifest['row_counts'])} tables, {len(manifest['files']) - 1} files")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from anagen.backup.archive import BackupError, Database, restore_backup

    passphrase = _passphrase(args)
    _setup_django()
    try:
        target_db = Database.from_url(args.database_url) if args.database_url else None
        result = restore_backup(Path(args.archive), Path(args.data_dir), database=target_db, passphrase=passphrase)
    except BackupError as exc:
        raise CliError(str(exc)) from exc
    manifest = result.manifest
    print(f"restored the backup of {manifest['created_at']} (Anagen {manifest['anagen_version']}, {len(manifest['migrations'])} migrations) "
          f"into {result.data_dir}: {sum(manifest['row_counts'].values())} rows, {result.files_restored} files, every checksum verified")
    if result.audit_ok:
        print(result.audit_message)
        return 0
    print(result.audit_message, file=sys.stderr)
    return EXIT_ERROR


def cmd_manage(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["anagen manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="anagen", description="Anagen: practice system for trichology clinics")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="migrate, seed the demo clinic and serve it on loopback")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--reload", action="store_true", help="restart on code changes (development)")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="run the production server (gunicorn), settings from the environment")
    serve.add_argument("--bind", default=os.environ.get("ANAGEN_BIND", "127.0.0.1:8000"))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("ANAGEN_WORKERS", "2")))
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="send due reminders from the outbox (runs until stopped)")
    worker.add_argument("--once", action="store_true", help="one pass, then exit")
    worker.add_argument("--interval", type=float, default=None, help="seconds between passes")
    worker.set_defaults(func=cmd_worker)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    sub.add_parser("createsuperuser", help="create a deployment superuser").set_defaults(func=cmd_createsuperuser)

    audit = sub.add_parser("audit", help="audit trail tools")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    audit_sub.add_parser("verify", help="recompute the hash chain and name the first bad entry").set_defaults(func=cmd_audit)

    backup = sub.add_parser("backup", allow_abbrev=False, help="write one archive of the database, photos, reports and a checksum manifest")
    backup.add_argument("output", nargs="?", help="archive file to create (default: anagen-backup-<UTC time>.tar[.enc] here)")
    backup.add_argument("--passphrase-file", help="encrypt with the passphrase in this file (or set ANAGEN_BACKUP_PASSPHRASE)")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", allow_abbrev=False, help="verify an archive, then restore it into an empty data folder")
    restore.add_argument("archive", help="the archive written by anagen backup")
    restore.add_argument("--data-dir", required=True, help="an empty or new folder for the restored data")
    restore.add_argument("--database-url", help="the empty target database (required for a PostgreSQL backup)")
    restore.add_argument("--passphrase-file", help="the passphrase of an encrypted archive (or set ANAGEN_BACKUP_PASSPHRASE)")
    restore.set_defaults(func=cmd_restore)

    manage = sub.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)

    for name in JSON_COMMANDS:
        json_cmd = sub.add_parser(name, help=f"read one JSON document, write the {name} result as JSON", add_help=False)
        json_cmd.add_argument("rest", nargs=argparse.REMAINDER)
        json_cmd.set_defaults(func=None, json_command=name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "json_command", None):
        from anagen.jsoncommands import run_command

        return run_command(args.json_command, list(args.rest))
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except CliError as exc:
        print(f"anagen: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - one clear line, never a traceback
        return _report(exc)


def _report(exc: Exception) -> int:
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management.base import CommandError, SystemCheckError

    if isinstance(exc, ImproperlyConfigured | CommandError):
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if isinstance(exc, SystemCheckError):
            message = "the deployment checks found problems:\n" + str(exc).strip()
        print(f"anagen: error: {message}", file=sys.stderr)
        return EXIT_ERROR
    try:
        from django.db import DatabaseError

        if isinstance(exc, DatabaseError):
            print(f"anagen: error: database: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
            return EXIT_ERROR
    except ImportError:
        pass
    print(f"anagen: error: {type(exc).__name__}: {exc}", file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
