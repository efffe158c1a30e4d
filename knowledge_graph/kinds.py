"""The kinds of value a predicate takes, and how a graph declares one.

One vocabulary for every way a kind is written: an ``@predicate,kind,…`` row of a CSV
graph, a ``kind`` fact of an ``Attribute`` node in the editor, and what the graph's own
values imply (``knowledge_graph.schema``). Besides the kinds' own names, the spellings
people use are read too (``yes_no``, ``yes/no``, ``bool``), and an order of text values,
lowest first (``low<medium<high``), declares an ordered attribute.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "LITERAL_KINDS",
    "DeclaredKind",
    "ValueKind",
    "declarable_kinds",
    "read_kind",
    "unit_of_kind",
]


class ValueKind(StrEnum):
    MONEY = "money"
    DURATION = "duration"
    MASS = "mass"
    COUNT = "count"  # a number of something named by the unit: "3 beds"
    NUMBER = "number"  # a plain number, the unit optional: a rating, a floor
    MEASURE = "measure"  # a physical quantity in its units: length, volume, power, data, ...
    PERCENT = "percent"
    DATE = "date"
    TIME = "time"
    BOOLEAN = "boolean"
    ORDERED = "ordered"  # text values on a declared or built-in order: low < medium < high
    ENUMERATION = "enumeration"  # text whose values repeat across nodes: offer them
    TEXT = "text"
    LINK = "link"  # an edge to another node
    ANY = "any"  # the graph holds several kinds for this predicate: any readable value
    TYPE = "type"  # reserved predicates
    LABEL = "label"
    WORDS = "words"  # facts of Attribute nodes: cue words and phrases, not typed values


# The kinds a graph may declare for a predicate and a value may have.
LITERAL_KINDS = frozenset(
    {
        ValueKind.MONEY,
        ValueKind.DURATION,
        ValueKind.MASS,
        ValueKind.COUNT,
        ValueKind.NUMBER,
        ValueKind.MEASURE,
        ValueKind.PERCENT,
        ValueKind.DATE,
        ValueKind.TIME,
        ValueKind.BOOLEAN,
        ValueKind.ORDERED,
        ValueKind.ENUMERATION,
        ValueKind.TEXT,
    }
)
_DECLARABLE = LITERAL_KINDS | {ValueKind.LINK}
_SPELLINGS = {
    "yes_no": ValueKind.BOOLEAN,
    "yes/no": ValueKind.BOOLEAN,
    "yesno": ValueKind.BOOLEAN,
    "bool": ValueKind.BOOLEAN,
    "flag": ValueKind.BOOLEAN,
}
# Values written without a unit take the kind's own unit ("true" of a yes/no kind).
_KIND_UNITS = {ValueKind.BOOLEAN: "bool", ValueKind.DATE: "date", ValueKind.TIME: "time"}


@dataclass(frozen=True, slots=True)
class DeclaredKind:
    """A kind as a graph declares it; ``order`` holds an ordered kind's values, lowest
    first and casefolded."""

    kind: ValueKind
    order: tuple[str, ...] = ()


def read_kind(text: str) -> DeclaredKind | None:
    """The kind ``text`` declares, or None when it names none.

    >>> read_kind("yes_no")
    DeclaredKind(kind=<ValueKind.BOOLEAN: 'boolean'>, order=())
    >>> read_kind("Low < Medium < High").order
    ('low', 'medium', 'high')
    """
    folded = text.strip().casefold()
    if "<" in folded:
        order = tuple(dict.fromkeys(w.strip() for w in folded.split("<") if w.strip()))
        return DeclaredKind(ValueKind.ORDERED, order) if len(order) >= 2 else None
    if folded in _SPELLINGS:
        return DeclaredKind(_SPELLINGS[folded])
    if folded in {k.value for k in _DECLARABLE}:
        return DeclaredKind(ValueKind(folded))
    return None


def unit_of_kind(kind: ValueKind) -> str | None:
    """The unit a value of ``kind`` written without one takes, or None."""
    return _KIND_UNITS.get(kind)


def declarable_kinds() -> str:
    """The kinds a graph may declare, for error messages and docs."""
    return ", ".join(sorted(k.value for k in _DECLARABLE)) + ", or an order such as low<medium<high"
