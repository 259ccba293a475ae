"""App-wide commands: `content check|sync`, `backup create|restore`, `translate`."""

import functools
import subprocess  # noqa: S404 - runs pybabel, a fixed local tool
import sys
from pathlib import Path

import click
from flask import Flask, current_app

from trainer.core import backup
from trainer.core.content import check_content, sync_content, warn_content
from trainer.core.i18n import cli_locale
from trainer.extensions import db

PACKAGE = Path(__file__).resolve().parent.parent


@click.group("content")
def content_group() -> None:
    """Check and load the shipped content (courses, question banks, scenarios)."""


@content_group.command("check")
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path))
def content_check(root: Path | None) -> None:
    """Validate every content file; print `file:line: message` per problem."""
    root = root or current_app.config["CONTENT_ROOT"]
    problems = check_content(root)
    for problem in problems:
        click.echo(str(problem), err=True)
    for warning in warn_content(root):
        click.echo(f"warning: {warning}", err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) found")
    click.echo("content ok")


@content_group.command("sync")
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path))
def content_sync(root: Path | None) -> None:
    """Load the content into the database (idempotent); nothing changes if a file is invalid."""
    root = root or current_app.config["CONTENT_ROOT"]
    problems = check_content(root)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{len(problems)} problem(s) found; nothing was loaded")
    try:
        summary = sync_content(root)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for name, counts in summary.items():
        parts = ", ".join(f"{k}={v}" for k, v in counts.items())
        click.echo(f"{name}: {parts}")


@click.group("translate")
def translate_group() -> None:
    """Maintain the translation catalogues (one per feature)."""


def _catalogues() -> list[tuple[Path, Path]]:
    """(source folder, translations folder) for the core and each feature."""
    pairs = [(PACKAGE, PACKAGE / "translations")]
    for tdir in sorted(PACKAGE.glob("*/translations")):
        pairs.append((tdir.parent, tdir))
    return pairs


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True)  # noqa: S603


@translate_group.command("update")
@click.argument("feature", required=False)
def translate_update(feature: str | None) -> None:
    """Extract messages and update the zh_CN/en catalogues of the core or one feature."""
    for source, tdir in _catalogues():
        name = "core" if source == PACKAGE else source.name
        if feature and feature != name:
            continue
        pot = tdir / "messages.pot"
        tdir.mkdir(exist_ok=True)
        ignore = (
            []
            if name != "core"
            else [
                f"--ignore-dirs={p.name}"
                for p in PACKAGE.iterdir()
                if (p / "translations").is_dir() and p.name != "translations"
            ]
        )
        _pybabel(
            "extract",
            "-F",
            str(PACKAGE.parent / "babel.cfg"),
            "-k",
            "_l",
            "--no-location",
            "--sort-output",
            *ignore,
            "-o",
            str(pot),
            str(source),
        )
        for lang in ("zh_Hans_CN", "en"):
            if (tdir / lang / "LC_MESSAGES" / "messages.po").exists():
                _pybabel(
                    "update", "-i", str(pot), "-d", str(tdir), "-l", lang, "--no-fuzzy-matching"
                )
            else:
                _pybabel("init", "-i", str(pot), "-d", str(tdir), "-l", lang)
        pot.unlink()


@translate_group.command("compile")
def translate_compile() -> None:
    """Compile every catalogue to .mo files."""
    compile_catalogues()


def compile_catalogues() -> None:
    """Compile every .po below the package (used by make, the tests and this command)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in PACKAGE.glob("**/translations/*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh)
        with mo_path.open("wb") as fh:
            write_mo(fh, catalog)


@click.group("backup")
def backup_group() -> None:
    """Back up and restore the SQLite database (PostgreSQL: pg_dump, see docs/operations.md)."""


@backup_group.command("create")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup_create(file: Path | None) -> None:
    """Write a consistent copy of the live database (default: instance/backups/)."""
    target = file or backup.default_backup_path(Path(current_app.instance_path) / "backups")
    try:
        backup.create_backup(db.engine, target)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"backup written to {target}")


@backup_group.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def backup_restore(file: Path, yes: bool) -> None:
    """Replace the database with a backup (stop the web server and workers first)."""
    if not yes:
        click.confirm(f"Replace the current database with {file}?", abort=True)
    try:
        restored = backup.restore_backup(db.engine, file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{restored} restored from {file}")


def init_app(app: Flask) -> None:
    """Register the app-wide command groups; then every command speaks CLI_LOCALE."""
    app.cli.add_command(backup_group)
    app.cli.add_command(content_group)
    app.cli.add_command(translate_group)
    for command in app.cli.commands.values():
        _speak_cli_locale(command)


def _speak_cli_locale(command: click.Command) -> None:
    """Run the command (and its subcommands) under CLI_LOCALE; commands are shared between
    apps, so each is wrapped once."""
    for sub in getattr(command, "commands", {}).values():
        _speak_cli_locale(sub)
    callback = command.callback
    if callback is None or getattr(callback, "speaks_cli_locale", False):
        return

    @functools.wraps(callback)
    def localised(*args, **kwargs):
        with cli_locale():
            return callback(*args, **kwargs)

    localised.speaks_cli_locale = True
    command.callback = localised
