"""Reference lists of the demo school: who it is, what it teaches, whom it serves.

Everything a leader would recognise must be real — the city and its GB/T 2260
codes, the majors of 《职业教育专业目录(2021年)》 (高职专科), the GB/T
4754-2017 industries — so that the screens read like a real school's; only the
school itself and its partner companies are invented. Behavioural parameters
(how well each 二级学院 places its graduates, how slow each approval step is)
live here too, next to the lists they describe, so that the story the demo
tells can be read and tuned in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- the school -------------------------------------------------------------

SCHOOL_CODE = "4132099901"  # 学校标识码-shaped, deliberately not a real school's
SCHOOL_NAME = "常州晋陵智造职业技术学院"  # invented; 晋陵 is an old name of 常州
CITY_CODE = "320400"  # 常州市
PROVINCE_PREFIX = "32"  # 江苏省
OTHER_REGION_CODE = "320200"  # 无锡市: demand rows the cockpit must ignore

# Where employers and graduates are: (region code, short name used in company
# names, weight within its ring). Rings: the school's city, the rest of the
# province, other provinces.
CITY_DISTRICTS: tuple[tuple[str, str, float], ...] = (
    ("320411", "常州", 0.30),  # 新北区
    ("320412", "常州", 0.28),  # 武进区
    ("320402", "常州", 0.15),  # 天宁区
    ("320404", "常州", 0.12),  # 钟楼区
    ("320413", "常州", 0.08),  # 金坛区
    ("320481", "溧阳", 0.07),  # 溧阳市
)
PROVINCE_DISTRICTS: tuple[tuple[str, str, float], ...] = (
    ("320583", "昆山", 0.12),  # 苏州 昆山市
    ("320505", "苏州", 0.12),  # 苏州 虎丘区
    ("320506", "苏州", 0.06),  # 苏州 吴中区
    ("320214", "无锡", 0.12),  # 无锡 新吴区
    ("320281", "江阴", 0.06),  # 无锡 江阴市
    ("320115", "南京", 0.12),  # 南京 江宁区
    ("320102", "南京", 0.05),  # 南京 玄武区
    ("321181", "丹阳", 0.07),  # 镇江 丹阳市
    ("321102", "镇江", 0.05),  # 镇江 京口区
    ("320612", "南通", 0.06),  # 南通 通州区
    ("321003", "扬州", 0.04),  # 扬州 邗江区
    ("321202", "泰州", 0.04),  # 泰州 海陵区
    ("320303", "徐州", 0.03),  # 徐州 云龙区
    ("320902", "盐城", 0.03),  # 盐城 亭湖区
)
OTHER_DISTRICTS: tuple[tuple[str, str, float], ...] = (
    ("310115", "上海", 0.20),  # 上海 浦东新区
    ("310112", "上海", 0.10),  # 上海 闵行区
    ("310104", "上海", 0.05),  # 上海 徐汇区
    ("330106", "杭州", 0.07),  # 杭州 西湖区
    ("330108", "杭州", 0.05),  # 杭州 滨江区
    ("330212", "宁波", 0.05),  # 宁波 鄞州区
    ("340104", "合肥", 0.10),  # 合肥 蜀山区
    ("440305", "深圳", 0.07),  # 深圳 南山区
    ("440306", "深圳", 0.04),  # 深圳 宝安区
    ("440106", "广州", 0.03),  # 广州 天河区
    ("110108", "北京", 0.04),  # 北京 海淀区
    ("370102", "济南", 0.03),  # 济南 历下区
    ("410105", "郑州", 0.03),  # 郑州 金水区
    ("420106", "武汉", 0.02),  # 武汉 武昌区
    ("510107", "成都", 0.02),  # 成都 武侯区
)
# Share of employers in the city / the rest of the province / elsewhere.
ENTERPRISE_RINGS = (0.58, 0.25, 0.17)


# --- GB/T 4754-2017 ---------------------------------------------------------

SECTIONS: dict[str, str] = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}

# Divisions (大类) the demo may use, with their official names. Only those
# actually used end up in the industry table.
DIVISIONS: dict[str, str] = {
    "A01": "农业",
    "A05": "农、林、牧、渔专业及辅助性活动",
    "C14": "食品制造业",
    "C26": "化学原料和化学制品制造业",
    "C27": "医药制造业",
    "C29": "橡胶和塑料制品业",
    "C33": "金属制品业",
    "C34": "通用设备制造业",
    "C35": "专用设备制造业",
    "C36": "汽车制造业",
    "C37": "铁路、船舶、航空航天和其他运输设备制造业",
    "C38": "电气机械和器材制造业",
    "C39": "计算机、通信和其他电子设备制造业",
    "C40": "仪器仪表制造业",
    "D44": "电力、热力生产和供应业",
    "E47": "房屋建筑业",
    "E48": "土木工程建筑业",
    "E50": "建筑装饰、装修和其他建筑业",
    "F51": "批发业",
    "F52": "零售业",
    "G53": "铁路运输业",
    "G54": "道路运输业",
    "G58": "多式联运和运输代理业",
    "G59": "装卸搬运和仓储业",
    "G60": "邮政业",
    "H61": "住宿业",
    "H62": "餐饮业",
    "I63": "电信、广播电视和卫星传输服务",
    "I64": "互联网和相关服务",
    "I65": "软件和信息技术服务业",
    "J66": "货币金融服务",
    "J68": "保险业",
    "K70": "房地产业",
    "L72": "商务服务业",
    "M73": "研究和试验发展",
    "M74": "专业技术服务业",
    "M75": "科技推广和应用服务业",
    "N78": "公共设施管理业",
    "O80": "居民服务业",
    "O81": "机动车、电子产品和日用产品修理业",
    "P83": "教育",
    "Q84": "卫生",
    "Q85": "社会工作",
    "R87": "广播、电视、电影和录音制作业",
    "R88": "文化艺术业",
    "S92": "国家机构",
}

# Their English names (the National Bureau of Statistics' English edition of
# GB/T 4754-2017), for the optional industry.name_en of contract v1.1.
DIVISIONS_EN: dict[str, str] = {
    "A01": "Agriculture",
    "A05": "Professional and Support Activities for Agriculture, Forestry, Animal Husbandry and Fishery",
    "C14": "Manufacture of Foods",
    "C26": "Manufacture of Raw Chemical Materials and Chemical Products",
    "C27": "Manufacture of Medicines",
    "C29": "Manufacture of Rubber and Plastics Products",
    "C33": "Manufacture of Metal Products",
    "C34": "Manufacture of General Purpose Machinery",
    "C35": "Manufacture of Special Purpose Machinery",
    "C36": "Manufacture of Automobiles",
    "C37": "Manufacture of Railway, Ship, Aerospace and Other Transport Equipment",
    "C38": "Manufacture of Electrical Machinery and Apparatus",
    "C39": "Manufacture of Computers, Communication and Other Electronic Equipment",
    "C40": "Manufacture of Measuring Instruments and Meters",
    "D44": "Production and Supply of Electric Power and Heat Power",
    "E47": "Construction of Buildings",
    "E48": "Civil Engineering",
    "E50": "Building Decoration, Renovation and Other Construction Activities",
    "F51": "Wholesale Trade",
    "F52": "Retail Trade",
    "G53": "Rail Transport",
    "G54": "Road Transport",
    "G58": "Multimodal Transport and Transport Agency Services",
    "G59": "Loading, Unloading, Handling and Warehousing",
    "G60": "Postal Services",
    "H61": "Accommodation",
    "H62": "Catering Services",
    "I63": "Telecommunications, Broadcasting and Satellite Transmission Services",
    "I64": "Internet and Related Services",
    "I65": "Software and Information Technology Services",
    "J66": "Monetary Financial Services",
    "J68": "Insurance",
    "K70": "Real Estate",
    "L72": "Business Services",
    "M73": "Research and Experimental Development",
    "M74": "Professional and Technical Services",
    "M75": "Technology Promotion and Application Services",
    "N78": "Management of Public Facilities",
    "O80": "Resident Services",
    "O81": "Repair of Motor Vehicles, Electronic Products and Daily-use Products",
    "P83": "Education",
    "Q84": "Health",
    "Q85": "Social Work",
    "R87": "Radio, Television, Film and Sound Recording Production",
    "R88": "Culture and Arts",
    "S92": "State Organs",
}

# Industries graduates land in when not in their major's own (weights).
GENERAL_EMPLOYMENT: dict[str, float] = {
    "C33": 4, "C34": 5, "C35": 4, "C36": 4, "C38": 6, "C39": 6, "C26": 3, "C29": 2,
    "F51": 6, "F52": 8, "G54": 2, "G59": 3, "H61": 2, "H62": 4, "I64": 4, "I65": 5,
    "J66": 2, "J68": 2, "K70": 4, "L72": 8, "M74": 3, "M75": 2, "O80": 3, "O81": 2,
    "P83": 3, "Q84": 2, "R87": 1, "R88": 1, "E47": 3, "E50": 2, "N78": 1, "S92": 1,
}  # fmt: skip


# --- departments and majors ------------------------------------------------


@dataclass(frozen=True)
class Department:
    """One 二级学院 with its behaviour: how its graduates and interns fare.

    ``placement`` is the share placed by Dec 31 for the latest past cohort and
    ``trend`` its change per year (earlier cohorts: placement − trend × years
    back); the weak departments sit below the 0.90 warning and 0.85 critical
    thresholds on purpose, so the screens have something to show.
    """

    code: str
    name_zh: str
    name_en: str
    placement: float
    trend: float
    further: float  # share of the placed who go on to study (专升本)
    flexible: float  # share of the placed in 灵活就业
    salary: float  # salary factor against the school mean
    fit: float  # employed in one of the major's industries
    match: float  # internship 专业对口
    logs: float  # mean 实习周志 submission rate
    insured: float  # internship insurance in force
    retention: float  # P(contract employer is the internship host)
    score: float  # mean enterprise_score


ACADEMIC: tuple[Department, ...] = (
    Department("JX01", "智能制造学院", "School of Intelligent Manufacturing",
               0.955, 0.004, 0.10, 0.08, 1.04, 0.70, 0.85, 0.95, 0.985, 0.42, 86),
    Department("JX02", "电气与自动化学院", "School of Electrical Engineering and Automation",
               0.960, 0.003, 0.10, 0.07, 1.06, 0.72, 0.87, 0.95, 0.990, 0.45, 87),
    Department("JX03", "汽车工程学院", "School of Automotive Engineering",
               0.935, 0.006, 0.09, 0.10, 1.00, 0.66, 0.82, 0.93, 0.980, 0.40, 85),
    Department("JX04", "信息工程学院", "School of Information Engineering",
               0.925, 0.002, 0.14, 0.14, 1.12, 0.62, 0.78, 0.92, 0.975, 0.30, 84),
    Department("JX05", "电子与物联网学院", "School of Electronics and Internet of Things",
               0.940, 0.004, 0.12, 0.10, 1.08, 0.66, 0.82, 0.94, 0.980, 0.38, 85),
    Department("JX06", "财经学院", "School of Finance and Accounting",
               0.905, 0.000, 0.24, 0.12, 0.93, 0.55, 0.74, 0.93, 0.970, 0.22, 85),
    Department("JX07", "商贸物流学院", "School of Business and Logistics",
               0.915, 0.002, 0.16, 0.18, 0.97, 0.58, 0.76, 0.90, 0.965, 0.28, 83),
    Department("JX08", "建筑工程学院", "School of Civil Engineering and Architecture",
               0.872, -0.012, 0.15, 0.12, 0.98, 0.60, 0.80, 0.91, 0.970, 0.30, 84),
    Department("JX09", "轨道交通学院", "School of Rail Transit",
               0.965, 0.002, 0.08, 0.05, 1.02, 0.78, 0.90, 0.96, 0.990, 0.50, 88),
    Department("JX10", "艺术设计学院", "School of Art and Design",
               0.838, 0.000, 0.18, 0.26, 0.90, 0.52, 0.70, 0.86, 0.940, 0.18, 82),
    Department("JX11", "现代服务学院", "School of Tourism and Modern Services",
               0.880, 0.003, 0.10, 0.20, 0.88, 0.64, 0.80, 0.83, 0.950, 0.35, 81),
)  # fmt: skip

ADMINISTRATIVE: tuple[tuple[str, str, str, float], ...] = (
    # code, name, English name, share of the offices' approval requests
    ("XZ01", "党政办公室", "Party and President's Office", 0.20),
    ("XZ02", "财务处", "Finance Office", 0.10),
    ("XZ03", "教务处", "Academic Affairs Office", 0.16),
    ("XZ04", "学生工作处", "Student Affairs Office", 0.15),
    ("XZ05", "人事处", "Human Resources Office", 0.10),
    ("XZ06", "招生就业处", "Admissions and Career Services Office", 0.11),
    ("XZ07", "资产管理处", "Asset Management Office", 0.10),
    ("XZ08", "校企合作处", "Industry-College Cooperation Office", 0.08),
)


@dataclass(frozen=True)
class Major:
    """A major: its 2021 catalogue code and name, department, relative intake,
    and the industries it serves (GB/T 4754 division, weight) summing to 1."""

    catalog_code: str
    name_zh: str
    department: str
    size: float
    industries: tuple[tuple[str, float], ...]
    active: bool = True


MAJORS: tuple[Major, ...] = (
    # 智能制造学院
    Major("460101", "机械设计与制造", "JX01", 2, (("C34", 0.5), ("C35", 0.3), ("C33", 0.2))),
    Major("460102", "数字化设计与制造技术", "JX01", 1, (("C34", 0.5), ("C35", 0.5))),
    Major("460103", "数控技术", "JX01", 2, (("C34", 0.6), ("C33", 0.4))),
    Major("460104", "机械制造及自动化", "JX01", 2, (("C34", 0.5), ("C35", 0.3), ("C36", 0.2))),
    # 电气与自动化学院
    Major("460301", "机电一体化技术", "JX02", 3, (("C35", 0.4), ("C38", 0.4), ("C34", 0.2))),
    Major("460305", "工业机器人技术", "JX02", 2, (("C35", 0.6), ("C34", 0.4))),
    Major("460306", "电气自动化技术", "JX02", 3, (("C38", 0.6), ("D44", 0.4))),
    # 汽车工程学院
    Major("460701", "汽车制造与试验技术", "JX03", 1, (("C36", 1.0),)),
    Major("460702", "新能源汽车技术", "JX03", 3, (("C36", 0.7), ("C38", 0.3))),
    Major("500211", "汽车检测与维修技术", "JX03", 2, (("O81", 0.6), ("F52", 0.4))),
    Major("500212", "新能源汽车检测与维修技术", "JX03", 1, (("O81", 0.7), ("C36", 0.3))),
    Major("500210", "汽车技术服务与营销", "JX03", 1, (("F52", 0.7), ("O81", 0.3)), active=False),
    # 信息工程学院
    Major("510201", "计算机应用技术", "JX04", 2, (("I65", 0.7), ("I64", 0.3))),
    Major("510202", "计算机网络技术", "JX04", 2, (("I65", 0.6), ("I63", 0.4))),
    Major("510203", "软件技术", "JX04", 3, (("I65", 1.0),)),
    Major("510205", "大数据技术", "JX04", 2, (("I65", 0.7), ("I64", 0.3))),
    Major("510206", "云计算技术应用", "JX04", 1, (("I65", 0.6), ("I64", 0.4))),
    Major("510207", "信息安全技术应用", "JX04", 1, (("I65", 1.0),)),
    # 电子与物联网学院
    Major("510101", "电子信息工程技术", "JX05", 2, (("C39", 1.0),)),
    Major("510102", "物联网应用技术", "JX05", 2, (("C39", 0.5), ("I65", 0.5))),
    Major("510103", "应用电子技术", "JX05", 1, (("C39", 0.7), ("C40", 0.3)), active=False),
    Major("510209", "人工智能技术应用", "JX05", 2, (("I65", 0.7), ("I64", 0.3))),
    Major("510301", "现代通信技术", "JX05", 1, (("I63", 0.7), ("C39", 0.3))),
    Major("510401", "集成电路技术", "JX05", 1, (("C39", 1.0),)),
    # 财经学院
    Major("530301", "大数据与财务管理", "JX06", 2, (("L72", 0.6), ("J66", 0.4))),
    Major("530302", "大数据与会计", "JX06", 3, (("L72", 0.7), ("F51", 0.3))),
    Major("530303", "大数据与审计", "JX06", 1, (("L72", 1.0),)),
    Major("530304", "会计信息管理", "JX06", 1, (("L72", 0.6), ("I65", 0.4)), active=False),
    Major("530201", "金融服务与管理", "JX06", 1, (("J66", 0.6), ("J68", 0.4))),
    # 商贸物流学院
    Major("530701", "电子商务", "JX07", 2, (("F52", 0.6), ("I64", 0.4))),
    Major("530702", "跨境电子商务", "JX07", 1, (("F51", 0.6), ("F52", 0.4))),
    Major("530704", "网络营销与直播电商", "JX07", 1, (("F52", 0.5), ("I64", 0.5))),
    Major("530802", "现代物流管理", "JX07", 2, (("G59", 0.6), ("G58", 0.4))),
    Major("530601", "工商企业管理", "JX07", 1, (("L72", 0.6), ("F51", 0.4))),
    # 建筑工程学院
    Major("440301", "建筑工程技术", "JX08", 2, (("E47", 0.7), ("E48", 0.3))),
    Major("440501", "工程造价", "JX08", 2, (("E47", 0.5), ("M74", 0.5))),
    Major("440102", "建筑装饰工程技术", "JX08", 1, (("E50", 1.0),)),
    # 轨道交通学院
    Major("500601", "城市轨道交通车辆技术", "JX09", 1, (("G53", 0.6), ("C37", 0.4))),
    Major("500602", "城市轨道交通机电技术", "JX09", 1, (("G53", 0.7), ("C38", 0.3))),
    Major("500603", "城市轨道交通通信信号技术", "JX09", 1, (("G53", 0.7), ("I63", 0.3))),
    Major("500606", "城市轨道交通运营管理", "JX09", 2, (("G53", 1.0),)),
    # 艺术设计学院
    Major("550101", "艺术设计", "JX10", 1, (("L72", 0.5), ("R88", 0.5))),
    Major("550102", "视觉传达设计", "JX10", 1, (("L72", 0.6), ("R87", 0.4))),
    Major("550103", "数字媒体艺术设计", "JX10", 2, (("R87", 0.5), ("I64", 0.5))),
    Major("510204", "数字媒体技术", "JX10", 1, (("I64", 0.5), ("R87", 0.5))),
    # 现代服务学院
    Major("540101", "旅游管理", "JX11", 1, (("L72", 0.6), ("H61", 0.4))),
    Major("540106", "酒店管理与数字化运营", "JX11", 1, (("H61", 1.0),)),
    Major("540202", "烹饪工艺与营养", "JX11", 1, (("H62", 1.0),)),
)


def major_code(index: int) -> str:
    """The school's own major code: department number then a serial, e.g. ``0103``."""
    major = MAJORS[index]
    serial = [m for m in MAJORS[: index + 1] if m.department == major.department]
    return f"{major.department[2:]}{len(serial):02d}"


