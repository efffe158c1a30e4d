"""Writes graph.csv: a travel guide of 150 hotels, 60 hair salons and 80 attractions in six
cities, shaped like the hotel, salon and travel services of a public task-oriented dialogue
corpus (predicates as that system exports them: ``hotel_name``, ``star_rating``,
``price_per_night``, ``pets_welcome``, ``stylist_name``, ``is_unisex``, ``attraction_name``,
``free_entry``, ``good_for_kids``; booleans as ``True``/``False``). Names, places and
values are made up; the seed makes it repeatable.

    python bench/data/businesses/city-stays/generate.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

CITIES = ["Seattle", "Portland", "San Diego", "Denver", "Austin", "Chicago"]
AREA = {
    "Seattle": "206",
    "Portland": "503",
    "San Diego": "619",
    "Denver": "303",
    "Austin": "512",
    "Chicago": "312",
}
STREETS = [
    "Pine Street",
    "Market Street",
    "Congress Avenue",
    "Lake Shore Drive",
    "Harbor Drive",
    "Colfax Avenue",
    "Burnside Street",
    "Michigan Avenue",
]
HOTEL_A = [
    "Grand",
    "Harbor",
    "Summit",
    "Parkview",
    "Riverside",
    "Lakeside",
    "Union",
    "Cedar",
    "Majestic",
    "Pioneer",
    "Aurora",
    "Beacon",
    "Crescent",
    "Monarch",
    "Sterling",
]
HOTEL_B = [
    "Hotel",
    "Inn",
    "Suites",
    "Lodge",
    "Plaza Hotel",
    "Boutique Hotel",
    "Resort",
    "Hostel",
    "Motor Inn",
    "House",
]
SALON_A = ["Shear", "Mane", "Blush", "Velvet", "Luxe", "Crown", "Studio", "Bliss", "Glow", "Fringe"]
SALON_B = ["Salon", "Hair Studio", "Barbers", "Hair Lounge", "Beauty Bar", "Cuts"]
ATTRACTIONS = [
    ("Museum of Flight", "Museum"),
    ("City Art Museum", "Museum"),
    ("Natural History Museum", "Museum"),
    ("Children's Museum", "Museum"),
    ("Botanical Garden", "Park"),
    ("Riverfront Park", "Park"),
    ("Japanese Garden", "Park"),
    ("Old Mission Church", "Place of Worship"),
    ("Cathedral of Saint Mary", "Place of Worship"),
    ("Harbor Lighthouse", "Historical Landmark"),
    ("Old Town Square", "Historical Landmark"),
    ("Fort Hill", "Historical Landmark"),
    ("Zoo and Aquarium", "Tourist Attraction"),
    ("Space Needle Tower", "Tourist Attraction"),
    ("Sky Observation Deck", "Tourist Attraction"),
    ("Wild Waves Theme Park", "Theme Park"),
    ("Adventure Land", "Theme Park"),
    ("Central Market Hall", "Shopping Area"),
    ("Fashion Outlets", "Shopping Area"),
    ("Symphony Hall", "Performing Arts Venue"),
    ("Paramount Theatre", "Performing Arts Venue"),
    ("Memorial Stadium", "Sports Venue"),
    ("Lakeside Nature Preserve", "Nature Preserve"),
    ("Canyon Trail Preserve", "Nature Preserve"),
]


def phone(rng: random.Random, city: str) -> str:
    return f"{AREA[city]}-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}"


def address(rng: random.Random) -> str:
    return f"{rng.randint(10, 2999)} {rng.choice(STREETS)}"


def rows(seed: int = 2019) -> list[list[str]]:
    rng = random.Random(seed)
    out = [["subject", "predicate", "object", "unit"]]
    hotels = [f"{a} {b}" for a in HOTEL_A for b in HOTEL_B]
    rng.shuffle(hotels)
    for number, name in enumerate(hotels[:150], start=1):
        node, city = f"hotel-{number:03d}", rng.choice(CITIES)
        stars = rng.choices([1, 2, 3, 4, 5], weights=[1, 3, 5, 4, 2])[0]
        price = rng.randint(40, 90) + stars * rng.randint(25, 60)
        out += [
            [node, "type", "Hotel", ""],
            [node, "hotel_name", f"{name} {city}" if rng.random() < 0.3 else name, ""],
            [node, "location", city, ""],
            [node, "street_address", address(rng), ""],
            [node, "phone_number", phone(rng, city), ""],
            [node, "star_rating", str(stars), ""],
            [node, "price_per_night", str(price), "USD"],
            [node, "average_rating", f"{rng.randint(30, 50) / 10:.1f}", ""],
            [node, "has_wifi", str(rng.random() < 0.85), ""],
            [node, "pets_welcome", str(rng.random() < 0.35), ""],
            [node, "smoking_allowed", str(rng.random() < 0.15), ""],
            [node, "has_laundry_service", str(rng.random() < 0.5), ""],
        ]
    salons = [f"{a} {b}" for a in SALON_A for b in SALON_B]
    rng.shuffle(salons)
    for number, name in enumerate(salons[:60], start=1):
        node, city = f"salon-{number:03d}", rng.choice(CITIES)
        out += [
            [node, "type", "Salon", ""],
            [node, "stylist_name", name, ""],
            [node, "city", city, ""],
            [node, "street_address", address(rng), ""],
            [node, "phone_number", phone(rng, city), ""],
            [node, "average_rating", f"{rng.randint(30, 50) / 10:.1f}", ""],
            [node, "is_unisex", str(rng.random() < 0.6), ""],
        ]
    number = 0
    for city in CITIES:
        picked = rng.sample(ATTRACTIONS, 13 if city != "Chicago" else 15)
        for name, category in picked:
            number += 1
            node = f"attraction-{number:03d}"
            free = category in ("Park", "Place of Worship", "Historical Landmark") or (
                rng.random() < 0.2
            )
            out += [
                [node, "type", "Attraction", ""],
                [node, "attraction_name", f"{city} {name}", ""],
                [node, "location", city, ""],
                [node, "category", category, ""],
                [node, "phone_number", phone(rng, city), ""],
                [node, "free_entry", str(free), ""],
                [node, "good_for_kids", str(rng.random() < 0.6), ""],
            ]
    return out


def main() -> None:
    path = Path(__file__).with_name("graph.csv")
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows())


if __name__ == "__main__":
    main()
