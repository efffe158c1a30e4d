"""Regenerate products.csv (the product part of the demo graph) from ../store/products.csv.

Run ``python -m assistants.acme.knowledge.build`` after editing the catalogue; a test
checks that products.csv equals this script's output. Colors, categories and stock
statuses must exist in catalogue.csv: an unknown one stops the build.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
STORE_PRODUCTS = HERE.parent / "store" / "products.csv"
CATALOGUE = HERE / "catalogue.csv"
OUTPUT = HERE / "products.csv"
HEADER = ("subject", "predicate", "object", "unit")


def node_id(kind: str, value: str) -> str:
    return f"{kind}:{value.strip().replace(' ', '_')}"


def product_rows(products_csv: str, known_nodes: set[str]) -> list[tuple[str, str, str, str]]:
    """The triples of every product in the store's products.csv text."""
    rows: list[tuple[str, str, str, str]] = []

    def edge(subject: str, predicate: str, target: str) -> None:
        if target not in known_nodes:
            raise SystemExit(f"{subject}: {target!r} is not in catalogue.csv; add it there first")
        rows.append((subject, predicate, target, ""))

    for product in csv.DictReader(io.StringIO(products_csv)):
        pid = product["product_id"].strip()
        rows.append((pid, "type", "Product", ""))
        rows.append((pid, "name", product["name"].strip(), "en"))
        rows.append((pid, "name", product["name_zh"].strip(), "zh"))
        edge(pid, "category", node_id("cat", product["category"]))
        rows.append((pid, "price", product["price_usd"].strip(), "USD"))
        for color in product["colors"].split("|"):
            edge(pid, "color", node_id("color", color))
        rows.append((pid, "warranty", product["warranty_months"].strip(), "months"))
        edge(pid, "stock_status", node_id("status", product["stock_status"]))
        if product["restock_date"].strip():
            rows.append((pid, "restock_date", product["restock_date"].strip(), "date"))
        if product["battery_hours"].strip():
            rows.append((pid, "battery_life", product["battery_hours"].strip(), "hours"))
        rows.append((pid, "weight", product["weight_g"].strip(), "g"))
        rows.append((pid, "released", product["released"].strip(), "date"))
    return rows


def render(rows: list[tuple[str, str, str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def build() -> str:
    """The text products.csv must hold."""
    with CATALOGUE.open(encoding="utf-8") as handle:
        known = {row["subject"] for row in csv.DictReader(handle)}
    return render(product_rows(STORE_PRODUCTS.read_text(encoding="utf-8"), known))


def main() -> None:
    OUTPUT.write_text(build(), encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
