"""A message that does something and gives its details at once takes its intent from the
clause that says what to do ("I want to return order A10004, my email is …")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from dialogue.nlu.compound import asking_part
from dialogue.nlu.types import Entity


def spans(text: str, *values: str) -> list[Entity]:
    found = []
    for value in values:
        start = text.index(value)
        found.append(Entity("x", value, start, start + len(value), "test", 1.0, text=value))
    return found


@pytest.mark.parametrize(
    ("text", "values", "asking"),
    [
        (
            "I want to return order A10004, my email is liam.smith@example.com",
            ("A10004", "liam.smith@example.com"),
            "I want to return order A10004",
        ),
        (
            "cancel order A10003 please, my email is noah.brown@example.com",
            ("A10003", "noah.brown@example.com"),
            "cancel order A10003 please",
        ),
        (
            "我想取消订单A10002，邮箱mia.chen@example.com",
            ("A10002", "mia.chen@example.com"),
            "我想取消订单A10002",
        ),
        # Only values, or values and thanks: nothing asked beside them.
        ("my email is mia.chen@example.com", ("mia.chen@example.com",), None),
        ("A10002, mia.chen@example.com. Thanks!", ("A10002", "mia.chen@example.com"), None),
        # No clause that only gives values: one request, classified whole.
        ("where is order A10001 and when does it arrive?", ("A10001",), None),
    ],
)
def test_the_asking_part(text: str, values: tuple[str, ...], asking: str | None) -> None:
    assert asking_part(text, spans(text, *values)) == asking


def test_the_demo_routes_a_compound_message_to_its_flow_with_the_slots(tmp_path: Path) -> None:
    questions = tmp_path / "compound.jsonl"
    questions.write_text(
        json.dumps(
            {
                "id": "r",
                "turns": ["I want to return order A10004, my email is liam.smith@example.com"],
            }
        )
        + "\n"
        + json.dumps(
            {"id": "c", "turns": ["cancel order A10002 please, my email is mia.chen@example.com"]}
        )
        + "\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["ask", "--questions", str(questions), "--model", "none"])
    assert result.exit_code == 0, result.output
    returned, cancelled = (
        json.loads(line) for line in result.output.splitlines() if line.startswith("{")
    )
    assert returned["intent"] == "return_request"
    assert "A10004 is outside that window" in returned["reply"]  # delivered 45 days ago
    assert cancelled["intent"] == "cancel_order"
    assert "A10002" in cancelled["reply"] and "cancel" in cancelled["reply"].casefold()
