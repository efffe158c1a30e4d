"""Knowledge answers for ``action_knowledge_answer``.

The engine takes any :class:`KnowledgeAnswerer` (the knowledge-graph + language-model
pipeline plugs in here through an adapter). :class:`CatalogueAnswerer` is the built-in
one: it *composes* answers from a product catalogue CSV (the project's
``store/products.csv``) with fixed English and Chinese templates. It uses no language
model, so every sentence restates one catalogue fact, which it cites as a source.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol

__all__ = [
    "CatalogueAnswerer",
    "KnowledgeAnswerer",
    "KnowledgeReply",
    "Product",
    "read_catalogue",
]


@dataclass(frozen=True)
class KnowledgeReply:
    """An answer; ``fell_back`` True when there was nothing to answer from (the engine then
    asks which product is meant). ``sources`` are the facts used, ``claims`` the checked
    sentences (``{"text", "status", "facts"}``)."""

    text: str
    sources: tuple[Mapping[str, Any], ...] = ()
    claims: tuple[Mapping[str, Any], ...] = ()
    fell_back: bool = False
    # Seconds spent writing (``generation``) and checking (``checking``) the answer.
    timings: Mapping[str, float] = field(default_factory=dict)


class KnowledgeAnswerer(Protocol):
    async def answer(
        self,
        question: str,
        *,
        entities: Sequence[Mapping[str, Any]],
        slots: Mapping[str, Any],
        language: str,
        intent: str | None = None,
    ) -> KnowledgeReply:
        """Answer ``question`` in ``language`` ("en" or "zh"); never raise for "don't know":
        return ``fell_back=True`` instead."""
        ...


@dataclass(frozen=True)
class Product:
    product_id: str
    name: str
    name_zh: str
    category: str
    price_usd: str
    colors: tuple[str, ...]
    warranty_months: int | None
    stock_status: str
    restock_date: str | None = None
    battery_hours: str | None = None
    weight_g: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


def read_catalogue(path: Path) -> list[Product]:
    """Products from a catalogue CSV with the demo's columns (products.csv)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    products = []
    for row in rows:
        warranty = (row.get("warranty_months") or "").strip()
        products.append(
            Product(
                product_id=row["product_id"].strip(),
                name=row["name"].strip(),
                name_zh=(row.get("name_zh") or row["name"]).strip(),
                category=(row.get("category") or "").strip(),
                price_usd=(row.get("price_usd") or "").strip(),
                colors=tuple(c.strip() for c in (row.get("colors") or "").split("|") if c.strip()),
                warranty_months=int(warranty) if warranty.isdigit() else None,
                stock_status=(row.get("stock_status") or "").strip(),
                restock_date=(row.get("restock_date") or "").strip() or None,
                battery_hours=(row.get("battery_hours") or "").strip() or None,
                weight_g=(row.get("weight_g") or "").strip() or None,
            )
        )
    return products


_COLOR_ZH = {
    "black": "黑色",
    "silver": "银色",
    "white": "白色",
    "grey": "灰色",
    "blue": "蓝色",
    "red": "红色",
    "green": "绿色",
    "orange": "橙色",
    "space grey": "深空灰",
}

_ATTRIBUTE_BY_INTENT = {
    "product_price": "price",
    "product_colors": "colors",
    "product_stock": "stock",
    "product_warranty": "warranty",
    "product_battery": "battery",
    "product_weight": "weight",
}

# Which product wins a comparison of an attribute, and how to say it.
_BEST = {
    "price": (min, "So the {name} is the cheapest.", "所以{name}最便宜。"),
    "weight": (min, "So the {name} is the lightest.", "所以{name}最轻。"),
    "battery": (max, "So the {name} has the longest battery life.", "所以{name}续航最长。"),
    "warranty": (max, "So the {name} has the longest warranty.", "所以{name}保修期最长。"),
}


