"""Stop sequences across token boundaries."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from model_runtime.stopping import StopMatcher


def run(pieces: list[str], stops: list[str]) -> tuple[str, bool]:
    matcher = StopMatcher(stops)
    out = "".join(matcher.feed(p) for p in pieces)
    return out + matcher.flush(), matcher.stopped


def test_a_stop_split_over_pieces_is_found_and_not_shown() -> None:
    assert run(["Hello", " wor", "ld\nUs", "er: hi"], ["\nUser:"]) == ("Hello world", True)


def test_a_partial_match_is_released_when_it_turns_out_not_to_be_a_stop() -> None:
    matcher = StopMatcher(["END"])
    assert matcher.feed("the E") == "the "
    assert matcher.feed("ND") == ""
    assert matcher.stopped
    matcher = StopMatcher(["END"])
    assert matcher.feed("the E") == "the "
    assert matcher.feed("ast") == "East"


def test_the_earliest_of_several_stops_wins() -> None:
    assert run(["a b. c\n\nd"], ["\n\n", "."]) == ("a b", True)


def test_without_a_stop_everything_comes_out() -> None:
    assert run(["abc", "de"], ["xyz"]) == ("abcde", False)


@given(text=st.text(alphabet="ab\n:", max_size=40), cut=st.lists(st.integers(0, 40), max_size=6))
def test_pieces_never_change_the_result(text: str, cut: list[int]) -> None:
    bounds = sorted({0, len(text), *(c for c in cut if c <= len(text))})
    pieces = [text[a:b] for a, b in itertools.pairwise(bounds)]
    stop = "a\n:"
    expected = text.split(stop)[0]
    assert run(pieces, [stop]) == (expected, stop in text)
