"""Attribute concepts every shop has (price, color, weight, ...), in English and Chinese.

A graph names its predicates as its admin likes (``price``, ``price_eur``, ``colour``,
``weight_kg``). To read questions and answers about any graph, each predicate is matched
to the concepts its words name; a matched predicate is cued by the concept's words and,
unless the graph's own ``Attribute`` node says otherwise, phrased with its templates.
Nothing here names a node or a value: only how people talk about a kind of attribute.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from knowledge_graph.values import Dimension

__all__ = [
    "CONCEPTS",
    "DIMENSION_CUES",
    "SCALES",
    "TAIL_VERBS",
    "TYPE_WORDS",
    "ZH_FLAG_VERBS",
    "Concept",
    "concepts_for",
    "family_cues",
    "predicate_phrases",
    "predicate_words",
    "scale_of",
    "word_forms",
    "zh_flag",
    "zh_name",
]


@dataclass(frozen=True, slots=True)
class Concept:
    """How people ask about, compare and state one kind of attribute.

    ``keys`` are the words of a predicate id that mean this concept (``colour`` in
    ``frame_colour``); ``cues`` the surface forms that point at it in text, per language;
    ``less``/``more`` comparatives ("lighter", "heavier") and ``least``/``most``
    superlatives; ``phrase`` the default sentence template (``{subject}``, ``{value}``).
    ``status`` concepts (stock, availability) are stated whenever a customer asks about
    buying the thing.
    """

    name: str
    keys: tuple[str, ...]
    cues: Mapping[str, tuple[str, ...]]
    names: Mapping[str, str]
    phrase: Mapping[str, str] = field(default_factory=dict)
    less: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    more: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    least: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    most: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    status: bool = False
    # Needs a recommendation question may state ("for a long flight"): the ranking they
    # imply, ``more`` or ``less`` of this attribute.
    needs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    need_less: bool = False  # True: a need ranks by the smallest value (price, weight)
    # The kinds of value it is about (empty: any): a yes/no ``parking_available`` is not a
    # stock status, a ``contract_length`` in months is not a size.
    dimensions: frozenset[Dimension] = frozenset()


def _c(name: str, keys: str, *, en: str, zh: str, **kw: object) -> Concept:
    """A concept from compact ``|``-separated word lists (``en``/``zh`` are the cues)."""

    def split(words: object) -> tuple[str, ...]:
        return tuple(w.strip() for w in str(words).split("|") if w.strip())

    def per_lang(value: object) -> dict[str, tuple[str, ...]]:
        if not value:
            return {}
        assert isinstance(value, tuple)
        return {"en": split(value[0]), "zh": split(value[1])}

    names = kw.pop("names")
    phrase = kw.pop("phrase", None)
    assert isinstance(names, tuple)
    return Concept(
        name=name,
        keys=split(keys),
        cues={"en": split(en), "zh": split(zh)},
        names={"en": names[0], "zh": names[1]},
        phrase={"en": phrase[0], "zh": phrase[1]} if isinstance(phrase, tuple) else {},
        less=per_lang(kw.pop("less", None)),
        more=per_lang(kw.pop("more", None)),
        least=per_lang(kw.pop("least", None)),
        most=per_lang(kw.pop("most", None)),
        needs=per_lang(kw.pop("needs", None)),
        status=bool(kw.pop("status", False)),
        need_less=bool(kw.pop("need_less", False)),
        dimensions=frozenset(Dimension(d) for d in str(kw.pop("dims", "")).split("|") if d),
    )


CONCEPTS: tuple[Concept, ...] = (
    _c(
        "price",
        "price|prices|cost|msrp|rrp|rent|fare|fares",
        dims="money",
        en="price|prices|cost|costs|priced|pricing|price tag|pricey|expensive|price range",
        zh="价格|价钱|售价|多少钱",
        names=("price", "价格"),
        phrase=("{subject} costs {value}.", "{subject}的价格是{value}。"),
        less=("cheaper|less expensive|more affordable", "便宜|更便宜"),
        more=("more expensive|pricier", "贵|更贵"),
        least=("cheapest|least expensive|most affordable|lowest price", "最便宜|价格最低"),
        most=("most expensive|priciest|highest price", "最贵|价格最高"),
        needs=("budget|cheap|affordable|inexpensive|low price|not too expensive", "便宜|实惠|预算"),
        need_less=True,
    ),
    _c(
        "color",
        "color|colors|colour|colours|colorway|colorways|finish|finishes",
        dims="text",
        en="color|colors|colour|colours|colorway|colorways|finish|finishes|come in|comes in|available in",
        zh="颜色|什么颜色|配色|色",
        names=("color", "颜色"),
        phrase=("{subject} comes in {value}.", "{subject}有{value}可选。"),
    ),
    _c(
        "weight",
        "weight|weighs|mass",
        dims="mass",
        en="weight|weigh|weighs|how heavy|heavy",
        zh="重量|多重|重",
        names=("weight", "重量"),
        phrase=("{subject} weighs {value}.", "{subject}的重量为{value}。"),
        less=("lighter", "轻|更轻"),
        more=("heavier", "重|更重"),
        least=("lightest", "最轻"),
        most=("heaviest", "最重"),
        needs=(
            "light|lightweight|portable|easy to carry|carry|travel|travelling|traveling",
            "轻便|便携|轻",
        ),
        need_less=True,
    ),
    _c(
        "warranty",
        "warranty|guarantee",
        dims="duration",
        en="warranty|guarantee|guaranteed",
        zh="保修|保修期|质保",
        names=("warranty", "保修期"),
        phrase=("{subject} has a warranty of {value}.", "{subject}的保修期为{value}。"),
        less=("shorter warranty", "保修期更短"),
        more=("longer warranty", "保修期更长"),
        least=("shortest warranty", "保修期最短"),
        most=("longest warranty", "保修期最长|保修最长"),
    ),
    _c(
        "battery",
        "battery|runtime|playtime",
        dims="duration|charge",
        en="battery|battery life|runtime|playtime|lasts",
        zh="续航|电池|续航时间",
        names=("battery life", "续航时间"),
        phrase=("{subject} has a battery life of {value}.", "{subject}的续航时间为{value}。"),
        less=("shorter battery life", "续航更短"),
        more=("longer battery life|lasts longer", "续航更长|续航更久"),
        least=("shortest battery life", "续航最短"),
        most=(
            "longest battery life|longest battery|best battery life|longest-lasting",
            "续航最长|续航最久",
        ),
        needs=(
            "long flight|long flights|flight|flights|all day|all-day|long trip|long trips|battery",
            "长途|飞机|续航|一整天",
        ),
    ),
    _c(
        "stock",
        "stock|availability|available|inventory|status",
        dims="text",
        en="stock|in stock|availability|available|sold out|out of stock|buy|purchase|order one",
        zh="库存|有货|现货|缺货|能买|买",
        names=("availability", "库存状态"),
        phrase=("{subject} is {value}.", "{subject}目前{value}。"),
        status=True,
    ),
    _c(
        "restock",
        "restock|restocked|restocking|back in stock|restock date|back",
        dims="date|text",
        en="restock|restocked|back in stock|be back in stock|be back|come back|available again|when will",
        zh="补货|到货|重新有货|什么时候有货",
        names=("restock date", "补货日期"),
        phrase=("{subject} will be back in stock on {value}.", "{subject}预计于{value}补货。"),
        status=True,
    ),
    _c(
        "size",
        "size|sizes|dimension|dimensions|length|width|height",
        dims="length|text|count",
        en="size|sizes|dimensions|how big|how large|big",
        zh="尺寸|尺码|大小|多大",
        names=("size", "尺寸"),
        phrase=("{subject} comes in size {value}.", "{subject}的尺寸为{value}。"),
        less=("smaller", "更小"),
        more=("bigger|larger", "更大"),
        least=("smallest", "最小"),
        most=("biggest|largest", "最大"),
    ),
    _c(
        "material",
        "material|materials|fabric|frame",
        dims="text",
        en="material|materials|made of|made from|fabric|frame",
        zh="材质|材料|车架|面料",
        names=("material", "材质"),
        phrase=("{subject} is made of {value}.", "{subject}的材质是{value}。"),
    ),
    _c(
        "release",
        "released|release|launched|launch|year",
        dims="date|count|text",
        en="released|release|launched|came out|come out|release date|what year|which year",
        zh="发布|上市|推出|哪年|哪一年|什么时候出|何时出|年份|年款",
        names=("release date", "发布时间"),
        phrase=("{subject} was released in {value}.", "{subject}于{value}发布。"),
        less=("older", "更早|更旧"),
        more=("newer", "更新"),
        least=("oldest", "最早|最旧"),
        most=("newest|latest|most recent", "最新"),
    ),
    _c(
        "range",
        "range",
        dims="length",
        en="range|how far|distance",
        zh="续航里程|里程|能跑多远",
        names=("range", "续航里程"),
        phrase=("{subject} has a range of {value}.", "{subject}的续航里程为{value}。"),
        less=("shorter range", "里程更短"),
        more=("longer range|goes further|goes farther", "里程更长|跑得更远"),
        least=("shortest range", "里程最短"),
        most=("longest range|furthest|farthest", "里程最长|跑得最远"),
        needs=("long rides|long distance|long distances|far", "长途|远"),
    ),
    _c(
        "power",
        "power|motor|wattage|watts",
        dims="power",
        en="power|motor|wattage|watts|powerful",
        zh="功率|电机|马力",
        names=("power", "功率"),
        phrase=("{subject} has {value} of power.", "{subject}的功率为{value}。"),
        less=("less powerful|weaker", "功率更小"),
        more=("more powerful|stronger", "功率更大|更强"),
        least=("least powerful|weakest", "功率最小"),
        most=("most powerful|strongest", "功率最大|最强"),
    ),
    _c(
        "capacity",
        "capacity|storage|memory|volume",
        dims="volume|data|charge|count",
        en="capacity|storage|memory|how much storage|volume|hold|holds|how much water|how much does it hold",
        zh="容量|存储|内存|装多少|能装|多大容量",
        names=("capacity", "容量"),
        phrase=("{subject} has a capacity of {value}.", "{subject}的容量为{value}。"),
        less=("smaller capacity|less storage", "容量更小"),
        more=("bigger capacity|more storage|larger capacity", "容量更大"),
        least=("smallest capacity|least storage", "容量最小"),
        most=("biggest capacity|largest capacity|most storage", "容量最大"),
    ),
    _c(
        "category",
        "category|categories|segment|kind|type|collection|family|group|series|genre",
        dims="text",
        en="category|kind of|type of|segment",
        zh="类别|类型|种类",
        names=("category", "类别"),
        phrase=("{subject} is in the {value} category.", "{subject}的类别是{value}。"),
    ),
    _c(
        "period",
        "period|window|within|deadline|days",
        dims="duration",
        en="how long|how many days|how many weeks|window|period|deadline|time limit",
        zh="多久|多少天|几天|期限|多长时间",
        names=("period", "期限"),
    ),
    _c(
        "delivery",
        "delivery|shipping|dispatch|lead",
        dims="duration|text|money",
        en="delivery|deliver|shipping|ship|how long does it take|arrive|arrives",
        zh="配送|送货|发货|多久到|几天到",
        names=("delivery", "配送"),
    ),
    _c(
        "fee",
        "fee|fees|charge|charges|surcharge",
        dims="money|percent",
        en="fee|fees|surcharge|cost anything|charge|free",
        zh="费用|收费|多少钱|要钱|免费",
        names=("fee", "费用"),
        less=("cheaper|less expensive|more affordable", "便宜|更便宜"),
        more=("more expensive|pricier", "贵|更贵"),
        least=("cheapest|least expensive|most affordable|lowest price", "最便宜|价格最低"),
        most=("most expensive|priciest|highest price", "最贵|价格最高"),
    ),
    _c(
        "place",
        "address|location|located|origin|place|venue|where|from|region|city|area|postcode|zipcode|postal|neighbourhood|neighborhood",
        dims="text",
        en="where|address|location|located|come from|comes from|from where|made in|produced|origin",
        zh="哪里|在哪|地址|位置|产地|哪里产|哪产|产自|来自|出产|地点",
        names=("location", "地点"),
    ),
    _c(
        "opening",
        "opens|open|opening|hours",
        dims="time|text",
        en="when|open|opens|opening hours|opening times|hours|what time",
        zh="几点|营业时间|开门|开放|什么时候开|营业",
        names=("opening hours", "营业时间"),
    ),
    # Apart from opening: "open at 20:00" must not be checked against a closing time.
    _c(
        "closing",
        "closes|close|closing",
        dims="time|text",
        en="close|closes|closing|closing time|shut",
        zh="关门|几点关|打烊|关闭",
        names=("closing time", "关门时间"),
    ),
    _c(
        "discount",
        "discount|discounts|rebate|off",
        dims="percent|money",
        en="discount|discounts|percent off|rebate|% off|money off",
        zh="折扣|优惠|打折|几折|折",
        names=("discount", "折扣"),
    ),
    _c(
        "temperature",
        "temperature|temp|degrees|celsius|fahrenheit",
        dims="count|text",
        en="temperature|how hot|degrees|what temp|temp",
        zh="温度|多少度|水温|几度",
        names=("temperature", "温度"),
    ),
    _c(
        "contact",
        "phone|telephone|email|contact|mobile|whatsapp|wechat|line|hotline|number",
        dims="text|count",
        en="phone|call|reach|contact|phone number|telephone|number|email|get in touch",
        zh="电话|联系|联系方式|号码|邮箱",
        names=("contact", "联系方式"),
    ),
    _c(
        "time",
        "time|duration|minutes|seconds",
        dims="duration",
        en="how long|how many minutes|how many seconds",
        zh="多久|多长时间|几分钟|多少秒|多少分钟",
        names=("time", "时间"),
    ),
)

_WORD = re.compile(r"[a-z0-9]*[a-z][a-z0-9]*|[\u3400-\u9fff]+")
# Unit words that sit in predicate ids (``price_eur``, ``weight_kg``) but name no concept.
_UNIT_WORDS = frozenset(
    [
        "eur",
        "usd",
        "gbp",
        "cny",
        "jpy",
        "kg",
        "g",
        "lb",
        "lbs",
        "km",
        "m",
        "cm",
        "mm",
        "inch",
        "inches",
        "mi",
        "w",
        "kw",
        "wh",
        "kwh",
        "mah",
        "gb",
        "tb",
        "mb",
        "ml",
        "l",
        "h",
        "hours",
        "hrs",
        "min",
        "minutes",
        "days",
        "weeks",
        "months",
        "years",
        "yrs",
        "pct",
        "percent",
    ]
)


def predicate_words(predicate: str) -> tuple[str, ...]:
    """The words of a predicate id: ``frameColour`` / ``frame_colour`` -> frame, colour;
    unit suffixes (``_eur``, ``_kg``) are left out."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", predicate)
    words = _WORD.findall(spaced.casefold().replace("_", " ").replace("-", " "))
    return tuple(w for w in words if w not in _UNIT_WORDS)


