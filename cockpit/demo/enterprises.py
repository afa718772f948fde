"""Enterprises: internship hosts and employers, a few thousand at scale 1.

Most sit in the school's city; the partners (校企合作, ~12%) cluster in the
industries the majors serve and host most internships. Ids are well-formed
18-character 统一社会信用代码 (GB 32100-2015 check digit included) so a
school's IT staff see the shape they know; names are invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from cockpit.demo import reference as ref

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
_ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the same alphabet keeps both checks simple
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2])
_ORG_VALUES = np.array([int(ch, 36) for ch in _ORG_CHARS])  # GB 11714: A = 10 … Z = 35

_BRAND = list(
    "恒瑞锐德华通远鑫泰博创联新天科达宏永明兴信嘉睿优智诚立正和盛凯晟亿邦隆昌佳宇航星辰润泽丰源汇中欣腾"
)
# brand pairs of well-known real companies (several in 常州 itself), never generated
# fmt: off
_AVOID = {
    "恒立", "天合", "中天", "星宇", "今创", "华为", "中兴", "恒瑞",
    "华泰", "中信", "中航", "航天", "华润", "中华", "信达", "科达",
    "宏达", "永达", "华达", "通达", "恒通", "天通", "德华", "新华",
    "天华", "永泰", "华通", "联创", "亿晶", "天宇", "汇川", "博创",
}
# fmt: on
_WORDS: dict[str, tuple[str, ...]] = {
    "A": ("农业科技", "生态农业"),
    "C": ("精密制造", "工业科技"),
    "C14": ("食品",),
    "C26": ("化工", "新材料"),
    "C27": ("药业", "生物医药"),
    "C29": ("塑业", "橡塑制品"),
    "C33": ("金属制品", "五金"),
    "C34": ("精密机械", "机床", "通用设备"),
    "C35": ("智能装备", "自动化设备", "机械装备"),
    "C36": ("汽车部件", "新能源汽车", "汽车零部件"),
    "C37": ("轨道交通装备", "车辆配件"),
    "C38": ("电气", "电机", "新能源科技", "储能科技"),
    "C39": ("电子", "微电子", "光电科技", "半导体"),
    "C40": ("仪器仪表", "传感技术"),
    "D44": ("电力工程", "能源服务"),
    "E47": ("建设工程", "建筑工程"),
    "E48": ("市政工程", "路桥建设"),
    "E50": ("装饰工程", "建筑装饰设计"),
    "F51": ("贸易", "供应链", "进出口"),
    "F52": ("商贸", "百货", "电子商务", "汽车销售服务"),
    "G53": ("轨道交通运营", "城轨运营服务"),
    "G54": ("运输", "客运"),
    "G58": ("国际货运代理", "供应链管理"),
    "G59": ("仓储物流", "物流"),
    "G60": ("快递服务",),
    "H61": ("酒店管理", "大酒店"),
    "H62": ("餐饮管理", "餐饮服务"),
    "I63": ("通信工程", "信息通信"),
    "I64": ("网络科技", "互联网科技", "数字传媒"),
    "I65": ("软件", "信息技术", "数字科技", "数据科技"),
    "J66": ("融资担保", "小额贷款"),
    "J68": ("保险代理", "保险经纪"),
    "K70": ("置业", "物业服务", "房地产经纪"),
    "L72": ("企业管理咨询", "人力资源", "财务咨询", "广告", "会展服务", "旅行社"),
    "M73": ("技术研究院",),
    "M74": ("工程咨询", "检测技术", "工程造价咨询"),
    "M75": ("科技服务", "技术转移"),
    "N": ("环境科技",),
    "N78": ("市政设施管理", "园林绿化"),
    "O80": ("家政服务", "生活服务"),
    "O81": ("汽车维修服务", "汽车服务"),
    "P": ("教育科技", "职业培训"),
    "P83": ("教育科技", "职业培训"),
    "Q": ("健康管理", "康养服务"),
    "Q84": ("医疗管理", "健康管理"),
    "R87": ("文化传媒", "影视传媒"),
    "R88": ("文化艺术", "文化创意"),
    "S92": ("公共服务",),
}


@dataclass
class Enterprises:
    """Parallel arrays, one entry per enterprise."""

    ids: np.ndarray
    names: np.ndarray
    industry: np.ndarray
    region: np.ndarray
    partner: np.ndarray
    partner_since: np.ndarray  # datetime64[D], NaT when not a partner
    popularity: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def pick(self, rng: np.random.Generator, industries: np.ndarray, partner_share: float) -> np.ndarray:
        """One enterprise index per requested industry code: a partner with
        probability ``partner_share`` where the industry has one, weighted by
        popularity so that a few big employers take many students."""
        out = np.empty(len(industries), dtype=np.int64)
        for code in np.unique(industries):
            rows = np.flatnonzero(industries == code)
            pool = np.flatnonzero(self.industry == code)
            if pool.size == 0:
                raise KeyError(f"no enterprise in industry {code}")
            partners = pool[self.partner[pool]]
            to_partner = rng.random(rows.size) < (partner_share if partners.size else 0.0)
            for mask, cands in ((to_partner, partners), (~to_partner, pool)):
                k = int(mask.sum())
                if k:
                    p = self.popularity[cands] / self.popularity[cands].sum()
                    out[rows[mask]] = rng.choice(cands, size=k, p=p)
        return out


def industry_mix() -> dict[str, float]:
    """Where enterprises are: mostly the majors' industries, plus the general economy."""
    mapped: dict[str, float] = {}
    for m in ref.MAJORS:
        for code, w in m.industries:
            mapped[code] = mapped.get(code, 0.0) + m.size * w
    total_mapped = sum(mapped.values())
    total_general = sum(ref.GENERAL_EMPLOYMENT.values())
    mix = {k: 0.55 * v / total_mapped for k, v in mapped.items()}
    for k, v in ref.GENERAL_EMPLOYMENT.items():
        mix[k] = mix.get(k, 0.0) + 0.45 * v / total_general
    return mix


