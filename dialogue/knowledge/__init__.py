"""Knowledge answers: facts from the graph, written by a chat model (or composed from the
facts), checked claim by claim and repaired before the customer sees them.

``KnowledgeAnswerer(model).answer(graph, question)`` -> ``KnowledgeAnswer``.
"""

from dialogue.knowledge.composer import ComposedAnswerer
from dialogue.knowledge.exceptions import KnowledgeAnswerError, NoModelError
from dialogue.knowledge.fakes import FactRestatingModel, Perturbation, ScriptedChatModel
from dialogue.knowledge.pipeline import KnowledgeAnswer, KnowledgeAnswerer
from dialogue.knowledge.prompt import build_messages, rewrite_messages
from dialogue.knowledge.sampling import AnswerMode, mode_for_intent, sampling_for

__all__ = [
    "AnswerMode",
    "ComposedAnswerer",
    "FactRestatingModel",
    "KnowledgeAnswer",
    "KnowledgeAnswerError",
    "KnowledgeAnswerer",
    "NoModelError",
    "Perturbation",
    "ScriptedChatModel",
    "build_messages",
    "mode_for_intent",
    "rewrite_messages",
    "sampling_for",
]