def concepts_for(predicate: str) -> tuple[Concept, ...]:
    """The concepts a predicate id names, strongest first (the last word decides:
    ``battery_range`` is a range, ``frame_colour`` a color)."""
    words = predicate_words(predicate)
    if len(words) > 1 and words[0] in ("number", "num", "count"):
        # number_of_beds counts beds: no phone number
        words = words[2:] if words[1] == "of" else words[1:]
    found: list[Concept] = []
    joined = " ".join(words)
    for concept in CONCEPTS:  # phrase keys first: "back_in_stock" is a restock date
        if any(" " in key and key in joined for key in concept.keys):
            found.append(concept)
    for word in reversed(words):
        for concept in CONCEPTS:
            if concept not in found and word in concept.keys:
                found.append(concept)
    for word in reversed(words):
        # Compounds as other systems export them: pricerange, entrancefee, openhours.
        for concept in CONCEPTS:
            if concept not in found and any(
                key != word
                and (
                    (len(key) >= 4 and (word.startswith(key) or word.endswith(key)))
                    or (len(key) == 3 and len(word) >= 8 and word.endswith(key))
                )
                for key in concept.keys
            ):
                found.append(concept)
    return tuple(found)


#: How people ask for a value of a kind of quantity, whatever the predicate is called:
#: "how heavy" asks a mass, "how long" a duration ("how long do I steep it?" ->
#: ``steep_time`` in seconds), "how much" a price or fee.
DIMENSION_CUES: Mapping[Dimension, Mapping[str, tuple[str, ...]]] = {
    Dimension.MONEY: {
        "en": ("how much", "cost", "costs", "price", "charge", "pay", "fee"),
        "zh": ("多少钱", "费用", "价格", "收费", "几块", "多少元"),
    },
    Dimension.DURATION: {
        "en": ("how long", "how many days", "how many minutes", "how many hours", "how many weeks"),
        "zh": ("多久", "多长时间", "几天", "多少天", "几分钟", "多少分钟", "几个月"),
    },
    Dimension.MASS: {
        "en": ("how heavy", "weigh", "weighs", "weight", "how many grams"),
        "zh": ("多重", "重量", "几克", "多少克"),
    },
    Dimension.VOLUME: {
        "en": ("hold", "holds", "how much water", "capacity", "how many litres", "how many liters"),
        "zh": ("容量", "装多少", "能装", "多少毫升"),
    },
    Dimension.PERCENT: {
        "en": ("discount", "percent", "percentage", "how much off"),
        "zh": ("折扣", "优惠", "百分之", "几折"),
    },
    Dimension.LENGTH: {
        "en": ("how long", "how far", "how big", "how tall", "how wide", "length"),
        "zh": ("多长", "多远", "多高", "多宽"),
    },
    Dimension.COUNT: {
        "en": ("how many", "how many times", "how many visits", "number of"),
        "zh": ("几次", "多少次", "几个", "多少个", "几趟"),
    },
    Dimension.DATE: {
        "en": ("when", "what date", "which day"),
        "zh": ("什么时候", "哪天", "日期", "几号"),
    },
    Dimension.TIME: {
        "en": ("when", "what time"),
        "zh": ("几点", "什么时候", "时间"),
    },
}

