"""The editor's checks that keep edited values typed: a price is money, a warranty a
duration, a caffeine level one of its order's values.

What each predicate takes is decided in one place, ``knowledge_graph.schema``; this
module only holds an edited fact up against it and says, in words, what would fit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from decimal import Decimal

from app.admin.exceptions import Problem
from knowledge_graph import Fact, UnitError, detect_language, parse_literal
from knowledge_graph.kinds import LITERAL_KINDS, ValueKind, declarable_kinds, read_kind
from knowledge_graph.model import ALIAS, ATTRIBUTE_TYPE, KIND, LANGUAGE_TAGGED, NAME, TYPE
from knowledge_graph.schema import UNIT, GraphSchema, PredicateSchema, schema_for_new
from knowledge_graph.values import Dimension, canonical_unit, count_family, unit_info

_NUMBER = r"\d+(?:\.\d+)?"
_PLAIN_NUMBER = re.compile(rf"^{_NUMBER}$")
_NUMBER_OR_RANGE = re.compile(rf"^({_NUMBER})(?:\s*[-–~]\s*({_NUMBER}))?$")
_ISO_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_PREDICATE = re.compile(r"^[\w:.\-]{1,255}$")
_TYPE_NAME = re.compile(r"^\w{1,100}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
MAX_TEXT = 2000

TargetTypes = Callable[[str], tuple[str, ...] | None]


def check_fact(
    schema: GraphSchema,
    fact: Fact,
    *,
    subject_types: Collection[str],
    target_types: TargetTypes,
) -> Fact | Problem:
    """The fact in normal form (unit spelling, money with two decimals, ``true``/``false``),
    or the ``Problem`` that refuses it, naming the node and the predicate.

    ``subject_types``: the types the fact's node will have; ``target_types(node)``: the
    types of a node in the edited graph, None when there is no such node.
    """
    node, predicate = fact.subject, fact.predicate.strip()
    obj = fact.object.strip()

    def problem(message: str) -> Problem:
        return Problem(node, predicate or "(empty)", message)

    if not _PREDICATE.match(predicate):
        return problem("a predicate is one word of letters, digits, _ : . or - (no spaces)")
    if not obj:
        return problem("the value is empty")
    if len(obj) > MAX_TEXT:
        return problem(f"the value is longer than {MAX_TEXT} characters")
    if predicate == TYPE:
        if fact.edge or not _TYPE_NAME.match(obj):
            return problem("a type is one word such as Product")
        return Fact(node, TYPE, obj)
    if predicate in LANGUAGE_TAGGED and (
        predicate in (NAME, ALIAS) or ATTRIBUTE_TYPE in subject_types
    ):
        lang = fact.unit.strip() or detect_language(obj)
        if fact.edge or not _LANGUAGE.match(lang):
            return problem(f"{lang!r} is not a language tag such as en or zh")
        return Fact(node, predicate, obj, lang)
    if ATTRIBUTE_TYPE in subject_types:
        return _check_attribute_word(fact, predicate, obj, problem)

    known = schema.get(predicate)
    if fact.edge or (known is not None and known.kind is ValueKind.LINK):
        return _check_link(fact, predicate, obj, known, target_types, problem)
    described = known or schema_for_new(predicate, fact.unit)
    return _check_literal(fact, predicate, obj, described, problem)


def _check_attribute_word(
    fact: Fact, predicate: str, obj: str, problem: Callable[[str], Problem]
) -> Fact | Problem:
    if fact.edge:
        return problem("facts of an Attribute node are words, not links")
    if predicate == KIND and read_kind(obj) is None:
        return problem(f"{obj!r} is not a kind; use one of {declarable_kinds()}")
    if predicate == UNIT:
        if unit_info(obj).dimension is Dimension.TEXT:
            return problem(f"{obj!r} is not a unit")
        return Fact(fact.subject, UNIT, canonical_unit(obj))
    return Fact(fact.subject, predicate, obj, fact.unit.strip())


def _check_link(
    fact: Fact,
    predicate: str,
    obj: str,
    known: PredicateSchema | None,
    target_types: TargetTypes,
    problem: Callable[[str], Problem],
) -> Fact | Problem:
    if known is not None and known.kind in LITERAL_KINDS:
        return problem(f"takes a {known.kind.value} value, not a link to a node")
    found = target_types(obj)
    wanted = known.target_types if known is not None else ()
    if found is None:
        if not fact.edge and wanted:
            return problem(f"links to a {' or '.join(wanted)} node; {obj!r} is none (pick a node)")
        return problem(f"no node {obj!r} to link to")
    if wanted and not set(found) & set(wanted):
        shown = " or ".join(found) or "node without a type"
        return problem(f"links to a {' or '.join(wanted)} node; {obj!r} is a {shown}")
    return Fact(fact.subject, predicate, obj, "", True)


def _check_literal(
    fact: Fact,
    predicate: str,
    obj: str,
    described: PredicateSchema,
    problem: Callable[[str], Problem],
) -> Fact | Problem:
    kind = described.kind
    unit = canonical_unit(fact.unit)
    if kind is ValueKind.ANY:
        try:
            parse_literal(obj, unit)
        except UnitError as error:
            return problem(str(error))
        return Fact(fact.subject, predicate, obj, unit)
    if kind in (ValueKind.TEXT, ValueKind.ENUMERATION, ValueKind.ORDERED):
        if unit:
            return problem(f"is {kind.value}; leave the unit empty (not {fact.unit!r})")
        if kind is ValueKind.ORDERED and obj.casefold() not in described.order:
            return problem(f"is one of {', '.join(described.order)} (lowest first), not {obj!r}")
        return Fact(fact.subject, predicate, obj, "")
    if kind is ValueKind.NUMBER:
        if unit and unit_info(unit).dimension is not Dimension.COUNT:
            return problem(f"is a plain number; leave the unit empty (not {fact.unit!r})")
    elif kind is ValueKind.COUNT:
        families = {count_family(u) for u in described.units}
        if not unit or unit_info(unit).dimension is not Dimension.COUNT:
            return problem(
                f"is a count; give the counted noun as the unit ({_one_of(described.units)})"
            )
        if families and count_family(unit) not in families:
            return problem(f"counts {_one_of(described.units)}, not {fact.unit!r}")
    elif unit not in described.units:
        return problem(
            f"is {_KIND_PHRASE[kind]}; the unit must be {_one_of(described.units)}"
            + (f", not {fact.unit!r}" if fact.unit else "")
        )
    try:
        normal = _normal_quantity(kind, obj)
    except _Refused as refused:
        return problem(str(refused))
    return Fact(fact.subject, predicate, normal, unit)


class _Refused(ValueError):
    """A value that does not fit its kind; the message says what would."""


_KIND_PHRASE = {
    ValueKind.MONEY: "money",
    ValueKind.DURATION: "a duration",
    ValueKind.MASS: "a mass",
    ValueKind.COUNT: "a count",
    ValueKind.NUMBER: "a number",
    ValueKind.MEASURE: "a measurement",
    ValueKind.PERCENT: "a percentage",
    ValueKind.DATE: "a date",
    ValueKind.TIME: "a time of day",
    ValueKind.BOOLEAN: "a flag",
}


def _normal_quantity(kind: ValueKind, obj: str) -> str:
    """The value in normal form; raises ``_Refused`` when it does not fit ``kind``."""
    if kind is ValueKind.BOOLEAN:
        folded = obj.casefold()
        if folded not in ("true", "false"):
            raise _Refused("must be true or false")
        return folded
    if kind is ValueKind.DATE:
        if not _ISO_DATE.match(obj):
            raise _Refused("must be an ISO date: YYYY-MM-DD, YYYY-MM or YYYY")
        try:
            parse_literal(obj, "date")
        except UnitError:
            raise _Refused(f"{obj!r} is not a real date") from None
        return obj
    if kind is ValueKind.TIME:
        try:
            parse_literal(obj, "time")
        except UnitError:
            raise _Refused(
                "must be a time of day like 14:00 UTC+8 or a range like 09:00-18:00 UTC+8"
            ) from None
        return obj
    if kind is ValueKind.MONEY:
        if not _PLAIN_NUMBER.match(obj):
            raise _Refused("must be a non-negative amount like 129.00")
        amount = Decimal(obj)
        if amount != amount.quantize(Decimal("0.01")):
            raise _Refused("use at most two decimals")
        return str(amount.quantize(Decimal("0.01")))
    if kind is ValueKind.PERCENT:
        if not _PLAIN_NUMBER.match(obj) or Decimal(obj) > 100:
            raise _Refused("must be a percentage between 0 and 100")
        return obj
    if kind is ValueKind.MASS:
        if not _PLAIN_NUMBER.match(obj) or Decimal(obj) == 0:
            raise _Refused("must be a positive number like 250")
        return obj
    ranged = _NUMBER_OR_RANGE.match(obj)
    if ranged is None:
        raise _Refused("must be a non-negative number like 24, or a range like 5-7")
    low, high = ranged.group(1), ranged.group(2)
    if kind is ValueKind.COUNT and ("." in low or (high is not None and "." in high)):
        raise _Refused("must be a whole number")
    if high is None:
        return low
    if Decimal(low) > Decimal(high):
        raise _Refused("the range's bounds are the wrong way round")
    return f"{low}-{high}"


def _one_of(units: tuple[str, ...]) -> str:
    shown = [u or "(none)" for u in units]
    if not shown:
        return "a noun such as items"
    return shown[0] if len(shown) == 1 else "one of " + ", ".join(shown)
