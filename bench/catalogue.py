"""A large catalogue business for latency: ``python -m bench.catalogue [--items 600] DIR``
writes ``DIR/graph.csv`` and ``DIR/conversations.json`` (the format of
``bench/data/businesses``): a city's restaurants with attributes named as booking sites
export them (``pricerange``, ``area``, ``food``, ``phone``, ``postcode``,
``has_outdoor_seating``, ``stars``), and questions about named restaurants, follow-ups
and sets. Deterministic (seeded), so runs compare; ``bench.answers --business DIR`` plays
it. The figures it yields are about speed on a big graph, not about understanding: the
questions are templated.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from pathlib import Path

AREAS = ("centre", "north", "south", "east", "west")
FOODS = ("italian", "chinese", "indian", "british", "french", "thai", "european", "seafood")
PRICES = ("cheap", "moderate", "expensive")
FIRST = [
    "Golden",
    "Royal",
    "Lucky",
    "Green",
    "Blue",
    "Red",
    "Old",
    "New",
    "Little",
    "Grand",
    "Happy",
    "Silver",
    "River",
    "Garden",
    "Market",
    "Jade",
    "Copper",
    "Olive",
    "Maple",
    "Cedar",
    "Harbour",
    "Lantern",
    "Saffron",
    "Pepper",
    "Ginger",
    "Lotus",
    "Willow",
]
SECOND = [
    "House",
    "Kitchen",
    "Table",
    "Bistro",
    "Grill",
    "Palace",
    "Corner",
    "Dragon",
    "Star",
    "Oak",
    "Bell",
    "Room",
    "Yard",
]
STREETS = ("Regent Street", "Mill Road", "Hills Road", "King Street", "Bridge Street")


def write(folder: Path, items: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    rows = [("subject", "predicate", "object", "unit")]
    facts: dict[str, dict[str, str]] = {}
    pairs = [(a, b) for a in FIRST for b in SECOND]
    rng.shuffle(pairs)
    for number in range(1, items + 1):
        first, second = pairs[(number - 1) % len(pairs)]
        name = f"{first} {second}" + ("" if number <= len(pairs) else f" {number}")
        node = f"rest-{number}"
        values = {
            "area": rng.choice(AREAS),
            "food": rng.choice(FOODS),
            "pricerange": rng.choice(PRICES),
            "phone": f"01223 {rng.randint(100000, 999999)}",
            "postcode": f"CB{rng.randint(1, 5)} {rng.randint(1, 9)}{rng.choice('ABDEF')}{rng.choice('JLNPQ')}",
            "address": f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
            "has_outdoor_seating": rng.choice(("yes", "no")),
            "stars": str(rng.randint(1, 5)),
        }
        rows += [(node, "type", "Restaurant", ""), (node, "name", name, "")]
        rows += [(node, p, v, "") for p, v in values.items()]
        names.append(name)
        facts[name] = values
    with (folder / "graph.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    conversations = []
    for name in rng.sample(names, 20):
        values = facts[name]
        conversations.append(
            [
                {"say": f"What is the phone number of {name}?", "expect": [values["phone"]]},
                {"say": "what area is it in?", "expect": [values["area"]]},
            ]
        )
        conversations.append(
            [{"say": f"What's the postcode for {name}?", "expect": [values["postcode"]]}]
        )
    (folder / "conversations.json").write_text(
        json.dumps(
            {
                "about": f"{items} restaurants, templated questions (bench.catalogue, seed {seed})",
                "conversations": conversations,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--items", type=int, default=600)
    args = parser.parse_args()
    write(args.folder, args.items)
    print(f"wrote {args.items} restaurants to {args.folder}")


if __name__ == "__main__":
    main()