# Words of predicate ids that say nothing about what is asked on their own.
_GENERIC_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "at",
        "in",
        "on",
        "by",
        "for",
        "if",
        "is",
        "are",
        "has",
        "have",
        "can",
        "per",
        "and",
        "or",
        "no",
        "not",
        "with",
        "from",
        "min",
        "max",
        "time",
        "date",
        "name",
        "type",
        "value",
        "info",
    ]
)


# How customers say a predicate-id word ("required" -> "need"), and weekdays in Chinese.
_SAME_MEANING: Mapping[str, tuple[str, ...]] = {
    "required": ("need", "needed", "requirement", "requirements", "需要"),
    "requires": ("need", "needed", "需要"),
    "allowed": ("allow", "allowed", "允许"),
    "accepted": ("accept", "接受"),
    "included": ("include", "includes", "包含"),
    "spoken": ("speak", "speaks", "说"),
    "notice": ("advance", "提前"),
    "monday": ("周一", "星期一", "礼拜一"),
    "tuesday": ("周二", "星期二", "礼拜二"),
    "wednesday": ("周三", "星期三", "礼拜三"),
    "thursday": ("周四", "星期四", "礼拜四"),
    "friday": ("周五", "星期五", "礼拜五"),
    "saturday": ("周六", "星期六", "礼拜六"),
    "sunday": ("周日", "星期日", "星期天", "礼拜天"),
    "weekday": ("weekdays", "工作日", "平日"),
    "weekend": ("weekends", "周末"),
    "languages": ("language", "speak", "语言"),
    "parking": ("park", "停车", "停车场", "车位"),
    "internet": ("wifi", "wi-fi", "wlan", "网络", "无线网"),
    "wifi": ("internet", "wi-fi", "无线网"),
    "breakfast": ("早餐",),
    "pets": ("pet", "dog", "dogs", "cat", "cats", "宠物", "狗", "狗狗", "猫"),
    "food": ("cuisine", "dishes", "菜", "菜系"),
    "cuisine": ("food", "菜", "菜系"),
    "stars": ("star", "rating", "星", "星级"),
    "beds": ("bed", "bedroom", "bedrooms", "卧室", "房间"),
    "bedrooms": ("bed", "beds", "bedroom", "卧室"),
    "baths": ("bath", "bathroom", "bathrooms", "卫生间", "浴室"),
    "bathrooms": ("bath", "baths", "bathroom", "卫生间", "浴室"),
    "rent": ("rental", "monthly", "a month", "per month", "房租", "租金"),
    "night": ("nightly", "a night", "per night", "晚", "一晚", "每晚"),
    "price": ("rate", "rates", "费用"),
    "furnished": ("furniture", "带家具", "家具"),
    "cosmetic": ("whitening", "veneers", "美容", "美白"),
    "venue": ("held", "where is it", "场地", "场馆", "地点"),
    "ticket": ("tickets", "admission", "门票", "票"),
    "time": ("start", "starts", "begin", "begins", "what time", "几点", "时间"),
    "date": ("when", "what day", "which day", "日期", "哪天"),
    "rating": (
        "rated",
        "stars",
        "any good",
        "how good",
        "reviews",
        "review",
        "score",
        "评分",
        "评价",
        "口碑",
    ),
    "smoking": ("smoke", "吸烟"),
    "delivery": ("deliver", "送货", "外卖"),
    "takeaway": ("take away", "takeout", "to go", "外卖", "打包"),
    "reservation": ("book", "booking", "reserve", "预订", "订位"),
    "reservations": ("book", "booking", "reserve", "预订", "订位"),
    "checkin": ("check in", "check-in", "入住"),
    "checkout": ("check out", "check-out", "退房"),
    "minimum": ("at least", "最少", "最低"),
    "age": ("old", "years old", "年龄", "岁"),
    "alcohol": ("wine", "beer", "drinks", "liquor", "cocktails", "booze", "bar", "酒", "酒水"),
    "outdoors": ("outside", "outdoor", "patio", "terrace", "户外", "室外", "露天"),
    "outdoor": ("outside", "outdoors", "patio", "terrace", "户外", "室外", "露天"),
    "seating": ("seat", "seats", "sit", "座位"),
    "music": ("band", "音乐"),
    "live": ("现场",),
    "vegetarian": ("veggie", "meat-free", "素食", "吃素"),
    "vegan": ("plant-based", "纯素"),
    "kids": ("kid", "children", "child", "family", "families", "儿童", "孩子", "小孩"),
    "children": ("kid", "kids", "child", "family", "儿童", "孩子", "小孩"),
    "unisex": ("men and women", "男女"),
    "entry": ("admission", "entrance", "ticket", "门票", "入场"),
    "free": ("免费",),
    "phone": ("call", "telephone", "ring", "电话"),
    "address": ("located", "location", "地址"),
    "street": ("地址",),
    "laundry": ("washing", "洗衣"),
    "pool": ("swimming", "swim", "泳池", "游泳池"),
    "gym": ("fitness", "健身房"),
    "wheelchair": ("accessible", "accessibility", "disabled", "轮椅", "无障碍"),
}

