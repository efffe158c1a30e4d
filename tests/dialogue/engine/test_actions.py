"""Custom actions through rasa-sdk: the webhook contract in-process and over HTTP (a real
action server, the 449 domain re-send), and what the customer sees when an action fails."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dialogue.actions import (
    InProcessActions,
    RemoteActions,
    action_call,
    domain_digest,
    domain_json,
    read_action_endpoint,
)
from dialogue.engine import Engine
from dialogue.exceptions import SourceError
from dialogue.policies import Policies
from dialogue.project import Project
from tests.dialogue.engine.conftest import (
    Conversation,
    actions_of,
    assistant_for,
    inline_engine,
    slots_after,
    texts_of,
)
from tests.servers import free_port

REPO = Path(__file__).resolve().parents[3]

DOMAIN = """
version: "3.1"
intents: [report, fail, slow, greet]
entities: [number]
slots:
  number:
    type: text
    mappings: [{type: from_entity, entity: number}]
  name:
    type: text
    mappings: [{type: custom}]
responses:
  utter_reported: [{text: "{count} events before, name={name}"}]
  utter_greet: [{text: "hi"}]
  utter_action_failed:
    - text: "Sorry, something went wrong."
    - text: "抱歉，出错了。"
      condition: [{type: slot, name: language, value: zh}]
actions: [action_report, action_raise, action_slow]
"""
RULES = """
rules:
  - rule: report
    steps: [{intent: report}, {action: action_report}]
  - rule: fail
    steps: [{intent: fail}, {action: action_raise}]
  - rule: slow
    steps: [{intent: slow}, {action: action_slow}]
  - rule: greet
    steps: [{intent: greet}, {action: utter_greet}]
