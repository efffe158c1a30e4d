"""Writes graph.csv: a restaurant guide of 320 places, shaped like the restaurant services of a
public task-oriented dialogue corpus (predicates as that system exports them: ``price_range``,
``has_seating_outdoors``, ``serves_alcohol``, ``phone_number``, ``street_address``; booleans
as ``True``/``False``). Names, places and values are made up; the seed makes it repeatable.

    python bench/data/businesses/bay-eats/generate.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

FIRST = [
    "Golden",
    "Little",
    "Blue",
    "Casa",
    "Saffron",
    "Red",
    "Jade",
    "Olive",
    "Copper",
    "Lucky",
    "Silver",
    "Green",
    "Old",
    "Sunny",
    "Rustic",
    "Harbor",
    "Bamboo",
    "Velvet",
    "Iron",
    "Maple",
    "Coral",
    "Amber",
    "Pepper",
    "Lotus",
    "Cedar",
    "Crimson",
    "Wild",
    "Urban",
    "Twin",
    "Royal",
]
SECOND = [
    "Dragon",
    "Fig",
    "Basil",
    "Lantern",
    "Spoon",
    "Tandoor",
    "Taqueria",
    "Trattoria",
    "Noodle",
    "Grill",
    "Bistro",
    "Kitchen",
    "Garden",
    "Table",
    "Pho",
    "Sushi",
    "Curry House",
    "Cantina",
    "Oyster Bar",
    "Bakery",
    "Ramen",
    "Brasserie",
    "Dumpling House",
    "Smokehouse",
    "Tavern",
]
CUISINES = {
    "Trattoria": "Italian",
    "Taqueria": "Mexican",
    "Cantina": "Mexican",
    "Tandoor": "Indian",
    "Curry House": "Indian",
    "Pho": "Vietnamese",
    "Sushi": "Japanese",
    "Ramen": "Japanese",
    "Noodle": "Chinese",
    "Dumpling House": "Chinese",
    "Dragon": "Chinese",
    "Brasserie": "French",
    "Bistro": "French",
    "Smokehouse": "American",
    "Grill": "American",
    "Tavern": "American",
    "Oyster Bar": "Seafood",
    "Bakery": "Cafe",
    "Basil": "Thai",
    "Lantern": "Korean",
}
OTHER_CUISINES = ["Mediterranean", "Thai", "Korean", "Greek", "Vegetarian", "Italian"]
CITIES = ["San Jose", "Oakland", "Palo Alto", "Berkeley", "Sunnyvale", "Fremont", "San Mateo"]
STREETS = [
    "Castro Street",
    "Broadway",
    "University Avenue",
    "El Camino Real",
    "Telegraph Avenue",
    "Shattuck Avenue",
    "Santa Clara Street",
    "Grand Avenue",
    "Murphy Avenue",
    "Fremont Boulevard",
]
AREA = {
    "San Jose": "408",
    "Sunnyvale": "408",
    "Palo Alto": "650",
    "San Mateo": "650",
    "Oakland": "510",
    "Berkeley": "510",
    "Fremont": "510",
}
PRICES = ["inexpensive", "moderate", "expensive", "very expensive"]


def rows(seed: int = 2017) -> list[list[str]]:
    rng = random.Random(seed)
    names = [f"{a} {b}" for a in FIRST for b in SECOND]
    rng.shuffle(names)
    out = [["subject", "predicate", "object", "unit"]]
    for number, name in enumerate(names[:320], start=1):
        node = f"restaurant-{number:03d}"
        second = next(s for s in SECOND if name.endswith(s))
        cuisine = CUISINES.get(second) or rng.choice(OTHER_CUISINES)
        city = rng.choice(CITIES)
        out += [
            [node, "type", "Restaurant", ""],
            [node, "restaurant_name", name, ""],
            [node, "cuisine", cuisine, ""],
            [node, "city", city, ""],
            [node, "street_address", f"{rng.randint(10, 2999)} {rng.choice(STREETS)}", ""],
            [
                node,
                "phone_number",
                f"{AREA[city]}-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
                "",
            ],
            [node, "price_range", rng.choices(PRICES, weights=[4, 5, 3, 1])[0], ""],
            [node, "rating", f"{rng.randint(30, 50) / 10:.1f}", ""],
            [node, "serves_alcohol", str(rng.random() < 0.6), ""],
            [node, "has_live_music", str(rng.random() < 0.2), ""],
            [node, "has_seating_outdoors", str(rng.random() < 0.45), ""],
            [node, "has_vegetarian_options", str(rng.random() < 0.7), ""],
            [node, "opens_at", rng.choice(["07:00", "11:00", "11:30", "17:00"]), ""],
        ]
    return out


def main() -> None:
    path = Path(__file__).with_name("graph.csv")
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows())


if __name__ == "__main__":
    main()