#: What people call things of a common node type ("apartments" for type Property, 演出
#: for Event), besides the type's own name: "apartments in Walnut Creek under $2000" lists
#: properties, not the events that cost less.
TYPE_WORDS: Mapping[str, tuple[str, ...]] = {
    "property": (
        "apartment",
        "apartments",
        "flat",
        "flats",
        "home",
        "homes",
        "house",
        "houses",
        "rental",
        "rentals",
        "公寓",
        "房子",
        "房源",
    ),
    "apartment": ("flat", "flats", "place to rent", "rental", "rentals", "公寓"),
    "restaurant": ("place to eat", "places to eat", "eatery", "eateries", "餐厅", "饭店", "餐馆"),
    "hotel": ("place to stay", "places to stay", "motel", "motels", "酒店", "宾馆", "旅馆"),
    "event": (
        "concert",
        "concerts",
        "show",
        "shows",
        "game",
        "games",
        "match",
        "matches",
        "活动",
        "演出",
        "比赛",
        "音乐会",
    ),
    "dentist": ("dental", "dental clinic", "牙医", "牙科"),
    "doctor": ("physician", "physicians", "医生"),
    "attraction": ("sight", "sights", "things to do", "thing to do", "景点"),
    "salon": ("hairdresser", "hairdressers", "barber", "barbers", "haircut", "理发店", "发廊"),
    "stylist": ("hairdresser", "hairdressers", "salon", "salons", "理发店", "发廊"),
    "car": ("rental car", "rental cars", "车"),
    "movie": ("film", "films", "电影"),
    "tea": ("茶",),
    "plan": ("套餐",),
    "treatment": ("治疗", "项目"),
}

