"""``kefu shell``: talk to an assistant in the terminal.

Orders come from the project's store/orders.csv, in memory (changes are forgotten on
exit). Type ``/debug`` to show or hide the parse and the actions the policies chose,
``/restart`` to start over, ``/quit`` (or Ctrl-D) to leave; a number picks a button.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from dialogue.engine import Engine, TurnOutcome

__all__ = ["COMMANDS", "shell"]


def _debug_lines(outcome: TurnOutcome) -> list[str]:
    lines = []
    parse = outcome.parse
    if parse is not None:
        ranking = ", ".join(f"{s.name} {s.confidence:.2f}" for s in parse.intent_ranking[:3])
        lines.append(
            f"  intent: {parse.intent.name} ({parse.intent.confidence:.2f})  "
            f"language: {parse.language}  ranking: {ranking}"
        )
        for entity in parse.entities:
            lines.append(
                f"  entity: {entity.entity}={entity.value!r} ({entity.extractor}, "
                f"{entity.confidence:.2f})"
            )
    for prediction in outcome.predictions:
        detail = f" [{prediction.detail}]" if prediction.detail else ""
        lines.append(
            f"  action: {prediction.action}  by {prediction.policy} "
            f"({prediction.confidence:.2f}){detail}"
        )
    slots = [f"{e['name']}={e['value']!r}" for e in outcome.events if e.get("event") == "slot"]
    if slots:
        lines.append("  slots: " + ", ".join(slots))
    return lines


async def _converse(engine: Engine, debug: bool) -> None:
    history: list[dict[str, Any]] = []
    buttons: list[str] = []
    click.echo("Talk to the assistant. /debug shows what it thinks, /restart, /quit.")
    while True:
        try:
            text = click.prompt("you", prompt_suffix="> ", default="", show_default=False)
        except (EOFError, click.Abort):
            click.echo("")
            return
        text = text.strip()
        if not text:
            continue
        if text in ("/quit", "/exit"):
            return
        if text == "/debug":
            debug = not debug
            click.echo(f"(debug {'on' if debug else 'off'})")
            continue
        if text == "/restart":
            history, buttons = [], []
            click.echo("(a new conversation)")
            continue
        if text.isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1]
        outcome = await engine.handle(history=history, text=text)
        history.extend(dict(e) for e in outcome.events)
        if debug:
            for line in _debug_lines(outcome):
                click.secho(line, fg="bright_black")
        buttons = []
        for reply in outcome.replies:
            click.echo(f"bot> {reply.text}")
            for button in reply.buttons:
                buttons.append(str(button.get("payload", "")))
                click.echo(f"     [{len(buttons)}] {button.get('title')}")
        if outcome.handoff_requested:
            click.echo("(the conversation is handed to a human agent here)")


@click.command("shell")
@click.option(
    "--project",
    "project_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Assistant project folder. Default: the demo assistant.",
)
@click.option("--debug", is_flag=True, help="Show the parse and the chosen actions.")
@click.option(
    "--actions",
    "actions_module",
    default=None,
    help="Python package of the custom actions. Default: the project's actions/.",
)
@click.option(
    "--now",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M%z", "%Y-%m-%dT%H:%M"]),
    default=None,
    help="Pretend it is this moment (naive = UTC); default: the real time.",
)
def shell(
    project_dir: Path | None, debug: bool, actions_module: str | None, now: datetime | None
) -> None:
    """Talk to an assistant in the terminal (trains it first when needed)."""
    from datetime import UTC

    from app.settings import Settings
    from dialogue import DialogueError, Project
    from dialogue.actions.loading import check_actions
    from dialogue.clock import SupportHours, fixed_clock, system_clock
    from dialogue.sandbox import sandbox_engine, trained_assistant

    settings = Settings()
    try:
        project = Project.load(project_dir or settings.project_dir)
        if actions_module is None:
            check_actions(project.root)  # said before training, not after
        click.echo(f"loading the model of {project.root} ...", err=True)
        trained = trained_assistant(project, settings.models_dir)
        clock = fixed_clock(now if now.tzinfo else now.replace(tzinfo=UTC)) if now else system_clock
        engine = sandbox_engine(
            project,
            trained,
            clock=clock,
            knowledge=_knowledge(project.root, settings),
            actions_module=actions_module,
            fallback_threshold=settings.nlu_fallback_threshold,
            support_hours=SupportHours.parse(settings.support_hours),
        )
    except DialogueError as exc:
        raise click.ClickException(str(exc)) from exc
    asyncio.run(_converse(engine, debug))


def _knowledge(project_dir: Path, settings: Any) -> Any:
    """The production knowledge answerer over the project's graph files: the configured
    language model (loading in the background; composed answers until it is ready)."""
    from app.knowledge import chat_model_for
    from dialogue.knowledge import KnowledgeAnswerer
    from dialogue.knowledge.conversation import ConversationKnowledge, project_graph_files

    if not project_graph_files(project_dir):
        return None
    pipeline = KnowledgeAnswerer(chat_model_for(settings), store_name=settings.business_name)
    return ConversationKnowledge.for_project(project_dir, pipeline)


COMMANDS: list[click.Command] = [shell]
