"""``kefu ask TEXT [--kg FILE] [--json] [--model NAME]``: one knowledge answer end to end;
``kefu ask --questions FILE``: a file of questions and conversations through the whole
assistant (see :mod:`app.cli.questions`)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import click

MODES = ("facts", "confirmation", "small_talk")


def _load_model(name: str, settings: Any) -> Any | None:
    """The chat model, or None (with a message saying why) when it cannot be had."""
    try:
        from model_runtime import load_chat_model  # type: ignore[attr-defined]
    except ImportError as error:
        click.echo(
            f"kefu ask: the model runtime is not available ({error}); "
            "answering with the composed answerer (facts only).",
            err=True,
        )
        return None
    try:
        return load_chat_model(
            name,
            device=settings.model_device,
            dtype=settings.model_dtype,
            cache_dir=settings.models_dir,
        )
    except Exception as error:  # loading can fail in many ways; the answer must still come
        click.echo(
            f"kefu ask: could not load model {name!r} ({error}); answering with the composed answerer.",
            err=True,
        )
        return None


@click.command("ask")
@click.argument("text", required=False)
@click.option(
    "--questions",
    "questions_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A JSONL file of questions ({'id', 'question'}) or conversations ({'id', 'turns'}): "
    "each goes through NLU, dialogue, knowledge answer and checker; one JSON line per turn. "
    "Uses the configured model unless --model is given (--model none: composed answers).",
)
@click.option(
    "--project",
    "project_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="With --questions: the assistant project (default: the configured one).",
)
@click.option(
    "--kg",
    "kg_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A graph file (.csv triples, .json, .graphml). Default: the demo store's graph.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the answer, its claims and sampling as JSON."
)
@click.option(
    "--model",
    "model_name",
    default=None,
    help="Generate with this model (packaged name, HF directory, GGUF file). Default, or "
    "none: compose from facts.",
)
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="facts",
    show_default=True,
    help="Dialogue state that picks the sampling parameters.",
)
@click.option(
    "--store-name",
    default=None,
    help="The store the assistant speaks for (default: Acme Gadgets for the demo graph).",
)
def ask(
    text: str | None,
    questions_file: Path | None,
    project_dir: Path | None,
    kg_file: Path | None,
    as_json: bool,
    model_name: str | None,
    mode: str,
    store_name: str | None,
) -> None:
    """Answer TEXT from the knowledge graph, check every claim and repair before printing."""
    from app.settings import Settings
    from dialogue.knowledge import AnswerMode, KnowledgeAnswerer
    from knowledge_graph import KnowledgeGraphError, load_graph

    settings = Settings()
    if questions_file is not None:
        if text is not None:
            raise click.UsageError("give TEXT or --questions FILE, not both")
        _answer_file(questions_file, project_dir, kg_file, model_name, store_name, settings)
        return
    if text is None:
        raise click.UsageError("give a question (TEXT) or --questions FILE")
    try:
        if kg_file is not None:
            graph = load_graph(kg_file)
        else:
            from assistants.acme.knowledge import load_demo_graph

            graph = load_demo_graph()
            store_name = store_name or "Acme Gadgets"
    except KnowledgeGraphError as error:
        raise click.ClickException(str(error)) from error
    model = _load_model(model_name, settings) if model_name and model_name != "none" else None
    answerer = KnowledgeAnswerer(model, store_name=store_name or "our store")

    async def run() -> Any:
        try:
            return await answerer.answer(graph, text, mode=AnswerMode(mode))
        finally:
            close = getattr(model, "aclose", None)
            if close is not None:
                await close()

    answer = asyncio.run(run())
    if as_json:
        data = answer.to_json()
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(answer.text)
    for claim in answer.to_json()["claims"]:
        facts = "; ".join(
            f"{f['subject']} {f['predicate']} {f['object']} {f['unit']}".strip()
            for f in claim["facts"]
        )
        click.echo(f"  [{claim['status']}] {facts}", err=True)
    origin = "composed from facts" if answer.fell_back else f"model {answer.model}"
    click.echo(f"  ({origin}, {answer.latency_ms:.1f} ms)", err=True)


def _answer_file(
    path: Path,
    project_dir: Path | None,
    kg_file: Path | None,
    model_name: str | None,
    store_name: str | None,
    settings: Any,
) -> None:
    """Every conversation of ``path`` through the trained assistant, as the widget gets it."""
    from app.cli.questions import QuestionFileError, converse, read_questions
    from dialogue import DialogueError, Project
    from dialogue.clock import SupportHours
    from dialogue.knowledge import KnowledgeAnswerer
    from dialogue.knowledge.conversation import ConversationKnowledge, project_graph_files
    from dialogue.sandbox import sandbox_engine, trained_assistant
    from knowledge_graph import KnowledgeGraphError, load_graph

    try:
        conversations = list(read_questions(path))
        project = Project.load(project_dir or settings.project_dir)
        files = [kg_file] if kg_file is not None else project_graph_files(project.root)
        if not files:
            raise click.ClickException(f"{project.root} has no knowledge/ graph; give --kg FILE")
        graph = load_graph(*files)
        trained = trained_assistant(project, settings.models_dir)
    except (QuestionFileError, DialogueError, KnowledgeGraphError) as error:
        raise click.ClickException(str(error)) from error
    name = model_name or (settings.model_name if settings.model_enabled else "none")
    model = None if name == "none" else _load_model(name, settings)
    pipeline = KnowledgeAnswerer(model, store_name=store_name or settings.business_name)
    knowledge = ConversationKnowledge(lambda: graph, pipeline)

    async def run() -> None:
        try:
            for conversation in conversations:
                # A fresh engine (fresh demo orders) per conversation, like a new customer.
                engine = sandbox_engine(
                    project,
                    trained,
                    knowledge=knowledge,
                    fallback_threshold=settings.nlu_fallback_threshold,
                    support_hours=SupportHours.parse(settings.support_hours),
                )
                for record in await converse(engine, conversation):
                    click.echo(json.dumps(record, ensure_ascii=False))
        finally:
            close = getattr(model, "aclose", None)
            if close is not None:
                await close()

    asyncio.run(run())


COMMANDS: list[click.Command] = [ask]
