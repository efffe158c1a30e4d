"""Other assistants' NLU data read as kefu's: Rasa 1.x Markdown, Dialogflow agent exports
(folder and zip) and ``kefu data convert`` writing them as Rasa 3 YAML that reads back the
same; malformed input is one clear error naming the file (and the line)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dialogue.exceptions import TrainingDataError
from dialogue.training_data.imports import parse_rasa_markdown, read_dialogflow, read_rasa_markdown
from dialogue.training_data.reader import parse_nlu_yaml, read_nlu_file
from dialogue.training_data.types import EntityAnnotation
from dialogue.training_data.writer import to_nlu_yaml

REPO = Path(__file__).resolve().parents[2]

MARKDOWN = """\
<!-- an old Rasa 1 project's data -->
## intent:check_balance
- what is my balance <!-- no entity -->
- how much do I have on my [savings](source_account)
* how much is on my [savings account](source_account:savings)
+ could I pay in [yen]{"entity": "currency", "value": "JPY"}?

## intent:greet
- hey
- 你好

<!--
## intent:commented_out
- gone
-->
## synonym:savings
- pink pig

## regex:account_number
- \\d{10,12}

## lookup:currencies
- Yen
- USD

## lookup:more_currencies
currencies.txt
"""


def test_rasa_markdown_reads_every_section(tmp_path: Path) -> None:
    (tmp_path / "currencies.txt").write_text("Euro\nPound\n\n", encoding="utf-8")
    source = tmp_path / "nlu.md"
    source.write_text(MARKDOWN, encoding="utf-8")
    data = read_rasa_markdown(source)
    assert data.intents == ("check_balance", "greet")
    texts = [e.text for e in data.examples]
    assert texts == [
        "what is my balance",
        "how much do I have on my savings",
        "how much is on my savings account",
        "could I pay in yen?",
        "hey",
        "你好",
    ]
    assert data.examples[2].entities == (
        EntityAnnotation(18, 33, "source_account", "savings", "savings account"),
    )
    assert data.examples[3].entities[0].value == "JPY"
    assert data.examples[4].source is not None and data.examples[4].source.line == 9
    assert [(s.value, s.examples) for s in data.synonyms] == [("savings", ("pink pig",))]
    assert [(r.name, r.patterns) for r in data.regexes] == [("account_number", (r"\d{10,12}",))]
    assert {t.name: t.elements for t in data.lookups} == {
        "currencies": ("Yen", "USD"),
        "more_currencies": ("Euro", "Pound"),
    }
    # Written as Rasa 3 YAML, it reads back the same.
    again = parse_nlu_yaml(to_nlu_yaml(data))
    assert [(e.text, e.intent, e.entities) for e in again.examples] == [
        (e.text, e.intent, e.entities) for e in data.examples
    ]
    assert again.entity_synonyms() == data.entity_synonyms()
    assert again.lookups == data.lookups and again.regexes == data.regexes


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("## intent:greet\n- hi\n## story:path\n", 3, "unknown section"),
        ("- hi\n", 1, "before any ## intent"),
        ("## intent:greet\n- hi\n\n- [red](color\n", 4, "unfinished entity annotation"),
        ("## intent:greet\nhello there\n", 2, "expected a '- example' line"),
        ("## intent:greet\n## intent:bye\n- bye\n", 1, "has no items"),
        ("## lookup:cities\nmissing.txt\n", 2, "cannot be read"),
    ],
)
def test_broken_markdown_is_one_error_with_its_line(text: str, line: int, says: str) -> None:
    with pytest.raises(TrainingDataError) as error:
        parse_rasa_markdown(text, path=Path("/nowhere/nlu.md"))
    assert error.value.line == line and says in str(error.value)


def _dialogflow_agent(root: Path) -> Path:
    files = {
        "agent.json": {"language": "en", "supportedLanguages": ["zh-cn"]},
        "intents/Order Pizza.json": {"name": "order_pizza", "responses": []},
        "intents/Order Pizza_usersays_en.json": [
            {
                "data": [
                    {"text": "I want a ", "userDefined": False},
                    {"text": "pepperoni", "alias": "topping", "meta": "@topping"},
                    {"text": " pizza to ", "userDefined": False},
                    {"text": "90210", "meta": "@zip"},
                    {"text": " please", "meta": "@sys.ignore"},
                ],
                "isTemplate": False,
            },
            {"data": [{"text": "  pizza!  "}]},
        ],
        "intents/Order Pizza_usersays_zh-cn.json": [
            {
                "data": [
                    {"text": "我要一个"},
                    {"text": "意大利辣香肠", "alias": "topping"},
                    {"text": "披萨"},
                ]
            }
        ],
        "intents/Default Welcome Intent_usersays_en.json": [{"data": [{"text": "hello"}]}],
        "entities/topping.json": {"name": "topping", "isRegexp": False},
        "entities/topping_entries_en.json": [
            {"value": "pepperoni", "synonyms": ["pepperoni", "peperoni"]},
            {"value": "mushroom", "synonyms": ["mushroom", "mushrooms", "funghi"]},
        ],
        "entities/zip.json": {"name": "zip", "isRegexp": True},
        "entities/zip_entries_en.json": [{"value": "\\d{5}", "synonyms": ["\\d{5}"]}],
    }
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return root


def test_a_dialogflow_export_reads_as_intents_entities_synonyms_and_lookups(
    tmp_path: Path,
) -> None:
    agent = _dialogflow_agent(tmp_path / "agent")
    data = read_dialogflow(agent)
    assert sorted(data.intents) == ["Default Welcome Intent", "order_pizza"]
    pizza = next(e for e in data.examples if e.text.startswith("I want"))
    assert pizza.text == "I want a pepperoni pizza to 90210 please"
    assert [(a.entity, pizza.text[a.start : a.end]) for a in pizza.entities] == [
        ("topping", "pepperoni"),
        ("zip", "90210"),
    ]
    assert any(e.text == "pizza!" for e in data.examples)
    assert data.entity_synonyms() == {
        "peperoni": "pepperoni",
        "mushrooms": "mushroom",
        "funghi": "mushroom",
    }
    assert {t.name: t.elements for t in data.lookups} == {
        "topping": ("pepperoni", "peperoni", "mushroom", "mushrooms", "funghi")
    }
    assert [(r.name, r.patterns) for r in data.regexes] == [("zip", (r"\d{5}",))]
    # The zip the console exports, with the agent in a folder of its own, reads the same.
    archive = tmp_path / "agent.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for file in agent.rglob("*.json"):
            out.write(file, f"PizzaBot/{file.relative_to(agent).as_posix()}")
    assert read_dialogflow(archive) == data
    chinese = read_dialogflow(agent, language="zh-cn")
    assert [(e.text, [a.text for a in e.entities]) for e in chinese.examples] == [
        ("我要一个意大利辣香肠披萨", ["意大利辣香肠"])
    ]


def test_broken_dialogflow_exports_are_one_clear_error(tmp_path: Path) -> None:
    agent = _dialogflow_agent(tmp_path / "agent")
    with pytest.raises(TrainingDataError, match="no training phrases in language 'fr'"):
        read_dialogflow(agent, language="fr")
    (agent / "intents/Order Pizza_usersays_en.json").write_text("[{", encoding="utf-8")
    with pytest.raises(TrainingDataError, match=r"Order Pizza_usersays_en\.json is not valid JSON"):
        read_dialogflow(agent)
    (agent / "agent.json").unlink()
    with pytest.raises(TrainingDataError, match=r"no agent\.json"):
        read_dialogflow(agent)
    not_zip = tmp_path / "agent.zip"
    not_zip.write_bytes(b"not a zip")
    with pytest.raises(TrainingDataError, match="not a Dialogflow export"):
        read_dialogflow(not_zip)


def _convert(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "data", "convert", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_kefu_data_convert_writes_rasa_3_yaml_from_each_format(tmp_path: Path) -> None:
    (tmp_path / "currencies.txt").write_text("Euro\n", encoding="utf-8")
    markdown = tmp_path / "nlu.md"
    markdown.write_text(MARKDOWN, encoding="utf-8")
    agent = _dialogflow_agent(tmp_path / "agent")
    rasa2 = tmp_path / "rasa2.yml"
    rasa2.write_text(
        'version: "2.0"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n    - [Ana](name) here\n',
        encoding="utf-8",
    )
    for source_format, source, examples in (
        ("rasa-md", markdown, 6),
        ("dialogflow", agent, 3),
        ("rasa-yaml", rasa2, 2),
    ):
        output = tmp_path / f"{source_format}.yml"
        done = _convert("--format", source_format, str(source), str(output))
        assert done.returncode == 0, done.stderr
        assert f"{examples} examples" in done.stdout
        assert len(read_nlu_file(output).examples) == examples
    broken = tmp_path / "broken.md"
    broken.write_text("## intent:greet\n- [red](color\n", encoding="utf-8")
    failed = _convert("--format", "rasa-md", str(broken), str(tmp_path / "out.yml"))
    assert failed.returncode == 1
    assert "broken.md:2" in failed.stderr and "Traceback" not in failed.stderr
    assert not (tmp_path / "out.yml").exists()
