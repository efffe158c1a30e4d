"""A large synthetic catalogue (default 100,000 facts) for checking-latency benchmarks.

``python bench/data/factcheck/synthetic.py OUT.csv [--facts N] [--seed S]`` writes CSV
triples; ``synthetic_facts(n, seed)`` returns the facts. Product names are invented from
syllables plus a model code, so linking has to work on many similar names.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from knowledge_graph import Fact
from knowledge_graph.csv_triples import dump_facts

SYLLABLES = [
    "zor",
    "vex",
    "lum",
    "tra",
    "kin",
    "pol",
    "mar",
    "dex",
    "quo",
    "rin",
    "sol",
    "tep",
    "bal",
    "nur",
    "fen",
    "gal",
    "hax",
    "jov",
    "kel",
    "myr",
]
KINDS = [
    ("Headphones", "耳机"),
    ("Speaker", "音箱"),
    ("Laptop", "笔记本电脑"),
    ("Watch", "手表"),
    ("Camera", "相机"),
    ("Charger", "充电器"),
    ("Tablet", "平板"),
    ("Router", "路由器"),
]
COLORS = [
    ("black", "黑色"),
    ("white", "白色"),
    ("silver", "银色"),
    ("grey", "灰色"),
    ("blue", "蓝色"),
    ("red", "红色"),
    ("green", "绿色"),
    ("orange", "橙色"),
    ("pink", "粉色"),
    ("gold", "金色"),
]

ATTRIBUTES = """price,type,Attribute,
price,name,price,en
price,alias,costs,en
price,alias,价格,zh
price,less,cheaper,en
price,more,more expensive,en
price,phrase,{subject} costs {value}.,en
price,phrase,{subject}的价格是{value}。,zh
color,type,Attribute,
color,name,color,en
color,alias,comes in,en
color,phrase,{subject} comes in {value}.,en
color,phrase,{subject}有{value}可选。,zh
warranty,type,Attribute,
warranty,name,warranty,en
warranty,alias,保修期,zh
warranty,phrase,{subject} has a warranty of {value}.,en
warranty,phrase,{subject}的保修期为{value}。,zh
weight,type,Attribute,
weight,name,weight,en
weight,alias,weighs,en
weight,less,lighter,en
weight,more,heavier,en
weight,phrase,{subject} weighs {value}.,en
weight,phrase,{subject}的重量为{value}。,zh
battery_life,type,Attribute,
battery_life,name,battery life,en
battery_life,alias,battery,en
battery_life,phrase,{subject} has a battery life of {value}.,en
battery_life,phrase,{subject}的续航时间为{value}。,zh
released,type,Attribute,
released,name,release year,en
released,alias,released,en
released,phrase,{subject} was released in {value}.,en
released,phrase,{subject}于{value}发布。,zh
"""


def _attribute_facts() -> list[Fact]:
    facts = []
    for line in ATTRIBUTES.strip().splitlines():
        head, unit = line.rsplit(",", 1)
        subject, predicate, obj = head.split(",", 2)
        facts.append(Fact(subject, predicate, obj, unit))
    return facts


def synthetic_facts(n_facts: int = 100_000, seed: int = 0) -> list[Fact]:
    """About ``n_facts`` facts: products with names, prices, colors, warranties, ..."""
    rng = random.Random(seed)
    facts = _attribute_facts()
    for name, zh in COLORS:
        node = f"color:{name}"
        facts += [
            Fact(node, "type", "Color"),
            Fact(node, "name", name, "en"),
            Fact(node, "alias", zh, "zh"),
        ]
    for name, zh in KINDS:
        node = f"cat:{name.lower()}"
        facts += [
            Fact(node, "type", "Category"),
            Fact(node, "name", name.lower(), "en"),
            Fact(node, "alias", zh, "zh"),
        ]
    used: set[str] = set()
    number = 0
    while len(facts) < n_facts:
        number += 1
        kind, kind_zh = rng.choice(KINDS)
        while True:
            brand = (rng.choice(SYLLABLES) + rng.choice(SYLLABLES)).capitalize()
            code = f"{rng.choice('ABCDEFGHKMNPRSTVXZ')}{rng.randint(1, 99)}"
            name = f"{brand} {code} {kind}"
            if name not in used:
                used.add(name)
                break
        node = f"S-{number:06d}"
        facts += [
            Fact(node, "type", "Product"),
            Fact(node, "name", name, "en"),
            Fact(node, "alias", f"{brand} {code} {kind_zh}", "zh"),
            Fact(node, "category", f"cat:{kind.lower()}", "", True),
            Fact(node, "price", f"{rng.randint(9, 2999)}.{rng.choice(['00', '49', '99'])}", "USD"),
        ]
        for color, _ in rng.sample(COLORS, rng.randint(1, 3)):
            facts.append(Fact(node, "color", f"color:{color}", "", True))
        facts += [
            Fact(node, "warranty", str(rng.choice([6, 12, 18, 24, 36])), "months"),
            Fact(node, "weight", str(rng.randint(5, 3000)), "g"),
            Fact(node, "released", str(rng.randint(2018, 2026)), "date"),
        ]
        if rng.random() < 0.7:
            facts.append(Fact(node, "battery_life", str(rng.randint(2, 300)), "hours"))
    return facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.write_text(dump_facts(synthetic_facts(args.facts, args.seed)), encoding="utf-8")


if __name__ == "__main__":
    main()
