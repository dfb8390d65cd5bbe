"""Code tables of the registry: industries (GB/T 4754-2017), provinces (GB/T 2260), credit-code
registration departments (GB 32100) and the enterprise classifications. Facts, with their sources; labels in English for the catalogue.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

# GB/T 4754-2017 《国民经济行业分类》 (with amendment No. 1, 2019): the 20 sections, and below them
# the divisions and classes that make up Keqiao's economy (textile 17, garment 18, chemical
# fibre 28, and the printing-and-dyeing classes 1713/1723/1733/1743/1752/1762 of division 17).
INDUSTRIES = [
    ("A", _("A Agriculture, forestry, animal husbandry and fishery")),
    ("B", _("B Mining")),
    ("C", _("C Manufacturing")),
    ("C17", _("C17 Textiles")),
    ("C17D", _("C17 Printing and dyeing (classes 1713, 1723, 1733, 1743, 1752, 1762)")),
    ("C18", _("C18 Textile garments and apparel")),
    ("C28", _("C28 Chemical fibres")),
    ("C34", _("C34 General-purpose machinery")),
    ("D", _("D Electricity, heat, gas and water supply")),
    ("E", _("E Construction")),
    ("F", _("F Wholesale and retail trade")),
    ("G", _("G Transport, storage and post")),
    ("H", _("H Accommodation and catering")),
    ("I", _("I Information transmission, software and IT services")),
    ("J", _("J Finance")),
    ("K", _("K Real estate")),
    ("L", _("L Leasing and business services")),
    ("M", _("M Scientific research and technical services")),
    ("N", _("N Water conservancy, environment and public facilities")),
    ("O", _("O Resident services, repair and other services")),
    ("P", _("P Education")),
    ("Q", _("Q Health and social work")),
    ("R", _("R Culture, sports and entertainment")),
    ("S", _("S Public administration, social security and social organisations")),
    ("T", _("T International organisations")),
]
INDUSTRY_CODES = {code for code, _label in INDUSTRIES}


def industry_section(code: str) -> str:
    """The section letter of an industry code ("C17D" → "C")."""
    return (code or "")[:1]


class Ownership(models.TextChoices):
    # Registration types of the National Bureau of Statistics (关于划分企业登记注册类型的规定).
    STATE = "state", _("State-owned")
    COLLECTIVE = "collective", _("Collective")
    LIMITED = "limited", _("Limited liability company")
    JOINT_STOCK = "joint_stock", _("Joint-stock company")
    PRIVATE = "private", _("Private")
    HMT = "hmt", _("Hong Kong, Macao or Taiwan invested")
    FOREIGN = "foreign", _("Foreign invested")
    INDIVIDUAL = "individual", _("Individual business")
    OTHER = "other", _("Other")


class SizeClass(models.TextChoices):
    # 《统计上大中小微型企业划分办法（2017）》: for industry, large ≥ 1,000 employees and ≥ 400 million
    # yuan revenue; medium ≥ 300 and ≥ 20 million; small ≥ 20 and ≥ 3 million; micro below.
    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class Education(models.TextChoices):
    PRIMARY = "primary", _("Primary school or below")
    JUNIOR = "junior", _("Junior secondary")
    SENIOR = "senior", _("Senior secondary or vocational")
    COLLEGE = "college", _("Junior college")
    BACHELOR = "bachelor", _("Bachelor")
    POSTGRADUATE = "postgraduate", _("Postgraduate")


class ContractType(models.TextChoices):
    # Labour Contract Law art. 12: fixed-term, open-ended, or for the completion of a task.
    FIXED_TERM = "fixed_term", _("Fixed-term")
    OPEN_ENDED = "open_ended", _("Open-ended")
    TASK_BASED = "task_based", _("Task-based")


class Generation(models.TextChoices):
    """Birth decade, as the source programme speaks of 新生代 workers (80后, 90后, 00后)."""

    EARLIER = "earlier", _("Born before 1980")
    POST_80S = "1980", _("Post-80s")
    POST_90S = "1990", _("Post-90s")
    POST_00S = "2000", _("Post-00s")
    POST_10S = "2010", _("Post-10s")


# GB/T 2260 province-level codes (the first two digits of an ID number's region code).
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
    "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}
PROVINCE_CHOICES = sorted(PROVINCES.items())


# Ethnic groups (民族) by their GB/T 3304-1991 codes (中国各民族名称的罗马字母拼写法和代码): 56 groups,
# 97 for groups not yet identified, 98 for Chinese citizens of foreign origin. Printed by their Chinese name
# on official documents (the mediation agreement names each party's ethnicity).
ETHNICITY_NAMES = {
    "01": "汉族",
    "02": "蒙古族",
    "03": "回族",
    "04": "藏族",
    "05": "维吾尔族",
    "06": "苗族",
    "07": "彝族",
    "08": "壮族",
    "09": "布依族",
    "10": "朝鲜族",
    "11": "满族",
    "12": "侗族",
    "13": "瑶族",
    "14": "白族",
    "15": "土家族",
    "16": "哈尼族",
    "17": "哈萨克族",
    "18": "傣族",
    "19": "黎族",
    "20": "傈僳族",
    "21": "佤族",
    "22": "畲族",
    "23": "高山族",
    "24": "拉祜族",
    "25": "水族",
    "26": "东乡族",
    "27": "纳西族",
    "28": "景颇族",
    "29": "柯尔克孜族",
    "30": "土族",
    "31": "达斡尔族",
    "32": "仫佬族",
    "33": "羌族",
    "34": "布朗族",
    "35": "撒拉族",
    "36": "毛南族",
    "37": "仡佬族",
    "38": "锡伯族",
    "39": "阿昌族",
    "40": "普米族",
    "41": "塔吉克族",
    "42": "怒族",
    "43": "乌孜别克族",
    "44": "俄罗斯族",
    "45": "鄂温克族",
    "46": "德昂族",
    "47": "保安族",
    "48": "裕固族",
    "49": "京族",
    "50": "塔塔尔族",
    "51": "独龙族",
    "52": "鄂伦春族",
    "53": "赫哲族",
    "54": "门巴族",
    "55": "珞巴族",
    "56": "基诺族",
    "97": "其他未识别民族",
    "98": "外国血统中国籍人士",
}
ETHNICITY_CHOICES = [
    ("01", _("Han (ethnic group)")),
    ("02", _("Mongol (ethnic group)")),
    ("03", _("Hui (ethnic group)")),
    ("04", _("Tibetan (ethnic group)")),
    ("05", _("Uyghur (ethnic group)")),
    ("06", _("Miao (ethnic group)")),
    ("07", _("Yi (ethnic group)")),
    ("08", _("Zhuang (ethnic group)")),
    ("09", _("Bouyei (ethnic group)")),
    ("10", _("Korean (ethnic group)")),
    ("11", _("Manchu (ethnic group)")),
    ("12", _("Dong (ethnic group)")),
    ("13", _("Yao (ethnic group)")),
    ("14", _("Bai (ethnic group)")),
    ("15", _("Tujia (ethnic group)")),
    ("16", _("Hani (ethnic group)")),
    ("17", _("Kazakh (ethnic group)")),
    ("18", _("Dai (ethnic group)")),
    ("19", _("Li (ethnic group)")),
    ("20", _("Lisu (ethnic group)")),
    ("21", _("Va (ethnic group)")),
    ("22", _("She (ethnic group)")),
    ("23", _("Gaoshan (ethnic group)")),
    ("24", _("Lahu (ethnic group)")),
    ("25", _("Shui (ethnic group)")),
    ("26", _("Dongxiang (ethnic group)")),
    ("27", _("Naxi (ethnic group)")),
    ("28", _("Jingpo (ethnic group)")),
    ("29", _("Kirgiz (ethnic group)")),
    ("30", _("Tu (ethnic group)")),
    ("31", _("Daur (ethnic group)")),
    ("32", _("Mulao (ethnic group)")),
    ("33", _("Qiang (ethnic group)")),
    ("34", _("Blang (ethnic group)")),
    ("35", _("Salar (ethnic group)")),
    ("36", _("Maonan (ethnic group)")),
    ("37", _("Gelao (ethnic group)")),
    ("38", _("Xibe (ethnic group)")),
    ("39", _("Achang (ethnic group)")),
    ("40", _("Pumi (ethnic group)")),
    ("41", _("Tajik (ethnic group)")),
    ("42", _("Nu (ethnic group)")),
    ("43", _("Uzbek (ethnic group)")),
    ("44", _("Russian (ethnic group)")),
    ("45", _("Ewenki (ethnic group)")),
    ("46", _("Deang (ethnic group)")),
    ("47", _("Bonan (ethnic group)")),
    ("48", _("Yugur (ethnic group)")),
    ("49", _("Jing (ethnic group)")),
    ("50", _("Tatar (ethnic group)")),
    ("51", _("Derung (ethnic group)")),
    ("52", _("Oroqen (ethnic group)")),
    ("53", _("Hezhen (ethnic group)")),
    ("54", _("Monba (ethnic group)")),
    ("55", _("Lhoba (ethnic group)")),
    ("56", _("Jino (ethnic group)")),
    ("97", _("Other, not yet identified (ethnic group)")),
    ("98", _("Foreign-born Chinese citizen")),
]


# GB 32100-2015《法人和其他组织统一社会信用代码编码规则》 table 1, as amended (GB 32100-2015/XG1-2016
# and the later additions published with it): the first character of a unified social credit code
# is the registration department, the second the kind of organisation that department registers.
# Department → the organisation-type characters it uses.
CREDIT_CODE_DEPARTMENTS = {
    "1": "1239",  # 机构编制: 1 机关, 2 事业单位, 3 中央编办直接管理机构编制的群众团体, 9 其他
    "2": "19",  # 外交: 1 外国常驻新闻机构, 9 其他
    "3": "123459",  # 司法行政: 1 律师执业机构, 2 公证处, 3 基层法律服务所, 4 司法鉴定机构, 5 仲裁委员会, 9 其他
    "4": "19",  # 文化: 1 外国在华文化中心, 9 其他
    "5": "1239",  # 民政: 1 社会团体, 2 民办非企业单位, 3 基金会, 9 其他
    "6": "129",  # 旅游: 1 外国旅游部门常驻代表机构, 2 港澳台地区旅游部门常驻内地（大陆）代表机构, 9 其他
    "7": "129",  # 宗教: 1 宗教活动场所, 2 宗教院校, 9 其他
    "8": "19",  # 工会: 1 基层工会, 9 其他
    "9": "123",  # 工商 (now 市场监管): 1 企业, 2 个体工商户, 3 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室: 1 军队事业单位, 9 其他
    "N": "1239",  # 农业: 1 组级, 2 村级, 3 乡镇级集体经济组织, 9 其他
    "Y": "1",  # 其他: not divided further, always 1
}
# Every code pair, for table tests and documentation ("91", "N2", "Y1" …).
CREDIT_CODE_PREFIXES = frozenset(d + t for d, types in CREDIT_CODE_DEPARTMENTS.items() for t in types)