# --- intake ---------------------------------------------------------------

INTAKE_PER_YEAR = 4100  # new students at scale 1 in the year before the latest intake
INTAKE_GROWTH = 0.03  # enrolment expansion per year
# Students who left (withdrawn) or paused (suspended), by years since entry.
WITHDRAWN_BY_YEARS_IN = {0: 0.008, 1: 0.025, 2: 0.035}
WITHDRAWN_GRADUATED = 0.04
SUSPENDED_BY_YEARS_IN = {0: 0.003, 1: 0.010, 2: 0.012}


# --- OA approvals -----------------------------------------------------------

# Step roles and their delay in working days: (median, lognormal sigma).
ROLE_DELAY: dict[str, tuple[float, float]] = {
    "head": (0.12, 1.0),  # 部门负责人: within hours
    "office": (0.25, 1.0),  # a 职能处室's review
    "vice": (0.5, 1.15),  # 分管校领导: often waits for a free slot
    "president": (0.8, 1.25),  # 校长: slowest, long tail
}


@dataclass(frozen=True)
class Process:
    """An OA workflow: its slots (step name, role, probability of being on the
    route) in order, its SLA, share of the volume and who files it."""

    code: str
    name_zh: str
    name_en: str  # contract v1.1 approval_process.name_en
    category: str
    sla: float
    share: float
    academic: float  # share of requests filed by 二级学院 (the rest by offices)
    slowness: float  # multiplies every step's delay
    steps: tuple[tuple[str, str, float], ...]


