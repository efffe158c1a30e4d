"""Another business's graph behind the demo assistant: its customers' questions reach the
knowledge answer whatever the NLU was trained on, the demo's templates never answer them,
and what the graph does not hold is said plainly (with a person offered)."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import pytest

from dialogue.knowledge import KnowledgeAnswerer
from dialogue.knowledge.conversation import ConversationKnowledge
from dialogue.project import Project
from dialogue.sandbox import sandbox_engine
from dialogue.training import TrainedAssistant
from knowledge_graph import load_graph
from tests.dialogue.engine.conftest import Conversation, actions_of, texts_of

TEA = Path(__file__).resolve().parents[3] / "bench" / "data" / "businesses" / "cloud-mist-tea"
# What only the demo store holds: its products, its store name, its currency and its
# shipping and returns wording.
DEMO_ONLY = re.compile(
    r"Acme|Aurora|Vector|Pulse|Nimbus|Orbit|Lumen|US dollars|USD|\$|dispatch|30 days|极光|矢量"
)


@pytest.fixture(scope="module")
def tea_graph() -> nx.MultiDiGraph:
    return load_graph(TEA / "graph.csv")


def tea_chat(project: Project, trained: TrainedAssistant, graph: nx.MultiDiGraph) -> Conversation:
    knowledge = ConversationKnowledge(lambda: graph, KnowledgeAnswerer(None))
    return Conversation(sandbox_engine(project, trained, knowledge=knowledge))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How much is shipping?", ["12", "199"]),
        ("When is the tasting room open?", ["10:00", "20:00"]),
        ("Where is your tasting room?", ["88 Longjing Road"]),
        ("What discount do members get?", ["5%"]),
        ("How long should I steep the Keemun?", ["90 seconds"]),
        ("What temperature should I brew Longjing at?", ["80"]),
        ("How much water does the kettle hold?", ["800"]),
        ("退货期限是几天？", ["7"]),
        ("铁观音是哪里产的？", ["Anxi"]),
        ("Is the gaiwan dishwasher safe?", ["not dishwasher safe"]),
    ],
)
async def test_questions_about_the_business_reach_its_graph(
    acme_project: Project,
    acme_trained: TrainedAssistant,
    tea_graph: nx.MultiDiGraph,
    question: str,
    expected: list[str],
) -> None:
    outcome = await tea_chat(acme_project, acme_trained, tea_graph).say(question)
    reply = " ".join(texts_of(outcome))
    assert "action_knowledge_answer" in actions_of(outcome), (question, actions_of(outcome))
    for part in expected:
        assert part in reply, (question, reply)
    assert not DEMO_ONLY.search(reply), (question, reply)


async def test_what_the_graph_does_not_hold_is_said_plainly_with_a_person_offered(
    acme_project: Project, acme_trained: TrainedAssistant, tea_graph: nx.MultiDiGraph
) -> None:
    chat = tea_chat(acme_project, acme_trained, tea_graph)
    (offtopic,) = (await chat.say("Do you sell coffee?")).replies
    assert not DEMO_ONLY.search(offtopic.text), offtopic.text
    outcome = await chat.say("How much is the bamboo tray?")
    (reply,) = outcome.replies
    assert "don't have that information" in reply.text, reply.text
    assert not DEMO_ONLY.search(reply.text)
    assert [b["payload"] for b in reply.buttons] == ["/human_handoff"]
    handed = await chat.say("/human_handoff")
    assert handed.handoff_requested


async def test_a_follow_up_asks_about_the_thing_in_focus(
    acme_project: Project, acme_trained: TrainedAssistant, tea_graph: nx.MultiDiGraph
) -> None:
    chat = tea_chat(acme_project, acme_trained, tea_graph)
    await chat.say("Tell me about the Jasmine Silver Needle")
    reply = " ".join(texts_of(await chat.say("how long do I steep it?")))
    assert "180 seconds" in reply, reply


async def test_the_demo_keeps_its_own_flows_and_templates(
    acme_project: Project, acme_trained: TrainedAssistant
) -> None:
    # The demo's templates are written from its own graph: they still answer it, and a
    # complaint (not a question) stays a complaint even though it names a product group.
    chat = Conversation(sandbox_engine(acme_project, acme_trained))
    shipping = await chat.say("How much is shipping?")
    assert actions_of(shipping) == ["utter_shipping_options"]
    complaint = await chat.say("this is the worst service ever, my headphones broke after a week")
    assert actions_of(complaint) == ["utter_complaint"]


EATS = TEA.parent / "bay-eats"


async def test_the_place_talked_about_stays_in_focus_whatever_the_nlu_reads(
    acme_project: Project, acme_trained: TrainedAssistant
) -> None:
    """A guide's customer over the demo's NLU: a city the NLU takes for a product, and a
    question the graph cannot answer, leave the restaurant talked about in focus."""
    chat = tea_chat(acme_project, acme_trained, load_graph(EATS / "graph.csv"))
    said = []
    for question in (
        "Does Copper Kitchen take reservations?",  # nothing on that: said plainly
        "how cheap is it",
        "Is it in San Jose?",  # a city, read as a product by the demo's NLU
        "what kind of food do they serve?",
    ):
        said.append(" ".join(texts_of(await chat.say(question))))
    assert "don't have that information" in said[0], said
    assert said[1] == "The price range of Copper Kitchen is inexpensive.", said
    assert said[2] == "No, the city of Copper Kitchen is Palo Alto.", said
    assert said[3] == "The cuisine of Copper Kitchen is Korean.", said


async def test_a_question_about_the_thing_in_focus_is_no_order_to_track(
    acme_project: Project, acme_trained: TrainedAssistant
) -> None:
    """'where is it held?' reads as order tracking to the demo's NLU; asked of an event in
    focus it is the event's venue. The demo's own 'can I return it?' still starts its flow."""
    living = load_graph(TEA.parent / "metro-living" / "graph.csv")
    chat = tea_chat(acme_project, acme_trained, living)
    await chat.say("When is Midnight Brass San Mateo?")
    outcome = await chat.say("where is it held?")
    assert "action_knowledge_answer" in actions_of(outcome), actions_of(outcome)
    assert "Central Park Bandshell" in " ".join(texts_of(outcome))
    doctor = tea_chat(acme_project, acme_trained, living)
    await doctor.say("Does Dr. Elena Rossi do cosmetic dentistry?")
    reply = " ".join(texts_of(await doctor.say("what's her address?")))
    assert "4948 Oak Street" in reply, reply


async def test_a_property_the_place_lacks_is_an_honest_unknown(
    acme_project: Project, acme_trained: TrainedAssistant
) -> None:
    chat = tea_chat(acme_project, acme_trained, load_graph(EATS / "graph.csv"))
    await chat.say("What's the phone for Coral Bistro?")
    outcome = await chat.say("Is it family friendly?")
    reply = " ".join(texts_of(outcome))
    assert "don't have that information" in reply, reply
    assert not DEMO_ONLY.search(reply)
