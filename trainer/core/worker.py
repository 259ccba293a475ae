"""`flask worker`: the Huey consumer running this app's jobs and daily schedule."""

import importlib
import importlib.util

import click
from flask import Flask, current_app

from trainer.core import jobs


def load_job_modules(features: tuple[str, ...], extra: tuple[str, ...] = ()) -> None:
    """Import every feature's `jobs` module (and any extra ones) so their jobs are registered."""
    for name in features:
        module = f"trainer.{name}.jobs"
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)
    for module in extra:
        importlib.import_module(module)


@click.command("worker")
@click.option("--workers", "-w", default=2, show_default=True, help="Worker threads.")
@click.option(
    "--import",
    "modules",
    multiple=True,
    help="Extra module defining jobs (repeatable), e.g. a site's own jobs.",
)
@click.option("--no-periodic", is_flag=True, help="Do not run the daily schedule here.")
def worker_command(workers: int, modules: tuple[str, ...], no_periodic: bool) -> None:
    """Run jobs from the queue (TRAINER_QUEUE_URL) until stopped with Ctrl-C or SIGTERM."""
    app = current_app._get_current_object()
    load_job_modules((), modules)
    jobs.configure(app)
    if jobs.huey.immediate:
        raise click.ClickException("the queue is in immediate mode; a worker has nothing to do")
    recovered = jobs.recover()
    click.echo(f"worker: queue {app.config['TRAINER_QUEUE_NAME']!r}, recovered {recovered} job(s)")
    consumer = jobs.huey.create_consumer(
        workers=workers, worker_type="thread", periodic=not no_periodic, check_worker_health=True
    )
    consumer.run()


def init_app(app: Flask, features: tuple[str, ...]) -> None:
    """Configure the queue for this app, register the jobs and the `worker` command."""
    load_job_modules(features)
    jobs.configure(app)
    app.cli.add_command(worker_command)