def draw_served(rng: np.random.Generator, majors: np.ndarray) -> np.ndarray:
    """For each student (major index), one of the industries the major serves, by weight."""
    out = np.empty(majors.size, dtype="U3")
    for m in np.unique(majors):
        rows = np.flatnonzero(majors == m)
        codes = np.array([c for c, _ in ref.MAJORS[m].industries])
        w = np.array([w for _, w in ref.MAJORS[m].industries])
        out[rows] = rng.choice(codes, size=rows.size, p=w / w.sum())
    return out


def draw_general(rng: np.random.Generator, n: int) -> np.ndarray:
    """Industries of the wider economy, for jobs outside the major's own."""
    codes = np.array(list(ref.GENERAL_EMPLOYMENT))
    w = np.array(list(ref.GENERAL_EMPLOYMENT.values()), dtype=float)
    return rng.choice(codes, size=n, p=w / w.sum())


def ring_of(region: np.ndarray) -> np.ndarray:
    """0 for the school's city, 1 for the rest of its province, 2 elsewhere."""
    city = np.char.startswith(region, ref.CITY_CODE[:4])
    province = np.char.startswith(region, ref.PROVINCE_PREFIX)
    return np.where(city, 0, np.where(province, 1, 2))


def pick_region(rng: np.random.Generator, n: int, rings: tuple[float, float, float]) -> np.ndarray:
    """Region codes: the city, the rest of the province, other provinces."""
    ring = rng.choice(3, size=n, p=np.array(rings) / sum(rings))
    out = np.empty(n, dtype="U6")
    for r, table in enumerate((ref.CITY_DISTRICTS, ref.PROVINCE_DISTRICTS, ref.OTHER_DISTRICTS)):
        idx = np.flatnonzero(ring == r)
        codes = np.array([c for c, _, _ in table])
        w = np.array([w for _, _, w in table])
        out[idx] = rng.choice(codes, size=idx.size, p=w / w.sum())
    return out


def generate_enterprises(rng: np.random.Generator, scale: float, today: date) -> Enterprises:
    mix = industry_mix()
    codes = sorted(mix)
    n_total = max(len(codes) * 3, round(2500 * scale))
    weights = np.array([mix[c] for c in codes])
    counts = np.maximum(2, np.floor(weights / weights.sum() * n_total)).astype(int)
    industry = np.repeat(np.array(codes), counts)
    industry = industry[rng.permutation(industry.size)]
    n = industry.size
    region = pick_region(rng, n, ref.ENTERPRISE_RINGS)
    in_city = np.char.startswith(region, ref.CITY_CODE[:4])
    mapped = np.isin(industry, [c for m in ref.MAJORS for c, _ in m.industries])
    p_partner = np.where(mapped, np.where(in_city, 0.16, 0.10), 0.04)
    partner = rng.random(n) < p_partner
    for code in {c for m in ref.MAJORS for c, _ in m.industries}:  # every served industry has partners
        pool = np.flatnonzero(industry == code)
        if not partner[pool].any():
            partner[pool[:2]] = True
    back = 30 + (3650 - 30) * rng.beta(1.3, 2.2, n)
    since = np.datetime64(today, "D") - back.astype("timedelta64[D]")
    since = np.where(partner, since, np.datetime64("NaT"))
    popularity = rng.lognormal(0.0, 1.0, n) * np.where(partner, 3.0, 1.0)
    return Enterprises(
        ids=_credit_codes(rng, region),
        names=_names(rng, industry, region),
        industry=industry,
        region=region,
        partner=partner,
        partner_since=since.astype("datetime64[D]"),
        popularity=popularity,
    )