# Verbs that open a yes/no predicate's id (``has_live_music``, ``serves_alcohol``) and words
# that close one (``pets_welcome``, ``smoking_allowed``): the rest is what people say.
_FLAG_VERBS = frozenset(
    [
        "has",
        "have",
        "is",
        "are",
        "serves",
        "offers",
        "accepts",
        "allows",
        "provides",
        "includes",
        "supports",
        "takes",
        "sells",
    ]
)
_PLACE_AFTER = {
    "outdoors": "outdoor",
    "indoors": "indoor",
    "outside": "outdoor",
    "inside": "indoor",
}
_FLAG_TAILS = frozenset(
    ["allowed", "welcome", "available", "included", "accepted", "offered", "ok"]
)
#: How a thing is said to do what a closing word says: ``pets_welcome`` -> "welcomes pets".
TAIL_VERBS: Mapping[str, str] = {
    "allowed": "allows",
    "welcome": "welcomes",
    "accepted": "accepts",
    "included": "includes",
    "permitted": "permits",
    "available": "offers",
    "offered": "offers",
}


def predicate_phrases(predicate: str) -> tuple[str, ...]:
    """What people call a predicate beside its id's words: ``has_live_music`` -> "live
    music"; ``has_seating_outdoors`` -> "seating outdoors", "outdoor seating";
    ``pets_welcome`` -> "pets"; ``good_for_kids`` -> "kid friendly"."""
    words = list(predicate_words(predicate))
    if len(words) > 1 and words[0] in _FLAG_VERBS:
        words = words[1:]
    if len(words) > 1 and words[-1] in _FLAG_TAILS:
        words = words[:-1]
    phrases: dict[str, None] = {}
    if words[:2] == ["good", "for"] and len(words) > 2:
        rest = words[2:]
        stem = [*rest[:-1], rest[-1][:-1] if rest[-1].endswith("s") else rest[-1]]
        phrases.update(dict.fromkeys([" ".join(rest), " ".join(stem) + " friendly"]))
        phrases[" ".join(stem) + "-friendly"] = None
    elif words:
        phrases[" ".join(words)] = None
        if len(words) == 2 and words[1] in _PLACE_AFTER:
            # "seating outdoors" is said "outdoor seating"
            phrases[f"{_PLACE_AFTER[words[1]]} {words[0]}"] = None
    return tuple(p for p in phrases if p != " ".join(predicate_words(predicate)))


