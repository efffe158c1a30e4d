"""Writes graph.csv: a city-living guide of 80 apartments to rent, 40 dentists and 90
events in five cities, shaped like the homes, dentist and events services of a public
task-oriented dialogue corpus (predicates as that system exports them: ``property_name``,
``number_of_beds``, ``number_of_baths``, ``rent``, ``furnished``, ``pets_allowed``,
``dentist_name``, ``offers_cosmetic_services``, ``event_name``, ``event_type``,
``category``, ``date``, ``time``, ``venue``, ``venue_address``, ``price_per_ticket``;
booleans as ``True``/``False``). Names, places and values are made up; the seed makes it
repeatable.

    python bench/data/businesses/metro-living/generate.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

CITIES = ["Sacramento", "Fresno", "San Mateo", "Santa Rosa", "Walnut Creek"]
AREA = {
    "Sacramento": "916",
    "Fresno": "559",
    "San Mateo": "650",
    "Santa Rosa": "707",
    "Walnut Creek": "925",
}
STREETS = [
    "Oak Street",
    "J Street",
    "Blackstone Avenue",
    "El Camino Real",
    "Mendocino Avenue",
    "Ygnacio Valley Road",
    "Fulton Avenue",
    "Shaw Avenue",
]
PROPERTY_A = [
    "Willow",
    "Sierra",
    "Parkside",
    "Oakmont",
    "Vista",
    "Redwood",
    "Harbor",
    "Creekside",
    "Meadow",
    "Summit",
    "Orchard",
    "Lakeview",
]
PROPERTY_B = ["Apartments", "Gardens", "Terrace", "Commons", "Place", "Court", "Village", "Lofts"]
DENTIST_FIRST = ["Anna", "Brian", "Carmen", "David", "Elena", "Farid", "Grace", "Hiro"]
DENTIST_LAST = ["Lee", "Patel", "Nguyen", "Garcia", "Kim", "Okafor", "Rossi", "Chen", "Haddad"]
EVENTS = {
    ("Music", "Pop"): ["Summer Pop Night", "Neon Hearts Tour", "Velvet Echo Live", "Pop Picnic"],
    ("Music", "Rock"): ["Iron Coast Live", "Stone Rivers Tour", "Thunder Alley", "Rock the Valley"],
    ("Music", "Jazz"): ["Blue Note Evening", "Jazz on the Green", "Midnight Brass"],
    ("Sports", "Baseball"): ["River Cats vs Aces", "Grizzlies vs Bees", "Valley Nine Classic"],
    ("Sports", "Soccer"): ["Republic FC Derby", "Coastal Cup Final", "Valley Soccer Showcase"],
}
VENUES = {
    "Sacramento": ["Golden 1 Center", "Sutter Health Park", "Crest Theatre"],
    "Fresno": ["Save Mart Center", "Chukchansi Park", "Warnors Theatre"],
    "San Mateo": ["San Mateo Event Center", "Central Park Bandshell"],
    "Santa Rosa": ["Luther Burbank Center", "Railroad Square Stage"],
    "Walnut Creek": ["Lesher Center", "Heather Farm Park"],
}


def main() -> None:
    rng = random.Random(11)
    rows: list[tuple[str, str, str, str]] = []
    names: set[str] = set()

    def unique(make: object) -> str:
        while True:
            name = make()  # type: ignore[operator]
            if name not in names:
                names.add(name)
                return str(name)

    def phone(city: str) -> str:
        return f"{AREA[city]}-{rng.randint(200, 989)}-{rng.randint(1000, 9999)}"

    def address() -> str:
        return f"{rng.randint(100, 4999)} {rng.choice(STREETS)}"

    for i in range(1, 81):
        node = f"property-{i:03d}"
        city = rng.choice(CITIES)
        beds = rng.choice([1, 1, 2, 2, 2, 3, 3, 4])
        baths = min(beds, rng.choice([1, 1, 2, 2, 3]))
        rent = 900 + beds * 550 + rng.randint(0, 12) * 50
        name = unique(lambda: f"{rng.choice(PROPERTY_A)} {rng.choice(PROPERTY_B)}")
        rows += [
            (node, "type", "Property", ""),
            (node, "property_name", name, ""),
            (node, "area", city, ""),
            (node, "address", address(), ""),
            (node, "phone_number", phone(city), ""),
            (node, "number_of_beds", str(beds), ""),
            (node, "number_of_baths", str(baths), ""),
            (node, "rent", str(rent), "USD"),
            (node, "furnished", str(rng.random() < 0.3), ""),
            (node, "pets_allowed", str(rng.random() < 0.5), ""),
        ]
    for i in range(1, 41):
        node = f"dentist-{i:03d}"
        city = rng.choice(CITIES)
        name = unique(lambda: f"Dr. {rng.choice(DENTIST_FIRST)} {rng.choice(DENTIST_LAST)}")
        rows += [
            (node, "type", "Dentist", ""),
            (node, "dentist_name", name, ""),
            (node, "city", city, ""),
            (node, "address", address(), ""),
            (node, "phone_number", phone(city), ""),
            (node, "offers_cosmetic_services", str(rng.random() < 0.5), ""),
        ]
    # Every show name in every city once, in a random order.
    shows = [
        (kind, show, city) for kind, titles in EVENTS.items() for show in titles for city in CITIES
    ]
    rng.shuffle(shows)
    for i, ((event_type, category), show, city) in enumerate(shows[:90], start=1):
        node = f"event-{i:03d}"
        name = f"{show} {city}"  # each show and city once
        names.add(name)
        day = rng.randint(1, 28)
        hour = rng.choice([13, 17, 18, 19, 19, 20])
        rows += [
            (node, "type", "Event", ""),
            (node, "event_name", name, ""),
            (node, "event_type", event_type, ""),
            (node, "category", category, ""),
            (node, "city", city, ""),
            (node, "date", f"2027-03-{day:02d}", ""),
            (node, "time", f"{hour}:{rng.choice(['00', '30'])}", ""),
            (node, "venue", rng.choice(VENUES[city]), ""),
            (node, "venue_address", address(), ""),
            (node, "price_per_ticket", str(rng.choice([25, 35, 45, 60, 75, 90, 120])), "USD"),
        ]
    out = Path(__file__).with_name("graph.csv")
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subject", "predicate", "object", "unit"])
        writer.writerows(rows)


if __name__ == "__main__":
    main()
