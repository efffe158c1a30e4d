"""Regenerate questions.jsonl: the fact-check question set about the demo store.

``python bench/data/factcheck/build_questions.py``. Deterministic. Each line:
``{"id", "lang", "kind", "question", "expected": [[subject, predicate, object, unit], ...],
"answer_is_no": bool}``. Questions are written from templates (English and Chinese,
paraphrased, with short names and a few typos); expected facts come from the graph.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from assistants.acme.knowledge import load_demo_graph  # noqa: E402
from knowledge_graph import Fact, display_name, edge_facts, literal_facts  # noqa: E402

# How customers name products: full names, short names, a typo, Chinese names.
NAMES_EN = {
    "P-100": ["Aurora X2 Headphones", "Aurora X2", "X2", "Aurura X2"],
    "P-101": ["Aurora Buds", "aurora buds"],
    "P-102": ["Nimbus Smart Speaker", "Nimbus speaker"],
    "P-103": ["Nimbus Mini", "nimbus mini"],
    "P-104": ["Vector 14 Laptop", "Vector 14", "vector 14"],
    "P-105": ["Vector 16 Pro Laptop", "Vector 16 Pro", "vector 16 pro"],
    "P-106": ["Pulse Watch 3", "pulse watch 3"],
    "P-107": ["Pulse Band", "pulse band"],
    "P-108": ["Orbit 65W Charger", "65W charger"],
    "P-109": ["Orbit Power Bank 20000", "Orbit Power Bank"],
    "P-110": ["Lumen 4K Webcam", "4K webcam"],
    "P-111": ["Lumen Action Cam", "Action Cam"],
}
NAMES_ZH = {
    "P-100": ["极光 X2 头戴耳机", "极光 X2"],
    "P-101": ["极光无线耳塞"],
    "P-102": ["云朵智能音箱"],
    "P-103": ["云朵迷你音箱"],
    "P-104": ["矢量 14 笔记本电脑", "矢量 14"],
    "P-105": ["矢量 16 Pro 笔记本电脑", "矢量 16 Pro"],
    "P-106": ["脉动手表 3"],
    "P-107": ["脉动手环"],
    "P-108": ["轨道 65W 充电器"],
    "P-109": ["轨道 20000 毫安充电宝"],
    "P-110": ["流明 4K 网络摄像头"],
    "P-111": ["流明运动相机"],
}
EN = {
    "price": ["How much is the {p}?", "What does the {p} cost?", "What's the price of the {p}?"],
    "warranty": ["How long is the warranty on the {p}?", "What warranty does the {p} come with?"],
    "color": ["What colors does the {p} come in?", "Which colours is the {p} available in?"],
    "battery_life": [
        "How long does the battery of the {p} last?",
        "What is the battery life of the {p}?",
    ],
    "weight": ["How much does the {p} weigh?", "What's the weight of the {p}?"],
    "released": ["When was the {p} released?"],
    "stock_status": ["Is the {p} in stock?"],
    "restock_date": ["When will the {p} be restocked?"],
}
ZH = {
    "price": ["{p}多少钱？", "{p}的价格是多少？"],
    "warranty": ["{p}保修多久？"],
    "color": ["{p}有哪些颜色？"],
    "battery_life": ["{p}续航多久？"],
    "weight": ["{p}的重量是多少？"],
    "released": ["{p}是哪一年发布的？"],
    "stock_status": ["{p}有货吗？"],
}
COMPARE_EN = {
    "weight": ("Which is lighter, the {a} or the {b}?", "Is the {a} lighter than the {b}?"),
    "price": ("Which is cheaper, the {a} or the {b}?", "Is the {a} cheaper than the {b}?"),
    "battery_life": (
        "Which lasts longer, the {a} or the {b}?",
        "Does the {a} last longer than the {b}?",
    ),
}
COMPARE_ZH = {
    "weight": ("{a}和{b}哪个更轻？", "{a}比{b}轻吗？"),
    "price": ("{a}和{b}哪个更便宜？", "{a}比{b}便宜吗？"),
    "battery_life": ("{a}和{b}哪个续航更长？", "{a}比{b}续航更长吗？"),
}
PAIRS = [
    ("P-104", "P-105"),
    ("P-100", "P-101"),
    ("P-106", "P-107"),
    ("P-102", "P-103"),
    ("P-110", "P-111"),
    ("P-108", "P-109"),
]

POLICY_QUESTIONS: list[tuple[str, str, list[tuple[str, str]], bool]] = [
    # (lang, question, [(node, predicate)], answer_is_no)
    ("en", "How long do I have to return an item?", [("policy:returns", "return_window")], False),
    ("en", "What is your return policy window?", [("policy:returns", "return_window")], False),
    (
        "en",
        "Within how many days can I return something?",
        [("policy:returns", "return_window")],
        False,
    ),
    ("zh", "退货期限是多久？", [("policy:returns", "return_window")], False),
    ("zh", "收到货后多少天内可以退货？", [("policy:returns", "return_window")], False),
    ("en", "How long does a refund take?", [("policy:refund", "refund_time")], False),
    ("en", "When will I get my refund?", [("policy:refund", "refund_time")], False),
    ("zh", "退款需要多长时间？", [("policy:refund", "refund_time")], False),
    ("en", "Is there a restocking fee?", [("policy:restocking_fee", "restocking_rate")], False),
    (
        "en",
        "How much is the restocking fee for an opened laptop?",
        [("policy:restocking_fee", "restocking_rate")],
        False,
    ),
    (
        "zh",
        "笔记本电脑拆封后退货要收重新上架费吗？",
        [("policy:restocking_fee", "restocking_rate")],
        False,
    ),
    (
        "en",
        "How much does return shipping cost?",
        [("policy:return_shipping", "return_shipping_fee")],
        False,
    ),
    ("zh", "退货运费是多少？", [("policy:return_shipping", "return_shipping_fee")], False),
    (
        "en",
        "How long do I have to exchange an item for another color?",
        [("policy:exchange", "exchange_window")],
        False,
    ),
    ("zh", "换货期限是多久？", [("policy:exchange", "exchange_window")], False),
    ("en", "How much is standard shipping?", [("policy:standard_shipping", "shipping_fee")], False),
    (
        "en",
        "How long does standard shipping take?",
        [("policy:standard_shipping", "delivery_time")],
        False,
    ),
    (
        "en",
        "When is standard shipping free?",
        [("policy:standard_shipping", "free_shipping_from")],
        False,
    ),
    (
        "en",
        "Do you offer free shipping?",
        [("policy:standard_shipping", "free_shipping_from")],
        False,
    ),
    ("zh", "标准配送多少钱？", [("policy:standard_shipping", "shipping_fee")], False),
    ("zh", "标准配送要几天？", [("policy:standard_shipping", "delivery_time")], False),
    ("zh", "订单满多少免运费？", [("policy:standard_shipping", "free_shipping_from")], False),
    ("en", "How much is express shipping?", [("policy:express_shipping", "shipping_fee")], False),
    ("en", "How fast is express shipping?", [("policy:express_shipping", "delivery_time")], False),
    ("zh", "加急配送多少钱？", [("policy:express_shipping", "shipping_fee")], False),
    ("zh", "加急配送需要几天？", [("policy:express_shipping", "delivery_time")], False),
    (
        "en",
        "Do you ship internationally? How many countries?",
        [("policy:international_shipping", "countries")],
        False,
    ),
    (
        "en",
        "How much is international shipping?",
        [("policy:international_shipping", "shipping_fee")],
        False,
    ),
    (
        "en",
        "How long does international shipping take?",
        [("policy:international_shipping", "delivery_time")],
        False,
    ),
    ("zh", "国际配送可以送到多少个国家？", [("policy:international_shipping", "countries")], False),
    ("zh", "国际配送多少钱？", [("policy:international_shipping", "shipping_fee")], False),
    (
        "en",
        "What is the cutoff time for same-day dispatch?",
        [("policy:dispatch", "dispatch_cutoff")],
        False,
    ),
    ("zh", "几点前下单当天发货？", [("policy:dispatch", "dispatch_cutoff")], False),
    ("en", "Do you dispatch orders on weekends?", [("policy:dispatch", "weekend_dispatch")], True),
    ("zh", "周末发货吗？", [("policy:dispatch", "weekend_dispatch")], True),
    ("en", "Do prices include sales tax?", [("policy:payment", "sales_tax_included")], True),
    ("zh", "价格含销售税吗？", [("policy:payment", "sales_tax_included")], True),
    ("en", "What payment methods do you accept?", [("policy:payment", "payment_method")], False),
    ("en", "Can I pay with Alipay?", [("policy:payment", "payment_method")], False),
    ("en", "Can I pay with WeChat Pay?", [("policy:payment", "payment_method")], False),
    ("zh", "可以用支付宝付款吗？", [("policy:payment", "payment_method")], False),
    ("zh", "支持哪些支付方式？", [("policy:payment", "payment_method")], False),
    ("en", "How much does Acme Care+ cost?", [("policy:care_plus", "care_plus_rate")], False),
    (
        "en",
        "How long does Care+ extend the warranty?",
        [("policy:care_plus", "warranty_extension")],
        False,
    ),
    ("en", "Until when can I buy Care+?", [("policy:care_plus", "care_plus_window")], False),
    ("zh", "Care+ 能延长多久保修？", [("policy:care_plus", "warranty_extension")], False),
    (
        "en",
        "How does your price match work?",
        [("policy:price_match", "price_match_window")],
        False,
    ),
    (
        "en",
        "How many times per order can I get a price match refund?",
        [("policy:price_match", "price_match_limit")],
        False,
    ),
    ("zh", "价格保护期是多久？", [("policy:price_match", "price_match_window")], False),
    ("en", "When are human agents available?", [("policy:support", "support_hours")], False),
    ("zh", "人工客服的服务时间是什么时候？", [("policy:support", "support_hours")], False),
    (
        "en",
        "If I leave a message for human support, how soon do you reply?",
        [("policy:support", "offline_reply_time")],
        False,
    ),
]

WINDOWS = [
    (
        "policy:returns",
        "return_window",
        "My order was delivered {n} days ago. Can I still return it?",
        "我的订单{n}天前签收的，还能退货吗？",
        [3, 10, 29, 30, 31, 45, 60],
    ),
    (
        "policy:exchange",
        "exchange_window",
        "I received my headphones {n} days ago. Can I still exchange them for another color?",
        "我{n}天前收到的耳机，还能换颜色吗？",
        [12, 40],
    ),
    (
        "policy:care_plus",
        "care_plus_window",
        "My laptop was delivered {n} days ago. Can I still buy Care+?",
        "笔记本电脑{n}天前送达，现在还能购买 Care+ 吗？",
        [20, 59, 75],
    ),
]


def rows(facts: tuple[Fact, ...] | list[Fact]) -> list[list[str]]:
    return [list(f.as_row()) for f in facts]


def generate() -> Iterator[dict[str, Any]]:
    graph = load_demo_graph()
    products = sorted(NAMES_EN)

    def facts_of(node: str, predicate: str) -> list[Fact]:
        found = [f for f, _ in literal_facts(graph, node, predicate)]
        return found or list(edge_facts(graph, node, predicate))

    for index, pid in enumerate(products):
        for predicate, templates in EN.items():
            expected = facts_of(pid, predicate)
            if not expected:
                continue
            for t, template in enumerate(templates):
                name = NAMES_EN[pid][(index + t) % len(NAMES_EN[pid])]
                answer_no = predicate == "stock_status" and expected[0].object != "status:in_stock"
                yield {
                    "lang": "en",
                    "kind": "lookup",
                    "question": template.format(p=name),
                    "expected": rows(expected),
                    "answer_is_no": answer_no,
                }
        for predicate, templates in ZH.items():
            expected = facts_of(pid, predicate)
            if not expected:
                continue
            for t, template in enumerate(templates):
                name = NAMES_ZH[pid][(index + t) % len(NAMES_ZH[pid])]
                answer_no = predicate == "stock_status" and expected[0].object != "status:in_stock"
                yield {
                    "lang": "zh",
                    "kind": "lookup",
                    "question": template.format(p=name),
                    "expected": rows(expected),
                    "answer_is_no": answer_no,
                }
        colors = [f.object for f in edge_facts(graph, pid, "color")]
        owned = colors[0]
        missing = next(
            c for c in ("color:red", "color:pink", "color:gold", "color:purple") if c not in colors
        )
        for color, present in ((owned, True), (missing, False)):
            expected = rows(edge_facts(graph, pid, "color"))
            yield {
                "lang": "en",
                "kind": "yes_no",
                "question": f"Does the {NAMES_EN[pid][0]} come in {display_name(graph, color, 'en')}?",
                "expected": expected,
                "answer_is_no": not present,
            }
            yield {
                "lang": "zh",
                "kind": "yes_no",
                "question": f"{NAMES_ZH[pid][0]}有{display_name(graph, color, 'zh')}的吗？",
                "expected": expected,
                "answer_is_no": not present,
            }
    for a, b in PAIRS:
        for predicate, (which, polar) in COMPARE_EN.items():
            fa, fb = facts_of(a, predicate), facts_of(b, predicate)
            if len(fa) != 1 or len(fb) != 1:
                continue
            expected = rows([fa[0], fb[0]])
            va, vb = fa[0].value, fb[0].value
            holds = (va.low < vb.low) if predicate != "battery_life" else (va.low > vb.low)  # type: ignore[union-attr]
            yield {
                "lang": "en",
                "kind": "comparison",
                "question": which.format(
                    a=NAMES_EN[a][1 % len(NAMES_EN[a])], b=NAMES_EN[b][1 % len(NAMES_EN[b])]
                ),
                "expected": expected,
                "answer_is_no": False,
            }
            yield {
                "lang": "en",
                "kind": "comparison",
                "question": polar.format(a=NAMES_EN[a][0], b=NAMES_EN[b][0]),
                "expected": expected,
                "answer_is_no": not holds,
            }
            zh_which, zh_polar = COMPARE_ZH[predicate]
            yield {
                "lang": "zh",
                "kind": "comparison",
                "question": zh_which.format(a=NAMES_ZH[a][-1], b=NAMES_ZH[b][-1]),
                "expected": expected,
                "answer_is_no": False,
            }
            yield {
                "lang": "zh",
                "kind": "comparison",
                "question": zh_polar.format(a=NAMES_ZH[a][0], b=NAMES_ZH[b][0]),
                "expected": expected,
                "answer_is_no": not holds,
            }
    for lang, question, wanted, answer_no in POLICY_QUESTIONS:
        expected = [f for node, predicate in wanted for f in facts_of(node, predicate)]
        yield {
            "lang": lang,
            "kind": "policy",
            "question": question,
            "expected": rows(expected),
            "answer_is_no": answer_no,
        }
    for node, predicate, en, zh, days in WINDOWS:
        window = facts_of(node, predicate)
        limit = window[0].value.high  # type: ignore[union-attr]
        for n in days:
            yield {
                "lang": "en",
                "kind": "condition",
                "question": en.format(n=n),
                "expected": rows(window),
                "answer_is_no": n > limit,
            }
            yield {
                "lang": "zh",
                "kind": "condition",
                "question": zh.format(n=n),
                "expected": rows(window),
                "answer_is_no": n > limit,
            }


def main() -> None:
    out = HERE / "questions.jsonl"
    lines = []
    for number, item in enumerate(generate(), start=1):
        lines.append(json.dumps({"id": f"q{number:03d}", **item}, ensure_ascii=False))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} questions to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
