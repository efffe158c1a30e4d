"""What NLU returns for a message: intent ranking and entities, as frozen values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["RANKING_LENGTH", "Entity", "IntentScore", "ParseResult"]


@dataclass(frozen=True)
class IntentScore:
    """An intent and its calibrated probability."""

    name: str
    confidence: float


@dataclass(frozen=True)
class Entity:
    """An entity found in a message: ``text`` is the surface ``message[start:end]``,
    ``value`` the normalised value (a synonym's canonical value, a number, ...)."""

    entity: str
    value: Any
    start: int
    end: int
    extractor: str
    confidence: float
    role: str | None = None
    group: str | None = None
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Rasa's entity JSON (``confidence_entity``; role/group only when set)."""
        result: dict[str, Any] = {
            "entity": self.entity,
            "start": self.start,
            "end": self.end,
            "value": self.value,
            "extractor": self.extractor,
            "confidence_entity": self.confidence,
            "text": self.text,
        }
        if self.role is not None:
            result["role"] = self.role
        if self.group is not None:
            result["group"] = self.group
        return result


#: Intents a parse reports, best first: Rasa's classifiers' default ``ranking_length``. It
#: is stored with every message and sent to custom actions with every event since the
#: restart, so the whole ranking (every intent of the domain) would weigh on every turn.
RANKING_LENGTH = 10


@dataclass(frozen=True)
class ParseResult:
    """The parse of one message. ``intent`` is ``intent_ranking[0]`` unless a fallback
    replaced it (then the ranking still holds the real candidates, best first)."""

    text: str
    intent: IntentScore
    intent_ranking: tuple[IntentScore, ...]
    entities: tuple[Entity, ...]
    language: str

    def to_dict(self) -> dict[str, Any]:
        """Rasa's parse JSON: ``{"text", "intent": {"name", "confidence"}, "intent_ranking",
        "entities"}`` plus ``language``; the ranking's best ``RANKING_LENGTH`` only."""
        return {
            "text": self.text,
            "intent": {"name": self.intent.name, "confidence": self.intent.confidence},
            "intent_ranking": [
                {"name": s.name, "confidence": s.confidence}
                for s in self.intent_ranking[:RANKING_LENGTH]
            ],
            "entities": [e.to_dict() for e in self.entities],
            "language": self.language,
        }