"""
PACKAGE = "tests.dialogue.engine.contract_actions"


@pytest.fixture(scope="module")
def action_server() -> Iterator[str]:
    """A real rasa-sdk action server on a loopback port, serving the contract actions."""
    port = free_port()
    env = {**os.environ, "SANIC_HOST": "127.0.0.1", "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", PACKAGE, "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the action server did not start: {process.stderr.read()!r}")  # type: ignore[union-attr]
            time.sleep(0.2)
        yield f"{url}/webhook"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def in_process(timeout: float = 10.0) -> InProcessActions:
    return InProcessActions.from_package(PACKAGE, timeout=timeout)


async def report_outputs(engine: Engine) -> tuple[list[str], dict[str, object]]:
    chat = Conversation(engine)
    await chat.say("/greet")
    outcome = await chat.say('/report{"number": "42"}')
    return texts_of(outcome), slots_after(chat.history)


async def test_an_in_process_action_gets_the_webhook_tracker_and_domain() -> None:
    texts, slots = await report_outputs(inline_engine(DOMAIN, RULES, actions=in_process()))
    seen = json.loads(texts[0])
    assert seen == {
        "sender": "customer",
        "intent": "report",
        "entities": ["42"],
        "number": "42",
        "unset": None,
        "loop": None,
        "events": ["action", "bot", "session_started", "slot", "user"],
        "forms": [],
        "responses": 3,
    }
    # The response template is filled with the action's keyword and the slot it set.
    assert re.fullmatch(r"\d+ events before, name=reported", texts[1])
    assert slots["name"] == "reported"


async def test_a_remote_action_server_gives_the_same_result(action_server: str) -> None:
    local = await report_outputs(inline_engine(DOMAIN, RULES, actions=in_process()))
    remote = await report_outputs(
        inline_engine(DOMAIN, RULES, actions=RemoteActions(action_server))
    )
    assert remote == local


async def test_the_domain_is_sent_only_when_the_server_asks_for_it(action_server: str) -> None:
    domain = domain_json(inline_engine(DOMAIN).domain)
    # A fresh digest: the server has never seen this domain.
    domain["responses"]["utter_marker"] = [{"text": str(time.time())}]
    call = action_call(
        "action_report",
        tracker={"sender_id": "t", "events": [], "slots": {}, "latest_message": {}},
        domain=domain,
        digest=domain_digest(domain),
    )
    lean = {k: v for k, v in call.items() if k != "domain"}
    assert httpx.post(action_server, json=lean).status_code == 449
    result = await RemoteActions(action_server).run(call)
    assert [e["name"] for e in result.events] == ["name"]
    # The server now knows the domain under its digest: the lean call works.
    assert httpx.post(action_server, json=lean).status_code == 200


@pytest.mark.parametrize("transport", ["in_process", "remote"])
async def test_an_action_that_raises_gets_an_apology_and_a_logged_error(
    transport: str, action_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    actions = in_process() if transport == "in_process" else RemoteActions(action_server)
    chat = Conversation(inline_engine(DOMAIN, RULES, actions=actions))
    with caplog.at_level(logging.ERROR):
        outcome = await chat.say("/fail")
    assert texts_of(outcome) == ["Sorry, something went wrong."]
    assert actions_of(outcome) == ["action_raise"]
    assert "action_raise failed" in caplog.text


@pytest.mark.parametrize("transport", ["in_process", "remote"])
async def test_an_action_that_takes_too_long_gets_an_apology(
    transport: str, action_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    actions = (
        in_process(timeout=0.3)
        if transport == "in_process"
        else RemoteActions(action_server, timeout=0.3)
    )
    chat = Conversation(inline_engine(DOMAIN, RULES, actions=actions))
    started = time.monotonic()
    with caplog.at_level(logging.ERROR):
        outcome = await chat.say("/slow")
    assert time.monotonic() - started < 5
    assert texts_of(outcome) == ["Sorry, something went wrong."]
    assert "action_slow failed" in caplog.text and "0.3 s" in caplog.text


async def test_an_unreachable_server_or_unknown_action_gets_an_apology() -> None:
    chat = Conversation(
        inline_engine(
            DOMAIN, RULES, actions=RemoteActions(f"http://127.0.0.1:{free_port()}/webhook")
        )
    )
    assert texts_of(await chat.say("/report")) == ["Sorry, something went wrong."]
    bare = Conversation(inline_engine(DOMAIN, RULES))  # no executor at all
    assert texts_of(await bare.say("/report")) == ["Sorry, something went wrong."]


async def test_the_demo_order_actions_over_http(action_server: str, acme_project: Project) -> None:
    """The acme actions served by rasa-sdk without arguments use the demo orders."""
    assistant = assistant_for(acme_project.domain)
    engine = Engine(
        assistant,
        policies=Policies.for_project(acme_project),
        actions=RemoteActions(action_server),
    )
    chat = Conversation(engine)
    await chat.say("/order_status")
    await chat.say('/inform{"order_id": "A10001"}')
    outcome = await chat.say('/inform{"email": "mia.chen@example.com"}')
    assert actions_of(outcome) == ["order_status_form", "action_check_order_status"]
    assert re.fullmatch(
        r"Order A10001 \(Aurora X2 Headphones × 1\) was delivered on \d{4}-\d\d-\d\d by UPS "
        r"\(tracking number 1Z999AA10123456784\)\.",
        texts_of(outcome)[0],
    )


def test_endpoints_yml_names_the_action_server(tmp_path: Path) -> None:
    path = tmp_path / "endpoints.yml"
    assert read_action_endpoint(path) is None
    path.write_text("action_endpoint:\n  url: http://127.0.0.1:5055/webhook\n  timeout: 3\n")
    endpoint = read_action_endpoint(path)
    assert endpoint is not None and (endpoint.url, endpoint.timeout) == (
        "http://127.0.0.1:5055/webhook",
        3.0,
    )
    path.write_text("action_endpoint:\n  timeout: 3\n")
    with pytest.raises(SourceError, match="url"):
        read_action_endpoint(path)


async def test_a_project_actions_package_runs_in_process(tmp_path: Path) -> None:
    """A project folder outside any package: its actions/ is imported as ``actions``."""
    (tmp_path / "domain.yml").write_text(DOMAIN, encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "rules.yml").write_text(RULES, encoding="utf-8")
    actions = tmp_path / "actions"
    actions.mkdir()
    (actions / "wording.py").write_text('GREETING = "from a submodule"\n', encoding="utf-8")
    (actions / "__init__.py").write_text(
        "from rasa_sdk import Action\n"
        "from .wording import GREETING\n\n\n"
        "class ActionReport(Action):\n"
        "    def name(self):\n"
        "        return 'action_report'\n\n"
        "    def run(self, dispatcher, tracker, domain):\n"
        "        dispatcher.utter_message(text=GREETING)\n"
        "        return []\n",
        encoding="utf-8",
    )
    project = Project.load(tmp_path)
    engine = Engine.for_project(project, assistant_for(project.domain))
    assert texts_of(await Conversation(engine).say("/report")) == ["from a submodule"]


def _helpdesk(root: Path, actions_code: str) -> Path:
    """A project laid out as community Rasa 3 projects are: actions/ modules importing each
    other by the name ``actions``, and a helper module at the project's top level."""
    (root / "data").mkdir(parents=True)
    (root / "domain.yml").write_text(DOMAIN, encoding="utf-8")
    (root / "data" / "rules.yml").write_text(RULES, encoding="utf-8")
    (root / "actions").mkdir()
    (root / "actions" / "__init__.py").write_text("", encoding="utf-8")
    (root / "actions" / "snow.py").write_text(
        "from wording import PREFIX\n\n\nclass SnowAPI:\n"
        "    def incident(self):\n        return PREFIX + 'INC0012'\n",
        encoding="utf-8",
    )
    (root / "wording.py").write_text("PREFIX = 'ticket '\n", encoding="utf-8")
    (root / "actions" / "actions.py").write_text(actions_code, encoding="utf-8")
    return root