PROCESSES: tuple[Process, ...] = (
    Process("OA01", "经费报销", "Expense Reimbursement", "finance", 5, 0.27, 0.62, 1.3, (
        ("部门负责人审核", "head", 1.0), ("财务处审核", "office", 1.0),
        ("分管校领导审批", "vice", 0.35), ("校长审批", "president", 0.04))),
    Process("OA02", "采购申请", "Procurement Request", "finance", 7, 0.07, 0.55, 1.9, (
        ("部门负责人审核", "head", 1.0), ("资产管理处审核", "office", 1.0),
        ("财务处审核", "office", 1.0), ("分管校领导审批", "vice", 1.0), ("校长审批", "president", 0.25))),
    Process("OA03", "用印申请", "Seal Use Request", "seal", 2, 0.14, 0.55, 1.0, (
        ("部门负责人审核", "head", 1.0), ("党政办公室审核", "office", 1.0))),
    Process("OA04", "合同审批", "Contract Approval", "contract", 5, 0.06, 0.45, 1.6, (
        ("部门负责人审核", "head", 1.0), ("法务审核", "office", 0.7), ("财务处审核", "office", 1.0),
        ("分管校领导审批", "vice", 1.0), ("校长审批", "president", 0.3))),
    Process("OA05", "校企合作协议", "School-Enterprise Cooperation Agreement", "partnership",
            10, 0.02, 0.85, 2.2, (
        ("部门负责人审核", "head", 1.0), ("校企合作处审核", "office", 1.0),
        ("分管校领导审批", "vice", 1.0), ("校长审批", "president", 1.0))),
    Process("OA06", "请假申请", "Leave Request", "personnel", 2, 0.16, 0.60, 0.8, (
        ("部门负责人审核", "head", 1.0), ("人事处审核", "office", 1.0), ("分管校领导审批", "vice", 0.12))),
    Process("OA07", "出差审批", "Business Trip Approval", "other", 2, 0.12, 0.60, 0.8, (
        ("部门负责人审核", "head", 1.0), ("分管校领导审批", "vice", 1.0))),
    Process("OA08", "公文发文", "Official Document Issuance", "document", 5, 0.05, 0.15, 1.2, (
        ("部门负责人审核", "head", 1.0), ("党政办公室核稿", "office", 1.0),
        ("分管校领导审批", "vice", 1.0), ("校长签发", "president", 0.5))),
    Process("OA09", "人事审批", "Personnel Approval", "personnel", 10, 0.02, 0.40, 1.5, (
        ("部门负责人审核", "head", 1.0), ("人事处审核", "office", 1.0),
        ("分管校领导审批", "vice", 1.0), ("校长审批", "president", 0.7))),
    Process("OA10", "场地借用", "Venue Booking", "other", 2, 0.05, 0.70, 0.8, (
        ("部门负责人审核", "head", 1.0), ("资产管理处审核", "office", 1.0))),
    Process("OA11", "调停课申请", "Class Rescheduling Request", "other", 2, 0.04, 0.95, 0.7, (
        ("部门负责人审核", "head", 1.0), ("教务处审核", "office", 1.0))),
)  # fmt: skip

APPROVALS_PER_YEAR = 25000  # at scale 1
APPROVAL_YEARS = 3


# --- regional demand for talent ----------------------------------------------

# Monthly job openings posted in the school's city at the latest month, by
# industry (division, or a whole section where the source does not split it).
# Shaped on a manufacturing city; deliberately not the school's own supply mix.
DEMAND_PROFILE: dict[str, float] = {
    "C26": 900, "C33": 1100, "C34": 1500, "C35": 1300, "C36": 1250, "C38": 2100, "C39": 1700,
    "C29": 500, "C40": 300, "D44": 250, "E47": 650, "E48": 350, "E50": 250,
    "F51": 1100, "F52": 1500, "G54": 350, "G58": 250, "G59": 450, "G53": 60,
    "H61": 300, "H62": 750, "I63": 200, "I64": 550, "I65": 950, "J66": 250, "J68": 350,
    "K70": 500, "L72": 900, "M73": 250, "M74": 450, "M75": 250, "N": 200, "O80": 350, "O81": 300,
    "P": 450, "Q": 800, "R87": 120, "R88": 100, "A": 80,
}  # fmt: skip
