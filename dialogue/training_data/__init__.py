"""NLU training data in Rasa 3 YAML: read it with :func:`read_nlu_file`.

Malformed files raise :class:`dialogue.exceptions.TrainingDataError` naming file and line.
"""

from dialogue.training_data.annotation import ParsedText, parse_annotated_text
from dialogue.training_data.reader import SUPPORTED_VERSIONS, parse_nlu_yaml, read_nlu_file
from dialogue.training_data.types import (
    EntityAnnotation,
    LookupTable,
    RegexFeature,
    SourceLocation,
    Synonym,
    TrainingData,
    TrainingExample,
)

__all__ = [
    "SUPPORTED_VERSIONS",
    "EntityAnnotation",
    "LookupTable",
    "ParsedText",
    "RegexFeature",
    "SourceLocation",
    "Synonym",
    "TrainingData",
    "TrainingExample",
    "parse_annotated_text",
    "parse_nlu_yaml",
    "read_nlu_file",
]
