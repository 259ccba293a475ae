"""`flask quiz import-gift | export-gift | close-overdue`."""

from pathlib import Path

import click

from trainer.extensions import db
from trainer.quizzes import attempts, bank
from trainer.quizzes.gift import GiftError


@click.group("quiz")
def quiz_group() -> None:
    """Question banks (GIFT) and quiz attempts."""


@quiz_group.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--category", help="Put every question in this category (ignores $CATEGORY).")
def import_gift(file: Path, category: str | None) -> None:
    """Import a GIFT file whole, or nothing with `line N: message` errors."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{file}: not UTF-8 text") from error
    try:
        report = bank.import_gift(text, category=category)
        db.session.commit()
    except GiftError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(f"{file}:{problem}", err=True)
        raise click.ClickException(
            f"{len(error.problems)} problem(s); nothing was imported"
        ) from None
    for warning in report.warnings:
        click.echo(f"{file}:{warning}", err=True)
    parts = ", ".join(f"{qtype}={n}" for qtype, n in sorted(report.by_type.items()))
    click.echo(f"imported {report.total} question(s): {parts or 'none'}")
    click.echo(f"new={report.created} updated={report.updated} unchanged={report.unchanged}")


@quiz_group.command("export-gift")
@click.option("--category", default="", help="Only this category and its subcategories.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
def export_gift(category: str, output: Path | None) -> None:
    """Write the active questions as GIFT (to stdout unless --output)."""
    text = bank.export_gift(category)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


@quiz_group.command("close-overdue")
def close_overdue() -> None:
    """Finalise attempts past their deadline plus grace (run it from a scheduler)."""
    closed = attempts.close_overdue()
    db.session.commit()
    click.echo(f"closed {closed} overdue attempt(s)")
