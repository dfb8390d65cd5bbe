"""The demo county's standard, built from the real examples in ../shared/DOMAIN.md
("Harmonious-enterprise evaluation"): a 100-point scale in three enterprise classes, five veto
items and four tiers. Installed by migration 0002 (the county edits or replaces it afterwards)."""
from datetime import date

SOURCE = "示例：依据地方劳动关系和谐企业评价标准（劳动合同签订率、工资按时足额支付、社会保险覆盖、集体合同、劳动标准、工会和职代会、职工满意度、一票否决）整理，见 docs/harmony.md"

CLASSES = [  # code, name, head count from, up to
    ("large", "100人及以上企业", 100, None),
    ("medium", "30至99人企业", 30, 99),
    ("small", "30人以下企业", 0, 29),
]
ALL = ("large", "medium", "small")
BIG = ("large", "medium")

# group, [(code, text, max points, method, params, classes, guidance)]
GROUPS = [
    ("劳动合同与集体协商", [
        ("A1", "劳动合同签订率达到100%", 8, "contract_rate", {"target": 100, "per_point": "0.2"}, BIG,
         "按在职职工劳动合同签订率计算，每低1个百分点扣0.2分。"),
        ("A1s", "劳动合同签订率达到100%", 12, "contract_rate", {"target": 100, "per_point": "0.3"}, ("small",),
         "小微企业按签订率计算，每低1个百分点扣0.3分。"),
        ("A2", "签订集体合同（工资专项集体合同），覆盖率达到80%以上", 14, "manual", {}, BIG,
         "覆盖率80%以上得满分，50%至80%得一半，不足50%不得分；提供集体合同文本和备案材料。"),
        ("A2s", "参加区域性或行业性集体合同", 10, "manual", {}, ("small",),
         "参加区域性、行业性集体合同并提供证明材料得满分。"),
    ]),
    ("工资支付", [
        ("B1", "按时足额支付工资，无拖欠", 15, "wages_on_time", {}, ALL,
         "评价期内无欠薪风险信号得满分，否则不得分。"),
        ("B2", "执行最低工资标准，依法支付加班工资", 5, "manual", {}, ALL, "提供工资台账和考勤记录。"),
    ]),
    ("社会保险", [
        ("C1", "依法参加社会保险，参保率达到90%以上", 15, "insurance_rate", {"bands": [[90, 1], [70, "0.5"]]}, ALL,
         "参保率90%以上得满分，70%至90%得一半，不足70%不得分。"),
    ]),
    ("劳动标准", [
        ("D1", "执行工时、休息休假、女职工和未成年工特殊保护规定，无使用童工", 20, "manual", {}, ALL,
         "现场核查工时记录、女职工保护措施和用工名册。"),
    ]),
    ("民主管理", [
        ("E1", "建立工会，依法建立职工代表大会（职工大会）制度", 6, "union_congress", {}, ALL,
         "建有工会得一半，建有职代会（职工大会）得另一半。"),
    ]),
    ("劳动关系稳定", [
        ("F1", "评价期内无劳动争议或争议较少，无集体劳动争议", 7, "disputes", {"per_case": 1}, ALL,
         "每件劳动争议案件扣1分；发生集体劳动争议不得分。"),
        ("F2", "劳动关系风险预警等级", 5, "alert_level", {}, ALL,
         "无风险或蓝色得满分，黄色得一半，橙色、红色不得分。"),
    ]),
    ("职工满意度", [
        ("G1", "职工对劳动关系的满意度", 5, "satisfaction", {}, ALL,
         "按匿名满意度测评中“满意”“非常满意”的比例计分；有效答卷不足的不得分。"),
    ]),
]

VETOES = [  # code, text, detection, look-back days
    ("V1", "使用童工", "manual", 1095),
    ("V2", "发生重大安全生产、环境污染或职业病事故", "manual", 1095),
    ("V3", "因企业原因引发集体劳动争议或群体性事件", "collective_dispute", 730),
    ("V4", "发生红色欠薪预警", "red_wage_alert", 730),
    ("V5", "职工满意度低于60%", "low_satisfaction", 365),
]

TIERS = [  # code, name, rank, minimum score, prerequisite, validity years, re-check months
    ("compliant", "劳动关系和谐达标企业", 1, 60, None, 3, 12),
    ("county", "县级劳动关系和谐企业", 2, 80, None, 3, 12),
    ("city", "市级劳动关系和谐企业", 3, 85, "county", 3, 12),
    ("province", "省级劳动关系和谐企业", 4, 90, "city", 3, 12),
]


def install(Standard, EnterpriseClass, IndicatorGroup, Indicator, VetoItem, Tier):
    """Create the demo standard and tiers (model classes passed in: the migration's historical ones)."""
    if not Tier.objects.exists():
        made = {}
        for code, name, rank, minimum, prerequisite, years, months in TIERS:
            made[code] = Tier.objects.create(code=code, name=name, rank=rank, min_score=minimum,
                                             prerequisite=made.get(prerequisite), validity_years=years,
                                             recheck_months=months)
    if Standard.objects.exists():
        return
    standard = Standard.objects.create(name="柯桥区劳动关系和谐企业评价标准", version="2026", effective_from=date(2026, 1, 1),
                                       source=SOURCE)
    classes = {code: EnterpriseClass.objects.create(standard=standard, code=code, name=name, min_head_count=low,
                                                    max_head_count=high)
               for code, name, low, high in CLASSES}
    for order, (group_name, indicators) in enumerate(GROUPS, start=1):
        group = IndicatorGroup.objects.create(standard=standard, name=group_name, order=order)
        for i, (code, text, points, method, params, for_classes, guidance) in enumerate(indicators, start=1):
            indicator = Indicator.objects.create(group=group, code=code, text=text, max_points=points, method=method,
                                                 params=params, guidance=guidance, order=i)
            if set(for_classes) != set(ALL):
                indicator.classes.set([classes[c] for c in for_classes])
    for code, text, detection, days in VETOES:
        VetoItem.objects.create(standard=standard, code=code, text=text, detection=detection, look_back_days=days)
