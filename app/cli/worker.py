"""``kefu worker``: a Celery worker for background jobs (scaled mode)."""

from __future__ import annotations

import sys

import click

from app.cli.db import ready_database
from app.settings import Settings


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--ping", is_flag=True, help="Ping the running workers and exit (healthchecks).")
@click.option("--concurrency", default=2, show_default=True)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(ping: bool, concurrency: int, celery_args: tuple[str, ...]) -> None:
    """Run a Celery worker on KEFU_CELERY_BROKER_URL (or KEFU_REDIS_URL)."""
    from app.tasks import create_celery

    settings = Settings()
    celery = create_celery(settings)
    if celery.conf.task_always_eager:
        raise click.ClickException(
            "no broker configured: set KEFU_CELERY_BROKER_URL or KEFU_REDIS_URL "
            "(embedded mode runs tasks in-process and needs no worker)"
        )
    if not ping:
        ready_database(settings)  # the jobs read and write the app's tables
    if ping:
        replies = celery.control.ping(timeout=3.0)
        click.echo(replies)
        sys.exit(0 if replies else 1)
    celery.worker_main(
        ["worker", "--loglevel=INFO", f"--concurrency={concurrency}", "-Q", "kefu", *celery_args]
    )


COMMANDS = [worker]


@click.command()
def beat() -> None:
    """Run Celery beat: the periodic jobs (due webhooks, retraining checks, retention, exports)."""
    from app.tasks import create_celery

    settings = Settings()
    celery = create_celery(settings)
    if celery.conf.task_always_eager:
        raise click.ClickException(
            "no broker configured: embedded mode runs periodic jobs inside `kefu run`"
        )
    ready_database(settings)
    celery.Beat(loglevel="INFO", schedule=str(settings.data_dir / "celerybeat-schedule")).run()


COMMANDS.append(beat)