def _plural(name: str) -> bool:
    """English names like "Aurora X2 Headphones" or "Aurora Buds" take a plural verb."""
    words = name.split()
    last = words[-1].lower() if words else ""
    return last.endswith("s") and not last.endswith("ss")


def _verb(name: str, singular: str, plural: str) -> str:
    return plural if _plural(name) else singular


def _join(items: Sequence[str], language: str) -> str:
    if language == "zh":
        return "、".join(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass(frozen=True)
class _Sentence:
    text: str
    facts: tuple[Mapping[str, Any], ...]


class CatalogueAnswerer:
    """Answers product questions from catalogue facts with templates (no language model)."""

    def __init__(self, products: Sequence[Product], *, source: str = "products.csv") -> None:
        self.products = {p.product_id: p for p in products}
        self.source = source

    @classmethod
    def from_csv(cls, path: Path) -> CatalogueAnswerer:
        return cls(read_catalogue(path), source=path.name)

    async def answer(
        self,
        question: str,
        *,
        entities: Sequence[Mapping[str, Any]],
        slots: Mapping[str, Any],
        language: str,
        intent: str | None = None,
    ) -> KnowledgeReply:
        language = "zh" if language == "zh" else "en"
        products = self._products(entities, slots)
        if not products:
            return KnowledgeReply(text="", fell_back=True)
        attribute = _ATTRIBUTE_BY_INTENT.get(intent or "")
        if attribute is None:
            named = [e.get("value") for e in entities if e.get("entity") == "attribute"]
            attribute = str(named[0]) if named else None
        if attribute is None and intent == "product_compare":
            attribute = str(slots.get("attribute") or "price")
        sentences: list[_Sentence] = []
        for product in products:
            sentences.extend(self._about(product, attribute, language))
        if len(products) > 1 and attribute in _BEST:
            sentences.extend(self._best(products, attribute, language))
        text = ("" if language == "zh" else " ").join(s.text for s in sentences)
        facts = tuple(f for s in sentences for f in s.facts)
        claims = tuple(
            {"text": s.text, "status": "supported", "facts": list(s.facts)} for s in sentences
        )
        return KnowledgeReply(text=text, sources=_unique(facts), claims=claims)

    def _products(
        self, entities: Sequence[Mapping[str, Any]], slots: Mapping[str, Any]
    ) -> list[Product]:
        named = [str(e.get("value")) for e in entities if e.get("entity") == "product"]
        if not named:
            listed = slots.get("products")
            if isinstance(listed, list) and listed:
                named = [str(v) for v in listed]
            elif slots.get("product"):
                named = [str(slots["product"])]
        found = [self.products[n] for n in dict.fromkeys(named) if n in self.products]
        return found

    def _fact(self, product: Product, attribute: str, value: Any) -> dict[str, Any]:
        return {
            "subject": product.product_id,
            "predicate": attribute,
            "object": value,
            "source": self.source,
        }

    def _about(self, p: Product, attribute: str | None, language: str) -> list[_Sentence]:
        zh = language == "zh"
        name = p.name_zh if zh else p.name
        if attribute == "price":
            text = (
                f"{name}的价格是 {p.price_usd} 美元。"
                if zh
                else f"The {name} {_verb(name, 'costs', 'cost')} {p.price_usd} USD."
            )
            return [_Sentence(text, (self._fact(p, "price_usd", p.price_usd),))]
        if attribute == "colors":
            colors = [_COLOR_ZH.get(c, c) for c in p.colors] if zh else list(p.colors)
            text = (
                f"{name}有{_join(colors, language)}可选。"
                if zh
                else f"The {name} {_verb(name, 'comes', 'come')} in {_join(colors, language)}."
            )
            return [_Sentence(text, (self._fact(p, "colors", "|".join(p.colors)),))]
        if attribute == "stock":
            return [self._stock(p, name, zh)]
        if attribute == "warranty":
            months = p.warranty_months
            text = (
                f"{name}的保修期为 {months} 个月，自签收日起计算。"
                if zh
                else f"The {name} {_verb(name, 'has', 'have')} a {months}-month warranty, counted from the delivery date."
            )
            return [_Sentence(text, (self._fact(p, "warranty_months", months),))]
        if attribute == "battery":
            if p.battery_hours is None:
                text = (
                    f"产品目录中没有{name}的续航数据。"
                    if zh
                    else f"Our catalogue lists no battery life for the {name}."
                )
                return [_Sentence(text, ())]
            text = (
                f"{name}的续航时间为 {p.battery_hours} 小时。"
                if zh
                else f"The {name} {_verb(name, 'has', 'have')} a battery life of {p.battery_hours} hours."
            )
            return [_Sentence(text, (self._fact(p, "battery_hours", p.battery_hours),))]
        if attribute == "weight":
            if p.weight_g is None:
                return [
                    _Sentence(
                        f"产品目录中没有{name}的重量数据。"
                        if zh
                        else f"Our catalogue lists no weight for the {name}.",
                        (),
                    )
                ]
            text = (
                f"{name}重 {p.weight_g} 克。"
                if zh
                else f"The {name} {_verb(name, 'weighs', 'weigh')} {p.weight_g} g."
            )
            return [_Sentence(text, (self._fact(p, "weight_g", p.weight_g),))]
        return self._overview(p, name, language)

    def _stock(self, p: Product, name: str, zh: bool) -> _Sentence:
        fact = (self._fact(p, "stock_status", p.stock_status),)
        if p.stock_status == "in_stock":
            return _Sentence(
                f"{name}目前有货。" if zh else f"The {name} {_verb(name, 'is', 'are')} in stock.",
                fact,
            )
        if p.stock_status == "out_of_stock":
            facts = (*fact, self._fact(p, "restock_date", p.restock_date))
            if p.restock_date:
                text = (
                    f"{name}目前缺货，预计 {p.restock_date} 补货。"
                    if zh
                    else f"The {name} {_verb(name, 'is', 'are')} out of stock; {_verb(name, 'it is', 'they are')} expected back on {p.restock_date}."
                )
            else:
                text = (
                    f"{name}目前缺货。"
                    if zh
                    else f"The {name} {_verb(name, 'is', 'are')} out of stock."
                )
            return _Sentence(text, facts)
        if p.stock_status == "discontinued":
            return _Sentence(
                f"{name}已停产。"
                if zh
                else f"The {name} {_verb(name, 'has', 'have')} been discontinued.",
                fact,
            )
        return _Sentence(
            f"{name}的库存状态：{p.stock_status}。"
            if zh
            else f"Stock status of the {name}: {p.stock_status}.",
            fact,
        )

    def _overview(self, p: Product, name: str, language: str) -> list[_Sentence]:
        sentences = self._about(p, "price", language)
        sentences += self._about(p, "colors", language)
        if p.warranty_months is not None:
            sentences += self._about(p, "warranty", language)
        sentences.append(self._stock(p, name, language == "zh"))
        return sentences

    def _best(self, products: list[Product], attribute: str, language: str) -> list[_Sentence]:
        pick, en, zh = _BEST[attribute]
        column = {
            "price": "price_usd",
            "weight": "weight_g",
            "battery": "battery_hours",
            "warranty": "warranty_months",
        }[attribute]
        valued = []
        for product in products:
            try:
                valued.append((Decimal(str(getattr(product, column))), product))
            except (InvalidOperation, TypeError):
                return []  # a value is missing: no verdict rather than a wrong one
        best_value = pick(v for v, _ in valued)
        winners = [p for v, p in valued if v == best_value]
        if len(winners) != 1:
            return []
        winner = winners[0]
        name = winner.name_zh if language == "zh" else winner.name
        template = zh if language == "zh" else en
        facts = tuple(self._fact(p, column, str(v)) for v, p in valued)
        return [_Sentence(template.format(name=name), facts)]


def _unique(facts: Sequence[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    seen: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for fact in facts:
        seen.setdefault((fact["subject"], fact["predicate"]), fact)
    return tuple(seen.values())
