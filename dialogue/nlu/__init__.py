"""kefu's NLU: an intent classifier with calibrated confidences, then entity extraction.

Train with :func:`train_nlu` (or ``dialogue.train_project`` for a whole project), then
call :meth:`NLUPipeline.parse` per message.
"""

from dialogue.nlu.config import (
    EncoderConfig,
    EntityTaggerConfig,
    FallbackConfig,
    IntentClassifierConfig,
    NLUConfig,
)
from dialogue.nlu.entity_rules import KnowledgeNames
from dialogue.nlu.pipeline import FALLBACK_INTENT, NLUPipeline, Progress, train_nlu
from dialogue.nlu.types import Entity, IntentScore, ParseResult
from knowledge_graph.language import detect_language

__all__ = [
    "FALLBACK_INTENT",
    "EncoderConfig",
    "Entity",
    "EntityTaggerConfig",
    "FallbackConfig",
    "IntentClassifierConfig",
    "IntentScore",
    "KnowledgeNames",
    "NLUConfig",
    "NLUPipeline",
    "ParseResult",
    "Progress",
    "detect_language",
    "train_nlu",
]