def _check(values: np.ndarray, weights: np.ndarray, modulus: int) -> np.ndarray:
    return (modulus - (values * weights).sum(axis=1) % modulus) % modulus


def _credit_codes(rng: np.random.Generator, region: np.ndarray) -> np.ndarray:
    """Unique 统一社会信用代码: 9 (工商) 1 (企业), the region, a 9-character
    organisation code with its own check character, and the final check character."""
    n = region.size
    seen: set[str] = set()
    out = np.empty(n, dtype="U18")
    todo = np.arange(n)
    while todo.size:
        body = rng.integers(0, 31, size=(todo.size, 8))
        new_style = rng.random(todo.size) < 0.7  # post-2015 codes start with "MA"
        body[new_style, 0] = _ORG_CHARS.index("M")
        body[new_style, 1] = _ORG_CHARS.index("A")
        body[~new_style] %= 10  # old organisation codes: digits only
        org_values = _ORG_VALUES[body]
        c9 = (11 - (org_values * _ORG_WEIGHTS).sum(axis=1) % 11) % 11
        org_check = np.where(c9 == 10, _USCC_CHARS.index("X"), c9)
        region_digits = region[todo].astype("S6").view(np.uint8).reshape(-1, 6).astype(np.int64) - ord("0")
        full = np.column_stack((np.full(todo.size, 9), np.full(todo.size, 1), region_digits, body, org_check))
        check = _check(full, _USCC_WEIGHTS, 31)
        chars = np.array(list(_USCC_CHARS))
        codes = ["".join(row) for row in chars[np.column_stack((full, check))]]
        retry = []
        for i, code in zip(todo.tolist(), codes, strict=True):
            if code in seen:
                retry.append(i)
            else:
                seen.add(code)
                out[i] = code
        todo = np.array(retry, dtype=np.int64)
    return out


def credit_code(region: str, organisation: str) -> str:
    """One 统一社会信用代码 from a region code and an 8-character organisation body,
    with both check characters computed as ``_credit_codes`` does (the planted rows
    use it: a well-formed id the generator's random bodies will not produce)."""
    body = np.array([[_ORG_CHARS.index(ch) for ch in organisation]])
    c9 = int((11 - (_ORG_VALUES[body] * _ORG_WEIGHTS).sum() % 11) % 11)
    org_check = _USCC_CHARS.index("X") if c9 == 10 else c9
    full = np.array([[9, 1, *(int(d) for d in region), *body[0].tolist(), org_check]])
    check = int(_check(full, _USCC_WEIGHTS, 31)[0])
    return "".join(_USCC_CHARS[i] for i in [*full[0].tolist(), check])


def _names(rng: np.random.Generator, industry: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Invented company names: place, a two-character brand, trade, legal form."""
    place = {c: name for table in (ref.CITY_DISTRICTS, ref.PROVINCE_DISTRICTS, ref.OTHER_DISTRICTS)
             for c, name, _ in table}  # fmt: skip
    forms = np.array(["有限公司", "股份有限公司", "有限责任公司"])
    n = industry.size
    brand_a = rng.integers(0, len(_BRAND), n)
    brand_b = (brand_a + rng.integers(1, len(_BRAND), n)) % len(_BRAND)
    form = rng.choice(forms, size=n, p=[0.72, 0.18, 0.10])
    provincial = rng.random(n) < 0.2
    pick = rng.random(n)
    names = []
    for i in range(n):
        code = str(industry[i])
        words = _WORDS.get(code) or _WORDS.get(code[0]) or ("实业",)
        word = words[int(pick[i] * len(words))]
        where = (
            "江苏" if provincial[i] and region[i].startswith(ref.PROVINCE_PREFIX) else place[str(region[i])]
        )
        a, b = int(brand_a[i]), int(brand_b[i])
        while _BRAND[a] + _BRAND[b] in _AVOID or a == b:
            b = (b + 1) % len(_BRAND)
        names.append(f"{where}{_BRAND[a]}{_BRAND[b]}{word}{form[i]}")
    return np.array(names)