HELPDESK_ACTIONS = (
    "from rasa_sdk import Action\n"
    "from actions.snow import SnowAPI\n\n\n"
    "class ActionReport(Action):\n"
    "    def name(self):\n"
    "        return 'action_report'\n\n"
    "    def run(self, dispatcher, tracker, domain):\n"
    "        dispatcher.utter_message(text=SnowAPI().incident())\n"
    "        return []\n"
)


async def test_actions_import_each_other_as_actions_like_rasa_run_actions(
    tmp_path: Path,
) -> None:
    project = Project.load(_helpdesk(tmp_path / "helpdesk", HELPDESK_ACTIONS))
    engine = Engine.for_project(project, assistant_for(project.domain))
    assert texts_of(await Conversation(engine).say("/report")) == ["ticket INC0012"]
    # A second project in the same process gets its own ``actions``.
    other = Project.load(
        _helpdesk(tmp_path / "other", HELPDESK_ACTIONS.replace("incident()", "incident().upper()"))
    )
    again = Engine.for_project(other, assistant_for(other.domain))
    assert texts_of(await Conversation(again).say("/report")) == ["TICKET INC0012"]


def test_an_actions_import_error_is_one_line_naming_the_file(tmp_path: Path) -> None:
    from dialogue.actions.loading import ActionsImportError

    broken = HELPDESK_ACTIONS.replace(
        "from actions.snow import SnowAPI", "from actions.snow import SnowAPI\nimport snowflake_sdk"
    )
    root = _helpdesk(tmp_path / "broken", broken)
    project = Project.load(root)
    with pytest.raises(ActionsImportError) as error:
        Engine.for_project(project, assistant_for(project.domain))
    message = str(error.value)
    assert re.search(r"actions/actions\.py:3: ", message), message
    assert "No module named 'snowflake_sdk'" in message and "\n" not in message
    (root / "tests").mkdir()
    (root / "tests" / "test_stories.yml").write_text(
        "stories:\n- story: report\n  steps:\n  - user: /report\n    intent: report\n"
        "  - action: action_report\n",
        encoding="utf-8",
    )
    commands = (["test", "stories"], ["shell"], ["train"], ["run", "--port", str(free_port())])
    for command in ([*c, "--project", str(root)] for c in commands):
        done = subprocess.run(
            [sys.executable, "-m", "app", *command],
            input="/report\n",
            env={**os.environ, "KEFU_DATA_DIR": str(tmp_path / "data")},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 1, (command, done.stdout, done.stderr)
        assert "No module named 'snowflake_sdk'" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
