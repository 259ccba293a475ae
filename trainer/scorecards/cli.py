"""`flask kpi import FILE.csv` and `flask kpi create-token NAME`: script the helpdesk feed."""

from pathlib import Path

import click

from trainer.extensions import db
from trainer.scorecards import records, tokens


@click.group("kpi")
def kpi_group() -> None:
    """Import KPI records and manage integration tokens."""


@kpi_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report, but write nothing.")
def import_file(file: Path, dry_run: bool) -> None:
    """Import a helpdesk CSV (agent or team figures); whole file or nothing, row-numbered errors."""
    try:
        result = records.import_csv(file.read_bytes(), actor=None, source="cli", label=file.name)
    except records.ImportRejected as error:
        db.session.rollback()
        for problem in error.errors:
            click.echo(f"{file}:{problem.row}: {problem.message}", err=True)
        if error.unknown:
            click.echo(f"unknown agents: {', '.join(error.unknown)}", err=True)
        raise click.ClickException(
            f"{len(error.errors)} problem(s); nothing was imported"
        ) from error
    if dry_run:
        db.session.rollback()
        click.echo(
            f"ok (dry run): {result.total} rows would be written "
            f"({result.created} new, {result.updated} replaced)"
        )
        return
    db.session.commit()
    click.echo(
        f"imported {result.total} rows ({result.created} new, {result.updated} replaced), "
        f"{result.first_day} to {result.last_day}"
    )


@kpi_group.command("create-token")
@click.argument("name")
def create_token(name: str) -> None:
    """Create an API token for an integration and print it (it is shown only this once)."""
    try:
        token, secret = tokens.create_token(name, actor=None)
    except tokens.TokenError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"token {token.id} for {token.name!r} (write KPI records only):")
    click.echo(secret)
