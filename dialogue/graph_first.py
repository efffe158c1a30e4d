"""Which messages the business's graph answers, whatever the NLU was trained on.

The NLU is trained on one assistant's intents; the graph is whatever the business
imported. A message that links to the graph (a thing it knows and what is asked about
it, a set, a ranking, a comparison) is a knowledge question unless a process (a form, a
custom action, a handoff) is confidently meant. So the first action after a message is
re-decided here:

- a response that states facts the live graph does not hold (``{kg:NODE:PREDICATE}``
  placeholders it cannot fill: another business's template) gives way to the knowledge
  answer, which answers from this graph or says plainly that it does not know;
- a response written from the graph's facts (all placeholders filled) stays, the business
  wrote it, unless the NLU was unsure and the message asks about an attribute the
  response does not state;
- any other response (small talk, a template with no facts) gives way when the message
  asks something (a question, "tell me about ...": not "my headphones broke") that the
  graph covers; the clarifying question and the fallback whenever the graph covers it;
- a process stays unless the NLU was unsure of it and the message asks something the
  graph covers, or the message points back at the thing in focus and asks an attribute
  it has ("where is it held?" about an event is no order to track).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from dialogue.answering import FactSource, QuestionScope, TurnKnowledge
from dialogue.builtin_actions import (
    ACTION_CLARIFY,
    ACTION_DEFAULT_FALLBACK,
    ACTION_KNOWLEDGE_ANSWER,
    ACTION_TWO_STAGE_FALLBACK,
)
from dialogue.domain import Domain
from dialogue.events import ACTION_LISTEN
from dialogue.policies import Prediction
from dialogue.responses import fact_placeholders
from knowledge_graph.questions import is_request

__all__ = ["GraphFirst"]

log = logging.getLogger(__name__)

_T = TypeVar("_T")
# A few words that say nothing of the customer ("hotels in Toronto", "Ace Hotel phone
# number") are a query when the graph covers them; "my order is late" is not.
_STATEMENT = re.compile(r"\b(?:i|i'm|i've|my|me|we|our|us)\b|我", re.IGNORECASE)
_TERSE_WORDS = 5
_FALLBACKS = frozenset({ACTION_CLARIFY, ACTION_DEFAULT_FALLBACK, ACTION_TWO_STAGE_FALLBACK})


@dataclass(frozen=True)
class GraphFirst:
    """Re-decides the first action after a message (see the module docstring).

    ``process_confidence``: the NLU confidence from which a process intent (form, custom
    action, handoff) is kept even when the message also links to the graph."""

    domain: Domain
    knowledge: TurnKnowledge | None
    core_fallback: str
    process_confidence: float = 0.9

    def route(
        self,
        prediction: Prediction,
        *,
        text: str,
        confidence: float | None,
        entities: Sequence[Mapping[str, Any]],
        slots: Mapping[str, Any],
        language: str,
        active_loop: str | None,
    ) -> Prediction:
        action = prediction.action
        if action in (ACTION_KNOWLEDGE_ANSWER, ACTION_LISTEN) or self.knowledge is None:
            return prediction
        if action == active_loop:
            return prediction  # the form takes the message as an answer to its question

        def covered() -> bool:
            return self._covers(text, entities, slots)

        def asked() -> bool:
            return (is_request(text) or _terse(text)) and covered()

        sure = confidence is not None and confidence >= self.process_confidence
        if action in self.domain.responses:
            placeholders = fact_placeholders(self.domain, action)
            if placeholders and self._foreign(placeholders, language):
                return self._knowledge(prediction, "the response states facts this graph lacks")
            if (
                placeholders
                and not sure
                and asked()
                and not self._states_asked(placeholders, text, entities, slots)
            ):
                return self._knowledge(prediction, f"{action} does not say what is asked")
            if placeholders:
                return prediction
            if asked():
                return self._knowledge(prediction, f"the graph answers it, not {action}")
            return prediction
        if action in _FALLBACKS or action == self.core_fallback:
            if covered():
                return self._knowledge(prediction, "NLU unsure; the graph answers it")
            return prediction
        if not sure and asked():
            return self._knowledge(prediction, f"{action} not meant for sure; the graph answers it")
        if sure and self._asks_of_focus(text, entities, slots):
            return self._knowledge(prediction, "it asks what the thing in focus has")
        return prediction

    def _read(self, reading: Callable[[QuestionScope], _T], default: _T) -> _T:
        """``reading`` of the knowledge answerer's scope, or ``default`` when it has none
        or cannot read the message (logged: a bad reading never stops the turn)."""
        if not isinstance(self.knowledge, QuestionScope):
            return default
        try:
            return reading(self.knowledge)
        except Exception:
            log.exception("the knowledge answerer could not read the question")
            return default

    def _asks_of_focus(
        self, text: str, entities: Sequence[Mapping[str, Any]], slots: Mapping[str, Any]
    ) -> bool:
        return self._read(lambda k: k.asks_of_focus(text, entities=entities, slots=slots), False)

    def _knowledge(self, prediction: Prediction, why: str) -> Prediction:
        return Prediction(ACTION_KNOWLEDGE_ANSWER, "GraphPolicy", prediction.confidence, why)

    def _covers(
        self, text: str, entities: Sequence[Mapping[str, Any]], slots: Mapping[str, Any]
    ) -> bool:
        return self._read(lambda k: k.covers(text, entities=entities, slots=slots), False)

    def _states_asked(
        self,
        placeholders: Sequence[tuple[str, str]],
        text: str,
        entities: Sequence[Mapping[str, Any]],
        slots: Mapping[str, Any],
    ) -> bool:
        """Whether the response states an attribute the message asks about (or the message
        asks none in particular): "r prices incl sales tax?" is not answered by the
        payment methods."""
        asked = self._read(lambda k: k.asked_attributes(text, entities=entities, slots=slots), None)
        if not asked:
            return True
        return bool(set(asked) & {predicate for _, predicate in placeholders})

    def _foreign(self, placeholders: Sequence[tuple[str, str]], language: str) -> bool:
        """Whether the graph cannot fill one of the response's fact placeholders."""
        if not isinstance(self.knowledge, FactSource):
            return False
        return any(
            self.knowledge.render_fact(node, predicate, language) is None
            for node, predicate in placeholders
        )


def _terse(text: str) -> bool:
    words = re.findall(r"[^\W_]+", text)
    return 0 < len(words) <= _TERSE_WORDS and not _STATEMENT.search(text)
