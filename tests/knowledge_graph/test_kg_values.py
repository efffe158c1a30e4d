from __future__ import annotations

from decimal import Decimal

import pytest

from knowledge_graph import Qualifier, Quantity, UnitError, parse_literal, same_value
from knowledge_graph.numerals import parse_number
from knowledge_graph.quantities import find_quantities
from knowledge_graph.values import Flag, Text, convert, value_matches


def stated(text: str) -> Quantity:
    found = find_quantities(text, [("国家", "countries"), ("countries", "countries")])
    assert len(found) == 1, (text, found)
    return found[0].quantity


@pytest.mark.parametrize(
    "text",
    [
        "24 months",
        "2 years",
        "两年",
        "24个月",
        "二十四个月",
        "a warranty of twenty-four months",
        "2 yrs",
    ],
)
def test_two_years_in_every_spelling(text: str) -> None:
    assert same_value(parse_literal("24", "months"), stated(text))


@pytest.mark.parametrize(
    "text", ["$129", "129 USD", "129美元", "129.00 dollars", "US$129.00", "129 美金"]
)
def test_money_in_every_spelling(text: str) -> None:
    assert same_value(parse_literal("129.00", "USD"), stated(text))


@pytest.mark.parametrize("text", ["$130", "129元", "129 days", "12 months"])
def test_different_amounts_or_units_differ(text: str) -> None:
    assert not same_value(parse_literal("129.00", "USD"), stated(text))


def test_days_and_months_never_equal() -> None:
    assert not same_value(parse_literal("30", "days"), stated("1 month"))
    assert same_value(parse_literal("30", "days"), stated("30天"))
    assert same_value(parse_literal("1", "days"), stated("24 hours"))


def test_ranges_and_bounds() -> None:
    refund = parse_literal("5-7", "business days")
    assert same_value(refund, stated("5–7 business days"))
    assert same_value(refund, stated("5 to 7 working days"))
    assert same_value(refund, stated("5至7个工作日"))
    assert not same_value(refund, stated("5-7 days"))
    assert not same_value(refund, stated("5 business days"))
    within = find_quantities("within 7 business days")[0]
    assert within.qualifier is Qualifier.AT_MOST
    assert value_matches(refund, within.quantity, within.qualifier)
    assert not value_matches(refund, stated("10 business days"), Qualifier.AT_MOST)


def test_mass_percent_count_time_date() -> None:
    assert same_value(parse_literal("1350", "g"), stated("1.35 kg"))
    assert same_value(parse_literal("1350", "g"), stated("1350克"))
    assert same_value(parse_literal("10", "%"), stated("10 percent"))
    assert same_value(parse_literal("15", "%"), stated("百分之十五"))
    assert same_value(parse_literal("18", "countries"), stated("18个国家"))
    assert same_value(parse_literal("14:00 UTC+8", "time"), stated("2 pm (UTC+8)"))
    assert same_value(parse_literal("14:00 UTC+8", "time"), stated("下午两点"))
    assert same_value(parse_literal("09:00-18:00 UTC+8", "time"), stated("9am to 6pm"))
    assert same_value(parse_literal("2026-12-15", "date"), stated("December 15, 2026"))
    assert same_value(parse_literal("2026-12-15", "date"), stated("2026年12月15日"))
    # A less precise date that contains the fact is entailed; a different one is not.
    assert same_value(parse_literal("2026-12-15", "date"), stated("December 2026"))
    assert not same_value(parse_literal("2026-12-15", "date"), stated("2026-12-16"))


def test_elapsed_time_is_marked() -> None:
    assert find_quantities("delivered 10 days ago")[0].elapsed
    assert find_quantities("我10天前收到的")[0].elapsed
    assert not find_quantities("within 10 days")[0].elapsed


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("二十四", 24),
        ("十五", 15),
        ("两", 2),
        ("一千零九十九", 1099),
        ("1,099.00", Decimal("1099.00")),
        ("twenty-four", 24),
        ("十", 10),
        ("二〇二五", 2025),
    ],
)
def test_numerals(text: str, value: Decimal) -> None:
    assert parse_number(text) == value


def test_literals_and_errors() -> None:
    assert parse_literal("true", "bool") == Flag(True)
    assert parse_literal("space grey", "") == Text("space grey")
    assert convert(parse_literal("24", "months"), "years") == Quantity(
        Decimal(2), Decimal(2), "years"
    )  # type: ignore[arg-type]
    with pytest.raises(UnitError):
        parse_literal("abc", "USD")
    with pytest.raises(UnitError):
        parse_literal("7-5", "days")
    with pytest.raises(UnitError):
        parse_literal("maybe", "bool")