def word_forms(predicate: str, *, synonyms: bool = True) -> tuple[str, ...]:
    """The predicate's own distinctive words and their inflections, as cues:
    ``steep_time`` -> steep, steeps, steeping, steeped; ``opens_at`` -> opens, open, ...;
    with ``synonyms``, what customers say instead (``alcohol`` -> wine, beer, ...)."""
    forms: dict[str, None] = {}
    for word in predicate_words(predicate):
        if any(ch.isdigit() for ch in word) and len(word) >= 2 and word.isascii():
            forms.setdefault(word, None)  # "5g" in has_5g
            continue
        if len(word) < 3 or word in _GENERIC_WORDS or not word.isascii():
            continue
        for other in _SAME_MEANING.get(word, ()) if synonyms else ():
            forms.setdefault(other, None)
        stem = word
        if word.endswith("ation") and len(word) > 8:
            # cancellation -> cancel, reservation -> reserv(e)
            base = word[:-5]
            base = base[:-1] if len(base) > 3 and base[-1] == base[-2] else base
            for form in (base, base + "s", base + "ed", base + "ing", base + "e"):
                forms.setdefault(form, None)
        for suffix in ("ing", "ed", "es", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
                stem = word[: -len(suffix)]
                break
        for form in (word, stem, stem + "s", stem + "ing", stem + "ed", stem + "es"):
            if len(form) >= 3 and form not in _GENERIC_WORDS:
                forms.setdefault(form, None)
    return tuple(forms)


#: Ordered words people use for levels, lowest first: a text attribute whose values all lie
#: on one scale ("caffeine: low / medium / high", "price_range: $ / $$ / $$$") can be
#: ranked ("which tea has the least caffeine?") without the graph saying the order. A
#: graph's own order (``@caffeine,kind,low<medium<high``) comes first.
SCALES: tuple[tuple[str, ...], ...] = (
    ("none", "very low", "low", "medium", "high", "very high"),
    ("none", "low", "moderate", "high"),
    ("low", "mid", "high"),
    ("light", "medium", "strong"),
    ("mild", "medium", "hot", "very hot"),
    ("small", "medium", "large", "extra large"),
    ("xs", "s", "m", "l", "xl", "xxl"),
    ("short", "medium", "long"),
    ("easy", "moderate", "hard"),
    ("beginner", "intermediate", "advanced", "expert"),
    ("cheap", "moderate", "expensive", "very expensive"),
    ("inexpensive", "moderate", "expensive", "very expensive"),
    ("cheap", "moderate", "pricey", "ultra high-end"),
    ("budget", "mid-range", "premium", "luxury"),
    ("$", "$$", "$$$", "$$$$"),
    ("quiet", "moderate", "busy"),
    ("无", "低", "中", "高"),
    ("小", "中", "大"),
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Kinds of value people ask about by what they are, whatever the predicate is called: a
#: ``category`` whose values are Italian, Asian and American is the cuisine ("what cuisine
#: do they offer?"). Each family: the values that show it, and how it is asked.
VALUE_FAMILIES: tuple[tuple[frozenset[str], tuple[str, ...]], ...] = (
    (
        _words(
            "american asian chinese japanese italian french mexican indian thai vietnamese "
            "korean mediterranean greek spanish seafood pizza burgers sushi ramen barbecue "
            "bbq steakhouse ethiopian brazilian german british caribbean cajun cantonese "
            "sichuan szechuan taiwanese malaysian indonesian filipino peruvian lebanese "
            "turkish persian moroccan fusion gastropub brunch breakfast vegetarian vegan "
            "californian hawaiian tapas dim-sum noodles diner deli bistro"
        )
        | {"middle eastern", "latin american", "dim sum", "comfort food", "fast food"},
        (
            "cuisine",
            "cuisines",
            "food",
            "kind of food",
            "type of food",
            "sort of food",
            "what do they serve",
            "what they serve",
            "菜系",
            "什么菜",
            "菜",
        ),
    ),
    (
        _words(
            "rock pop jazz blues classical country metal hip-hop rap reggae folk electronic "
            "soul funk punk indie comedy drama thriller horror action romance documentary "
            "animation fantasy sci-fi musical"
        )
        | {"hip hop", "science fiction", "r&b"},
        ("genre", "genres", "kind of music", "type of music", "kind of movie", "类型", "风格"),
    ),
)


def family_cues(values: set[str]) -> tuple[str, ...]:
    """How a predicate whose text values (casefolded) are mostly of one family is asked
    ("cuisine" for Italian / Asian / American), or ()."""
    if len(values) < 2:
        return ()
    for members, cues in VALUE_FAMILIES:
        if sum(v in members for v in values) * 2 > len(values):
            return cues
    return ()


def scale_of(values: set[str]) -> tuple[str, ...]:
    """The built-in scale on which all ``values`` (casefolded) lie, or ()."""
    if not values:
        return ()
    for scale in SCALES:
        if values <= set(scale):
            return scale
    return ()


# Chinese for the words of English predicate ids, so a graph exported in English reads in
# Chinese ("phone_number" -> 电话号码) where no label says otherwise. Whole ids first.
_ZH_IDS: Mapping[str, str] = {
    "phone_number": "电话号码",
    "street_address": "地址",
    "venue_address": "场地地址",
    "price_range": "价格档次",
    "pricerange": "价格档次",
    "average_rating": "平均评分",
    "star_rating": "星级",
    "opens_at": "开门时间",
    "closes_at": "关门时间",
    "opening_hours": "营业时间",
    "event_type": "活动类型",
    "price_per_ticket": "票价",
    "free_entry": "免费入场",
    "good_for_kids": "适合儿童",
    "live_music": "现场音乐",
    "seating_outdoors": "户外座位",
    "outdoor_seating": "户外座位",
    "vegetarian_options": "素食选项",
    "laundry_service": "洗衣服务",
    "cosmetic_services": "美容服务",
}
_ZH_WORDS: Mapping[str, str] = {
    "phone": "电话",
    "telephone": "电话",
    "number": "号码",
    "address": "地址",
    "street": "街道",
    "city": "城市",
    "area": "地区",
    "location": "位置",
    "price": "价格",
    "cost": "费用",
    "fee": "费用",
    "range": "档次",
    "rating": "评分",
    "average": "平均",
    "star": "星级",
    "stars": "星级",
    "cuisine": "菜系",
    "food": "菜品",
    "category": "类别",
    "type": "类型",
    "free": "免费",
    "entry": "入场",
    "kids": "儿童",
    "children": "儿童",
    "pets": "宠物",
    "pet": "宠物",
    "wifi": "无线网络",
    "internet": "网络",
    "laundry": "洗衣",
    "service": "服务",
    "services": "服务",
    "smoking": "吸烟",
    "live": "现场",
    "music": "音乐",
    "seating": "座位",
    "outdoor": "户外",
    "outdoors": "户外",
    "vegetarian": "素食",
    "vegan": "纯素",
    "options": "选项",
    "alcohol": "酒水",
    "unisex": "男女通用",
    "parking": "停车",
    "breakfast": "早餐",
    "time": "时间",
    "date": "日期",
    "venue": "场地",
    "ticket": "票",
    "tickets": "票",
    "night": "晚",
    "month": "月",
    "week": "周",
    "day": "天",
    "hour": "小时",
    "person": "人",
    "rent": "租金",
    "beds": "卧室",
    "bedrooms": "卧室",
    "baths": "卫生间",
    "bathrooms": "卫生间",
    "furnished": "带家具",
    "cosmetic": "美容",
    "name": "名称",
    "event": "活动",
    "hours": "营业时间",
    "email": "邮箱",
    "website": "网站",
    "pool": "泳池",
    "gym": "健身房",
    "delivery": "外送",
    "takeaway": "外带",
    "reservations": "预订",
    "reservation": "预订",
    "capacity": "容量",
    "duration": "时长",
    "age": "年龄",
    "minimum": "最低",
    "maximum": "最高",
    "deposit": "押金",
    "discount": "折扣",
    "warranty": "保修",
    "size": "尺寸",
    "weight": "重量",
    "color": "颜色",
    "colour": "颜色",
    "language": "语言",
    "languages": "语言",
    "wheelchair": "轮椅",
    "accessible": "无障碍",
    "genre": "类型",
    "director": "导演",
    "starring": "主演",
    "artist": "艺术家",
    "album": "专辑",
    "year": "年份",
    "seats": "座位",
    "doctor": "医生",
    "specialty": "专科",
    "insurance": "保险",
    "contract": "合约",
    "data": "流量",
    "coverage": "覆盖",
}
_ZH_SKIP = frozenset({"of", "the", "a", "an", "and", "is", "are", "has", "have", "at", "in"})


def zh_name(predicate: str) -> str | None:
    """How a Chinese reader calls an English predicate id, or None when a word of it has no
    entry: ``phone_number`` -> 电话号码, ``number_of_beds`` -> 卧室数量,
    ``price_per_night`` -> 每晚价格."""
    key = "_".join(predicate_words(predicate))
    if not key or not key.isascii():
        return None
    if key in _ZH_IDS:
        return _ZH_IDS[key]
    words = key.split("_")
    if words[0] in _FLAG_VERBS | {"has", "have", "is", "are"} and len(words) > 1:
        return zh_name("_".join(words[1:]))
    if words[-1] in ("allowed", "welcome", "accepted", "permitted") and len(words) > 1:
        return zh_name("_".join(words[:-1]))  # pets_allowed: 宠物
    if words[:2] == ["number", "of"] and len(words) > 2:
        rest = zh_name("_".join(words[2:]))
        return rest + "数量" if rest else None
    if "per" in words[1:-1]:
        at = words.index("per")
        head, unit = zh_name("_".join(words[:at])), zh_name("_".join(words[at + 1 :]))
        return "每" + unit + head if head and unit else None
    zh = [_ZH_WORDS.get(w) for w in words if w not in _ZH_SKIP]
    return "".join(z for z in zh if z) if zh and all(zh) else None


#: The verbs :func:`zh_flag` puts before a yes/no attribute's name.
ZH_FLAG_VERBS = (
    "不可以",
    "不适合",
    "不允许",
    "不提供",
    "不接受",
    "没有",
    "不是",
    "可以",
    "适合",
    "允许",
    "提供",
    "接受",
    "有",
    "是",
    "不",
)


def zh_flag(predicate: str, flag: bool) -> str | None:
    """A yes/no predicate said in Chinese after the subject, by the verb of its id:
    ``has_live_music`` -> 有现场音乐 / 没有现场音乐, ``serves_alcohol`` -> 提供酒水,
    ``pets_allowed`` -> 允许宠物, ``good_for_kids`` -> 适合儿童, ``is_unisex`` -> 是男女通用的."""
    words = list(predicate_words(predicate))
    if not words or not "".join(words).isascii():
        return None
    verb, rest = words[0], "_".join(words[1:])
    if verb in ("has", "have") and rest:
        thing = zh_name(rest)
        return (("有" if flag else "没有") + thing) if thing else None
    if verb in ("serves", "offers", "provides", "sells") and rest:
        thing = zh_name(rest)
        return (("提供" if flag else "不提供") + thing) if thing else None
    if verb in ("accepts", "takes") and rest:
        thing = zh_name(rest)
        return (("接受" if flag else "不接受") + thing) if thing else None
    if verb == "can" and rest:
        thing = zh_name(rest)
        return (("可以" if flag else "不可以") + thing) if thing else None
    if words[:2] == ["good", "for"] and len(words) > 2:
        thing = zh_name("_".join(words[2:]))
        return (("适合" if flag else "不适合") + thing) if thing else None
    if words[-1] in ("allowed", "welcome", "accepted", "permitted") and len(words) > 1:
        thing = zh_name("_".join(words[:-1]))
        return (("允许" if flag else "不允许") + thing) if thing else None
    if verb in ("is", "are") and rest:
        thing = zh_name(rest)
        return (("是" if flag else "不是") + thing + "的") if thing else None
    thing = zh_name("_".join(words))
    if thing is None:
        return None
    if len(words) == 1:
        # furnished, organic: 带家具 / 不带家具
        return thing if flag else "不" + thing
    return ("有" if flag else "没有") + thing  # free_entry: 有免费入场
