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
from typing import TYPE_CHECKING

from anagen.jsoncommands import COMMANDS as JSON_COMMANDS

if TYPE_CHECKING:
    from anagen.audit.services import VerifyResult

EXIT_ERROR = 1


class CliError(Exception):
    pass


def _setup_django(env: str | None = None) -> None:
    if env is not None:
        os.environ["ANAGEN_ENV"] = env
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anagen.settings")
    import django

    django.setup()
    _warn_about_wide_permissions()


def _warn_about_wide_permissions() -> None:
    """Health data readable by other accounts on the machine: say so on every command."""
    from django.conf import settings

    from anagen.private_files import warning_lines

    for line in warning_lines(Path(settings.DATA_DIR)):
        print(line, file=sys.stderr)


def _call(*args: str, **options: object) -> None:
    from django.core.management import call_command

    call_command(*args, **options)


def _data_dir_ready() -> None:
    from django.conf import settings

    from anagen.private_files import make_private_dir

    make_private_dir(settings.DATA_DIR)
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
        # Secrets in paths (calendar feeds, invitation and reset links) are masked in every line.
        "--logger-class", "anagen.log_masking.MaskingLogger",
        # The application (URL map and API schemas included, see wsgi.py) is loaded once, before
        # the workers fork: a worker then starts in milliseconds instead of loading it under the
        # 30 s worker timeout, which a busy machine's cold start can exceed, and a broken build
        # stops the server at start instead of failing each request. Reloading on code changes
        # needs the application loaded in each worker instead.
        *([] if "--reload" in extra else ["--preload"]),
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
    """``anagen audit verify [--checkpoints FILE]``: the keyed chain, then the signed checkpoints
    (the data folder's file, or a file of checkpoint lines kept elsewhere)."""
    _setup_django()
    from anagen.audit import checkpoints
    from anagen.audit.services import verify_chain

    lines = None
    if args.checkpoints:
        try:
            text = Path(args.checkpoints).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as exc:
            raise CliError(f"the checkpoint file cannot be read: {exc.strerror}") from exc
        found = checkpoints.parse_lines(text)
        if not found:
            raise CliError(f"{args.checkpoints} holds no checkpoint lines")
        lines = [checkpoints.FileLine(index, checkpoint) for index, checkpoint in enumerate(found, start=1)]
    return _report_audit(verify_chain(lines))


def _report_audit(result: VerifyResult) -> int:
    if result.ok:
        print(f"audit trail intact: {result.entries_checked} entries verified")
        for note in result.notes:
            print(f"  {note}")
        return 0
    where = f" at entry {result.first_bad_seq}" if result.first_bad_seq is not None else ""
    print(f"audit trail BROKEN{where}: {result.problem}", file=sys.stderr)
    for note in result.notes:
        print(f"  {note}", file=sys.stderr)
    return EXIT_ERROR


def cmd_audit_checkpoint(args: argparse.Namespace) -> int:
    _setup_django()
    from anagen.audit import checkpoints

    checkpoint = checkpoints.write_checkpoint()
    print(f"audit checkpoint: {checkpoint.seq} entries, head {checkpoint.head[:16]}…, signed with key {checkpoint.key_id}, "
          f"appended to {checkpoints.checkpoint_file()}")
    return 0


def cmd_audit_rotate_key(args: argparse.Namespace) -> int:
    _setup_django()
    from anagen.audit import keys

    key = keys.create_key()
    print(f"new audit key {key.key_id} in {keys.key_dir()}: it signs new entries and checkpoints from now on; keep the "
          f"older keys (they verify what they signed) and copy the folder to every server")
    print(f"public key for checking its checkpoints: {key.public_key_hex}")
    return 0


def cmd_audit_public_keys(args: argparse.Namespace) -> int:
    _setup_django()
    from anagen.audit import keys

    found = keys.all_keys(fresh=True)
    if not found:
        raise CliError(f"no audit key in {keys.key_dir()} yet (the first write or anagen audit rotate-key makes one)")
    for key in found.values():
        print(f"{key.key_id} {key.created} {key.public_key_hex}")
    return 0


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

    from anagen.backup.archive import FILE_FOLDERS, BackupError, create_backup

    passphrase = _passphrase(args)
    _setup_django()
    from anagen.audit.checkpoints import write_checkpoint

    # The archive carries a checkpoint of the trail as it is now: a restore is checked against it.
    write_checkpoint()
    suffix = ".tar.enc" if passphrase else ".tar"
    output = Path(args.output or f"anagen-backup-{datetime.now(UTC):%Y%m%dT%H%M%SZ}{suffix}")
    try:
        manifest = create_backup(output, passphrase=passphrase)
    except BackupError as exc:
        raise CliError(str(exc)) from exc
    rows = sum(manifest["row_counts"].values())
    state = "encrypted" if passphrase else "NOT encrypted"
    print(f"backup written to {output.resolve()} ({state}): {manifest['database']['vendor']} database, "
          f"{rows} rows in {len(manifest['row_counts'])} tables, {sum(1 for f in manifest['files'] if f['path'].split('/')[0] in FILE_FOLDERS)} files")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from anagen.backup.archive import BackupError, Database, restore_backup

    passphrase = _passphrase(args)
    _setup_django()
    from anagen.audit import checkpoints
    from anagen.audit.services import verify_chain_in

    try:
        target_db = Database.from_url(args.database_url) if args.database_url else None
        result = restore_backup(Path(args.archive), Path(args.data_dir), database=target_db, passphrase=passphrase)
    except BackupError as exc:
        raise CliError(str(exc)) from exc
    manifest = result.manifest
    print(f"restored the backup of {manifest['created_at']} (Anagen {manifest['anagen_version']}, {len(manifest['migrations'])} migrations) "
          f"into {result.data_dir}: {sum(manifest['row_counts'].values())} rows, {result.files_restored} files, every checksum verified")
    # The restored trail is compared with the checkpoints the archive carried (none for an archive
    # written before checkpoints), never with this server's own file.
    restored_checkpoints = checkpoints.read_file(result.checkpoint_file) if result.checkpoint_file is not None else []
    return _report_audit(verify_chain_in(result.database.django_settings(), restored_checkpoints))


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
    verify = audit_sub.add_parser("verify", help="recompute the keyed chain, compare it with the signed checkpoints, name what is wrong")
    verify.add_argument("--checkpoints", help="a file holding checkpoint lines kept elsewhere (emailed, from a webhook, from a backup)")
    verify.set_defaults(func=cmd_audit)
    audit_sub.add_parser("checkpoint", help="sign the trail's length and head now and append it to the checkpoint file").set_defaults(func=cmd_audit_checkpoint)
    audit_sub.add_parser("rotate-key", help="make a new audit key for new entries (older keys still verify)").set_defaults(func=cmd_audit_rotate_key)
    audit_sub.add_parser("public-keys", help="list the audit keys' ids and the public keys that check their checkpoints").set_defaults(func=cmd_audit_public_keys)

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
    # Everything this process and its children create (the database, photos, backups) is private.
    from anagen.private_files import restrict_umask

    restrict_umask()
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
