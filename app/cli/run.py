"""``kefu run``: the whole product in one process (embedded mode by default)."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from app.settings import DeploymentMode, Settings


def training_progress_bar() -> tuple[object, object]:
    """A tqdm bar and a ``progress(stage, done, total)`` callback that drives it."""
    from tqdm import tqdm

    bar = tqdm(total=0, unit="step", dynamic_ncols=True, leave=True)

    def progress(stage: str, done: int, total: int) -> None:
        if bar.total != total:
            bar.reset(total=total)
        bar.set_description(stage)
        bar.n = done
        bar.refresh()

    return bar, progress


def print_demo_accounts(settings: Settings) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from app.db.demo_accounts import create_demo_accounts
    from app.db.engine import sync_url

    credentials = settings.data_dir / "demo-accounts.txt"
    engine = create_engine(sync_url(settings.resolved_database_url))
    try:
        with Session(engine) as session:
            created = create_demo_accounts(session, credentials_file=credentials)
    finally:
        engine.dispose()
    if created:
        click.secho("\nDemo accounts for the agents' console (/console):", bold=True)
        for account in created:
            click.echo(
                f"  {account.role:<6} username {account.username:<6} password {account.password}"
            )
        click.echo(f"  (saved in {credentials}; create real ones with `kefu user create`)\n")


@click.command()
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default 8000).")
@click.option(
    "--project",
    "project_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="The assistant project to serve (KEFU_PROJECT_DIR; default: the demo assistant).",
)
@click.option("--log-level", default="info", show_default=True)
def run(host: str | None, port: int | None, project_dir: Path | None, log_level: str) -> None:
    """Run kefu: chat widget, websocket, bot, consoles — the demo assistant by default."""
    import uvicorn

    from app.bot import ensure_trained
    from app.cli.db import ready_database
    from app.main import create_app
    from dialogue import DialogueError
    from dialogue.actions.loading import check_actions

    options = {"host": host, "port": port, "project_dir": project_dir}
    overrides = {k: v for k, v in options.items() if v is not None}
    settings = Settings(**overrides)  # type: ignore[arg-type]
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    # Every periodic job logs a line per run at INFO; keep the console readable.
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.mode == DeploymentMode.EMBEDDED:
        from sqlalchemy.engine import make_url

        shown = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
        click.echo(f"database: {shown}")
    # Every replica upgrades the schema first; the migration lock makes that safe.
    ready_database(settings)
    if settings.mode == DeploymentMode.EMBEDDED and settings.demo_accounts:
        print_demo_accounts(settings)
    try:
        check_actions(settings.project_dir)  # before training, not at start-up
    except DialogueError as exc:
        raise click.ClickException(str(exc)) from exc
    if settings.train_on_start:
        bar, progress = training_progress_bar()
        with bar:  # type: ignore[attr-defined]
            model_dir = ensure_trained(settings, progress=progress)  # type: ignore[arg-type]
        click.echo(f"assistant: {settings.project_dir.name} ({model_dir.name})")
    app = create_app(settings)
    url = f"http://{settings.host}:{settings.port}"
    click.secho(f"\nkefu is running — open {url} (chat widget on the demo shop page)\n", bold=True)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        ws_max_size=settings.max_frame_bytes,
        log_level=log_level,
        timeout_graceful_shutdown=5,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


COMMANDS = [run]
