"""The demo county: Keqiao's regions, generated enterprises, workers and employments, and the demo accounts.

Deterministic for a given seed: the same names, ID numbers, credit codes and figures every time.
Two scales (docs/demo-data.md): ``small`` (what ``make demo`` loads) and ``county`` (Keqiao's real
size: 25,000 enterprises, 1,200,000 workers of whom 760,000 migrants), plus ``tiny`` for tests.

The county scale is a million and a half rows, so rows are generated in plain Python and written
with batched INSERTs (``cursor.executemany``; on PostgreSQL optionally ``COPY``) inside one
transaction, with the change log paused; the stored head counts are then recomputed once by
``services.refresh_workforce``. The demo password lives only here, in demo data.
"""
from bisect import bisect
from dataclasses import dataclass
from datetime import date, timedelta
from io import StringIO
from itertools import accumulate
import math
import random
import time

from auditlog.context import disable_auditlog
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from concord.core.models import Region, RoleAssignment, User
from concord.core.regions import DATA_DIR, load_regions
from concord.core.scope import Role
from concord.registry import rules, services
from concord.registry.models import Employment, Enterprise, Worker

DEMO_PASSWORD = "demo-Concord-2026"
COUNTY_CODE = "330603"
QIANQING = "330603009"
KEQIAO = "330603001"
# The day the demo data describes: employments start before it, contracts run across it.
AS_OF = date(2026, 6, 30)


@dataclass(frozen=True)
class Scale:
    enterprises: int
    workers: int
    migrants: int


# Keqiao: about 760,000 of 1,200,000 workers are migrants (the source programme); the smaller
# scales keep the same share.
MIGRANT_SHARE = 760_000 / 1_200_000
SCALES = {
    "tiny": Scale(enterprises=48, workers=1_200, migrants=760),
    "small": Scale(enterprises=304, workers=10_000, migrants=6_333),
    "county": Scale(enterprises=25_000, workers=1_200_000, migrants=760_000),
}


def custom_scale(enterprises: int, workers: int, migrants: int | None = None) -> Scale:
    if migrants is None:
        migrants = round(workers * MIGRANT_SHARE)
    if enterprises < 16 or workers < enterprises or not 0 <= migrants <= workers:
        raise ValueError("need at least 16 enterprises (one per town), a worker per enterprise and 0 ≤ migrants ≤ workers")
    return Scale(enterprises, workers, migrants)


ACCOUNTS = [
    # username, display name, role, region code or "enterprise"
    ("county_admin", "县总工会管理员", Role.COUNTY_ADMIN, COUNTY_CODE),
    ("town_qianqing", "钱清街道维权站", Role.TOWN_OFFICER, QIANQING),
    ("town_keqiao", "柯桥街道维权站", Role.TOWN_OFFICER, KEQIAO),
    ("union_demo", "企业工会主席", Role.UNION_OFFICER, "enterprise"),
    ("worker_demo", None, Role.WORKER, None),
    ("court_demo", "法院联络员", Role.COURT_LIAISON, COUNTY_CODE),
    ("auditor_demo", "审计员", Role.AUDITOR, COUNTY_CODE),
]

# --- Weights (their basis is written up in docs/demo-data.md) --------------------------------

# Share of the county's enterprises per town: the textile, dyeing and chemical-fibre belt of the
# plain (柯桥, 钱清, 马鞍, 杨汛桥, 齐贤, 华舍…) holds most; the hill towns (王坛, 稽东, 平水) few.
TOWN_WEIGHTS = {
    "330603001": 12,   # 柯桥街道: China Textile City, trading and weaving
    "330603002": 6,    # 柯岩街道
    "330603003": 8,    # 华舍街道: weaving
    "330603004": 6,    # 湖塘街道: weaving
    "330603005": 9,    # 齐贤街道
    "330603006": 5,    # 福全街道
    "330603007": 6,    # 安昌街道
    "330603008": 3,    # 兰亭街道
    "330603009": 11,   # 钱清街道: chemical-fibre raw-material market
    "330603010": 9,    # 杨汛桥街道: warp knitting, home textiles
    "330603011": 10,   # 马鞍街道: the printing-and-dyeing cluster of the coastal industrial zone
    "330603105": 3,    # 平水镇
    "330603107": 1.5,  # 王坛镇
    "330603109": 1,    # 稽东镇
    "330603111": 3,    # 漓渚镇
    "330603114": 3,    # 夏履镇
}
HILL_TOWNS = {"330603105", "330603107", "330603109"}

# Industry (codes.INDUSTRIES) → (weight among enterprises, typical size factor).
INDUSTRY_WEIGHTS = {
    "C17": (44, 1.0), "C17D": (9, 2.6), "C18": (16, 1.2), "C28": (5, 2.2), "C34": (4, 0.9), "C": (6, 0.8),
    "F": (8, 0.3), "G": (3, 0.6), "E": (2, 1.0), "H": (1, 0.5), "L": (2, 0.3),
}
TOWN_INDUSTRY_BOOST = {"330603011": {"C17D": 4.0}, "330603009": {"C28": 3.0}, "330603010": {"C17": 1.3}}

# Province of origin of migrant workers (GB/T 2260 province code) → weight; "33" is the rest of
# Zhejiang outside Shaoxing. Rounded demo weights after the ranking of Zhejiang's inflow by origin.
PROVINCE_WEIGHTS = {
    "34": 20, "52": 15, "36": 12, "41": 11, "51": 9, "53": 6, "43": 6, "42": 5, "50": 4, "33": 4,
    "45": 2.5, "62": 1.5, "32": 1.5, "37": 1, "61": 1,
}
LOCAL_WEIGHTS = {"柯桥区": 70, "越城区": 10, "诸暨市": 6, "上虞区": 6, "嵊州市": 5, "新昌县": 3}

# Counties of origin and the GB/T 2260 code each had over time ("code:first year"; the first code
# holds before the second one's year). An ID number keeps the code of the year it was issued, so
# a worker born in 大方县 in 1995 carries 522422 (毕节地区), not today's 520521. Facts from GB/T 2260
# and the Ministry of Civil Affairs' yearly code changes.
ORIGIN_COUNTIES = {
    "34": (  # Anhui 安徽
        "临泉县=342122 341221:1996; 太和县=342123 341222:1996; 阜南县=342127 341225:1996; 颍上县=342128 341226:1996; "
        "界首市=342129 342103:1989 341282:1996; 涡阳县=342124 341223:1996 341621:2000; "
        "蒙城县=342125 341224:1996 341622:2000; 利辛县=342130 341227:1996 341623:2000; 砀山县=342221 341321:1998; "
        "萧县=342222 341322:1998; 灵璧县=342224 341323:1998; 泗县=342225 341324:1998; 霍邱县=342423 341522:1999; "
        "金寨县=342426 341524:1999; 怀宁县=342821 340822:1988; 宿松县=342826 340826:1988; 凤台县=340421; "
        "寿县=342422 341521:1999 340422:2015; 舒城县=342425 341523:1999; 望江县=342827 340827:1988"
    ),
    "52": (  # Guizhou 贵州
        "大方县=522422 520521:2011; 黔西市=522423 520522:2011 520581:2021; 金沙县=522424 520523:2011; "
        "织金县=522425 520524:2011; 纳雍县=522426 520525:2011; 威宁彝族回族苗族自治县=522427 520526:2011; 赫章县=522428 520527:2011; "
        "思南县=522225 520624:2011; 德江县=522227 520626:2011; 沿河土家族自治县=522228 520627:2011; "
        "松桃苗族自治县=522229 520628:2011; 印江土家族苗族自治县=522226 520625:2011; 正安县=522124 520324:1997; "
        "道真仡佬族苗族自治县=522125 520325:1997; 务川仡佬族苗族自治县=522126 520326:1997; 榕江县=522632; 从江县=522633; 黎平县=522631; "
        "天柱县=522627; 罗甸县=522728; 安龙县=522328; 盘州市=520202 520222:1999 520281:2017; "
        "水城区=520201 520221:1987 520204:2020"
    ),
    "36": (  # Jiangxi 江西
        "广信区=362321 361121:2000 361104:2019; 广丰区=362322 361122:2000 361103:2015; 鄱阳县=362330 361128:2000; "
        "余干县=362329 361127:2000; 万年县=362331 361129:2000; 玉山县=362323 361123:2000; 于都县=362132 360731:1998; "
        "兴国县=362133 360732:1998; 宁都县=362131 360730:1998; 瑞金市=362134 362102:1994 360781:1998; "
        "南城县=362522 361021:2000; 永新县=362430 360830:2000; 泰和县=362426 360826:2000; "
        "丰城市=362221 362202:1988 360981:2000; 都昌县=362628 360428:1983; 修水县=362624 360424:1983"
    ),
    "41": (  # Henan 河南
        "太康县=412724 411627:2000; 郸城县=412726 411625:2000; 沈丘县=412728 411624:2000; "
        "项城市=412729 412702:1993 411681:2000; 淮阳区=412727 411626:2000 411603:2019; 鹿邑县=412725 411628:2000; "
        "商水县=412723 411623:2000; 上蔡县=412825 411722:2000; 平舆县=412827 411723:2000; 汝南县=412826 411727:2000; "
        "正阳县=412829 411724:2000; 固始县=413026 411525:1998; 潢川县=413024 411526:1998; 商城县=413027 411524:1998; "
        "息县=413021 411528:1998; 永城市=412328 412302:1996 411481:1997; 虞城县=412321 411425:1997; "
        "夏邑县=412326 411426:1997; 睢县=412325 411422:1997; 邓州市=412930 412902:1988 411381:1994; "
        "唐河县=412929 411328:1994; 新野县=412931 411329:1994"
    ),
    "51": (  # Sichuan 四川
        "渠县=513030 511725:1999; 宣汉县=513022 511722:1999; 开江县=513023 511723:1999; 仪陇县=512927 511324:1993; "
        "营山县=512924 511322:1993; 蓬安县=512926 511323:1993; 岳池县=512923 513622:1993 511621:1998; "
        "邻水县=513031 513624:1993 511623:1998; 平昌县=513028 513723:1993 511923:2000; "
        "通江县=513025 513721:1993 511921:2000; 安岳县=512427 511023:1985 513921:1998 512021:2000; 会东县=513426; "
        "越西县=513434; 美姑县=513436; 兴文县=512534 511528:1996"
    ),
    "43": (  # Hunan 湖南
        "邵东市=432523 430521:1983 430582:2019; 新邵县=432525 430522:1983; 邵阳县=432621 430523:1986; "
        "隆回县=432622 430524:1986; 洞口县=432624 430525:1986; 祁阳市=432727 432930:1983 431121:1995 431181:2021; "
        "道县=432923 431124:1995; 宁远县=432924 431126:1995; 衡阳县=432721 430421:1983; "
        "常宁市=432725 430425:1983 430482:1996; 溆浦县=433024 431224:1997; 会同县=433029 431225:1997; "
        "桂阳县=432822 431021:1994; 新化县=432524 431322:1999"
    ),
    "42": (  # Hubei 湖北
        "蕲春县=422128 421126:1995; 浠水县=422127 421125:1995; 麻城市=422124 422101:1986 421181:1995; "
        "罗田县=422125 421123:1995; 英山县=422126 421124:1995; 武穴市=422129 422102:1987 421182:1995; "
        "大悟县=422223 420922:1993; 云梦县=422226 420923:1993; 监利市=422425 421023:1994 421088:2020; "
        "洪湖市=422426 422403:1987 421083:1994; 石首市=422424 422402:1986 421081:1994; "
        "枣阳市=422522 420622:1983 429003:1988 420683:1989; 郧西县=422623 420322:1994; 利川市=422824 422802:1986; "
        "建始县=422822"
    ),
    "53": (  # Yunnan 云南
        "镇雄县=532128 530627:2001; 彝良县=532129 530628:2001; 威信县=532130 530629:2001; 鲁甸县=532122 530621:2001; "
        "巧家县=532123 530622:2001; 大关县=532125 530624:2001; 永善县=532126 530625:2001; "
        "宣威市=532224 532202:1994 530381:1997; 会泽县=532233 530326:1997; 富源县=532225 530325:1997; 广南县=532627; "
        "丘北县=532626; 泸西县=532527"
    ),
    "50": (  # Chongqing 重庆
        "开州区=512222 511221:1992 500234:1997 500154:2016; 云阳县=512225 511224:1992 500235:1997; "
        "奉节县=512226 511225:1992 500236:1997; 巫山县=512227 511226:1992 500237:1997; "
        "巫溪县=512228 511227:1992 500238:1997; 彭水苗族土家族自治县=512327 513525:1988 500243:1997; "
        "酉阳土家族苗族自治县=512329 513524:1988 500242:1997; 秀山土家族苗族自治县=512330 513522:1988 500241:1997; "
        "城口县=512229 511228:1992 500229:1997; 忠县=512223 511222:1992 500233:1997; "
        "垫江县=512322 511421:1995 500231:1997"
    ),
    "45": (  # Guangxi 广西
        "桂平市=452523 452504:1994 450881:1995; 平南县=452524 450821:1995; 北流市=452526 452503:1994 450981:1997; "
        "陆川县=452527 450922:1997; 博白县=452528 450923:1997; 容县=452525 450921:1997; 全州县=452323 450324:1998; "
        "都安瑶族自治县=452730 451228:2002"
    ),
    "33": (  # Zhejiang outside Shaoxing 浙江省内其他地市
        "开化县=332531 332429:1982 330824:1985; 常山县=332529 332427:1982 330822:1985; 龙游县=332430 330825:1985; "
        "遂昌县=332627 332527:1982 331123:2000; 松阳县=332528 331124:2000; 文成县=332424 330328:1981; "
        "泰顺县=332427 330329:1981; 苍南县=330327; 天台县=332725 332625:1982 331023:1994; "
        "仙居县=332724 332624:1982 331024:1994; 磐安县=332431 330727:1985; 淳安县=330127"
    ),
    "32": (  # Jiangsu 江苏
        "沭阳县=322224 320823:1983 321322:1996; 泗洪县=322228 320827:1983 321324:1996; 睢宁县=322124 320324:1983"
    ),
    "37": (  # Shandong 山东
        "曹县=372922 371721:2000; 单县=372925 371722:2000; 郓城县=372928 371725:2000"
    ),
    "62": (  # Gansu 甘肃
        "通渭县=622424 621121:2003; 会宁县=622423 620422:1985; 岷县=622622 622429:1985 621126:2003; "
        "秦安县=622530 620522:1985"
    ),
    "61": (  # Shaanxi 陕西
        "紫阳县=612425 610924:2000; 旬阳市=612429 610928:2000 610981:2021"
    ),
    "LOCAL": (  # Shaoxing 绍兴
        "柯桥区=332321 330621:1983 330603:2013; 越城区=330602; 诸暨市=332325 330625:1983 330681:1989; "
        "上虞区=332322 330622:1983 330682:1992 330604:2013; 嵊州市=332323 330623:1983 330683:1995; "
        "新昌县=332324 330624:1983"
    ),}

# Birth decade → weight, for migrants and for locals (locals are older on average). Everyone is
# 16–60: born 1966 (second half) to 2009.
DECADE_WEIGHTS = {True: {1960: 2, 1970: 14, 1980: 32, 1990: 36, 2000: 16}, False: {1960: 6, 1970: 24, 1980: 32, 1990: 27, 2000: 11}}
BIRTH_FIRST, BIRTH_LAST = date(1966, 7, 1), date(2009, 12, 31)

# Education (codes.Education order) by migrant/local and birth decade; the migrant rows follow the
# national migrant-worker monitoring survey (about half junior secondary, a sixth college or above).
EDUCATION_LEVELS = ("primary", "junior", "senior", "college", "bachelor", "postgraduate")
EDUCATION_WEIGHTS = {
    True: {1960: (40, 50, 8, 1.5, 0.5, 0), 1970: (30, 55, 12, 2.5, 0.5, 0), 1980: (14, 58, 18, 7, 3, 0),
           1990: (6, 50, 24, 13, 6.5, 0.5), 2000: (3, 40, 33, 17, 6.5, 0.5)},
    False: {1960: (28, 50, 17, 4, 1, 0), 1970: (20, 50, 22, 6, 2, 0), 1980: (6, 36, 30, 17, 10, 1),
            1990: (2, 22, 32, 25, 17, 2), 2000: (1, 15, 40, 28, 15, 1)},
}

SIZE_CLASSES = ((1000, "large"), (300, "medium"), (20, "small"), (0, "micro"))
# Per size class: union, mediation committee, workers' congress, key enterprise, contract signed,
# insured (given a signed contract), wage factor.
SIZE_RATES = {
    "micro": (0.58, 0.03, 0.05, 0.01, 0.80, 0.72, 0.95),
    "small": (0.83, 0.20, 0.35, 0.035, 0.90, 0.84, 1.0),
    "medium": (0.97, 0.75, 0.85, 0.15, 0.95, 0.92, 1.05),
    "large": (1.0, 0.97, 1.0, 0.5, 0.98, 0.97, 1.12),
}
UNSIGNED_INSURED = 0.35
OWNERSHIP_WEIGHTS = {
    "micro": {"private": 55, "limited": 25, "individual": 15, "other": 2, "collective": 1, "hmt": 1, "foreign": 1},
    "small": {"limited": 55, "private": 38, "joint_stock": 2, "hmt": 2, "foreign": 2, "collective": 1},
    "medium": {"limited": 60, "private": 18, "joint_stock": 12, "hmt": 4, "foreign": 4, "state": 1, "collective": 1},
    "large": {"limited": 45, "joint_stock": 35, "hmt": 6, "foreign": 6, "state": 4, "private": 4},
}
FEMALE_SHARE = {"C18": 0.72, "C17": 0.56, "C17D": 0.35, "C28": 0.35, "C34": 0.2}

# Positions by industry, with a typical monthly wage (yuan) in Keqiao's mills.
POSITIONS = {
    "C17": {"挡车工": 5600, "织布工": 5400, "整经工": 5000, "验布工": 4500, "机修工": 6800, "质检员": 4900,
            "仓管员": 4300, "班组长": 7700, "跟单员": 5600, "叉车工": 5800},
    "C17D": {"印染工": 6100, "染色工": 6200, "定型工": 6000, "配色员": 6500, "化验员": 5400, "机修工": 7000,
             "质检员": 5000, "班组长": 8100, "叉车工": 5800, "污水处理工": 5600},
    "C18": {"缝纫工": 5000, "裁剪工": 5200, "整烫工": 4800, "包装工": 4100, "质检员": 4700, "班组长": 7000, "跟单员": 5400},
    "C28": {"纺丝工": 6200, "卷绕工": 5700, "加弹工": 5800, "机修工": 7000, "质检员": 5000, "班组长": 8100, "仓管员": 4500},
    "C34": {"车工": 6300, "钳工": 6500, "焊工": 6700, "装配工": 5600, "质检员": 5000, "机修工": 6700},
    "C": {"操作工": 4900, "包装工": 4100, "质检员": 4700, "机修工": 6100, "仓管员": 4300},
    "F": {"营业员": 4300, "业务员": 5400, "仓管员": 4200, "会计": 5000, "文员": 4000},
    "G": {"驾驶员": 6800, "装卸工": 5400, "调度员": 5200, "仓管员": 4300},
    "E": {"建筑工": 7000, "电工": 6800, "施工员": 6300, "材料员": 5000},
    "H": {"服务员": 3900, "厨师": 5600, "保洁员": 3400, "收银员": 3800},
    "L": {"文员": 4100, "业务员": 5200, "保安": 3800, "保洁员": 3400},
}
WAGE_FLOOR = 2600  # above Shaoxing's minimum monthly wage (2,070 yuan from 2021-08-01) by a margin
WAGE_CEILING = 30000

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建红国文辉鹏飞婷雪琳晨宇浩然子轩梓涵欣怡思远佳豪俊志海燕春梅秋菊丹凤云龙亮波斌鑫宁凯利琴兵彬燕金银荣福贵翠莲花香"
BRAND = "恒丰永盛金海新越锦程瑞达天成宏利凯旋东方亚太精工远航兴业佳美华纺鑫源富润汇通嘉禾明珠万象腾飞顺昌盛祥泰康宝隆振兴"
INDUSTRY_SUFFIX = {
    "C17": ("纺织有限公司", "织造有限公司", "纺织品有限公司", "经编有限公司", "针纺有限公司", "家纺有限公司"),
    "C17D": ("印染有限公司", "染整有限公司", "印花有限公司", "数码印花有限公司"),
    "C18": ("服饰有限公司", "服装有限公司", "制衣有限公司"),
    "C28": ("化纤有限公司", "化纤科技有限公司", "新材料有限公司"),
    "C34": ("机械有限公司", "纺机有限公司"),
    "C": ("包装有限公司", "塑业有限公司", "五金制品有限公司"),
    "F": ("纺织品贸易有限公司", "轻纺贸易有限公司", "进出口有限公司"),
    "G": ("物流有限公司", "运输有限公司"),
    "E": ("建设有限公司", "建筑工程有限公司"),
    "H": ("餐饮管理有限公司", "酒店有限公司"),
    "L": ("企业管理有限公司", "商务咨询有限公司"),
}
ROADS = ("兴业路", "创业路", "工业路", "纺都路", "轻纺路", "鉴湖路", "中兴大道", "越州路", "群贤路", "湖中路",
         "金柯桥大道", "钱陶公路", "杨绍线", "滨海大道", "柯北大道", "育才路", "新风路", "东方路")
# Mobile number prefixes of the three mainland carriers.
MOBILE_PREFIXES = ("134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159", "178",
                   "182", "183", "187", "188", "198", "130", "131", "132", "155", "156", "166", "175", "176", "185",
                   "186", "133", "153", "173", "177", "180", "181", "189", "191", "199")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_LETTERS = "ABCDEFGHJKLMNPQRTUWXY"
_SURNAME_CUM = list(accumulate(1 / (rank + 8) for rank in range(len(SURNAMES))))


def _origin_table(text: str) -> list[tuple[str, tuple[tuple[int, str], ...]]]:
    """"大方县=522422 520521:2011; …" → [("大方县", ((0, "522422"), (2011, "520521"))), …]."""
    out = []
    for item in text.split(";"):
        name, codes = item.strip().split("=")
        segments = []
        for token in codes.split():
            code, _sep, year = token.partition(":")
            segments.append((int(year or 0), code))
        out.append((name, tuple(segments)))
    return out


ORIGINS = {province: _origin_table(text) for province, text in ORIGIN_COUNTIES.items()}


def code_in_year(segments, year: int) -> str:
    """The county's code in force in ``year``."""
    return segments[bisect([y for y, _c in segments], year) - 1][1]


# --- Single-value generators (also used by tests) ---------------------------------------------

def org_code(rng: random.Random, new_style: bool = True) -> str:
    """A GB 11714 organisation code: 8 characters and their check character (weights 3,7,9,10,5,8,4,2).

    New registrations since the 2015 reform carry "MA" codes; older firms an all-digit one."""
    if new_style:
        body = "MA" + rng.choice("0123456789") + "".join(rng.choice(_ORG_LETTERS + "0123456789") for _ in range(5))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2)))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def credit_code(rng: random.Random, region_code: str, kind: str = "91", new_style: bool = True) -> str:
    """A unified social credit code (GB 32100): registering authority and entity type ("91" a company,
    "92" an individual business), the region of registration, the organisation code, the check character."""
    body = kind + region_code[:6] + org_code(rng, new_style)
    return body + rules.credit_code_check_character(body)


def id_number(rng: random.Random, origin: str, born: date, male: bool | None = None) -> str:
    """A resident ID number (GB 11643): region, birth date, a sequence whose last digit is odd for
    men and even for women, the check character."""
    seq = rng.randrange(500) * 2 + (rng.randrange(2) if male is None else int(male))
    body = f"{origin}{born:%Y%m%d}{seq:03d}"
    return body + rules.id_check_character(body)


def person_name(rng: random.Random) -> str:
    surname = SURNAMES[bisect(_SURNAME_CUM, rng.random() * _SURNAME_CUM[-1])]
    return surname + "".join(rng.choice(GIVEN) for _ in range(1 if rng.random() < 0.25 else 2))


def birth_date(rng: random.Random, migrant: bool = True) -> date:
    """Weighted to the 1980s and 1990s, as the source programme describes its new-generation workers."""
    weights = DECADE_WEIGHTS[migrant]
    decade = rng.choices(tuple(weights), weights=tuple(weights.values()))[0]
    first = max(date(decade, 1, 1), BIRTH_FIRST)
    last = min(date(decade + 9, 12, 31), BIRTH_LAST)
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def phone(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def size_class_of(head_count: int) -> str:
    """统计上大中小微型企业划分办法（2017）, industry, by employees: large ≥ 1,000, medium ≥ 300, small ≥ 20."""
    for floor, code in SIZE_CLASSES:
        if head_count >= floor:
            return code
    return "micro"


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _weighted(mapping: dict):
    keys = tuple(mapping)
    return keys, list(accumulate(mapping[k] for k in keys))


def _allocate(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders), each share ≥ ``minimum``."""
    base = [minimum] * len(weights)
    rest = total - minimum * len(weights)
    scale = rest / sum(weights)
    exact = [w * scale for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[: rest - sum(shares)]:
        shares[i] += 1
    return [b + s for b, s in zip(base, shares)]


# --- The generator -----------------------------------------------------------------------------

ENTERPRISE_COLUMNS = (
    "id", "credit_code", "name", "region_id", "address", "industry", "ownership", "size_class",
    "legal_representative", "contact_name", "contact_phone", "has_union", "has_mediation_committee",
    "has_workers_congress", "is_key_enterprise", "head_count", "migrant_count", "created_at", "updated_at",
)
WORKER_COLUMNS = (
    "id", "id_number", "name", "phone", "sex", "birth_date", "hukou_province", "hukou_city", "is_migrant",
    "education", "user_id", "created_at",
)
EMPLOYMENT_COLUMNS = (
    "id", "worker_id", "enterprise_id", "start_date", "end_date", "position", "contract_signed", "contract_type",
    "contract_start", "contract_end", "insured", "monthly_wage",
)


class Generator:
    """Rows of the demo county for one scale and seed, as tuples in the column orders above.

    ``towns``: (pk, code, name) of the county's towns; ``first_ids``: the next primary key of each
    table; ``date_value`` turns a date into the database driver's value."""

    def __init__(self, scale: Scale, seed_value: int, towns, first_ids, stamp, date_value=lambda d: d):
        self.scale = scale
        self.rng = random.Random(seed_value)
        self.towns = towns
        self.next_enterprise, self.next_worker, self.next_employment = first_ids
        self.stamp = stamp
        self.dv = date_value
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()
        self.enterprises: list[tuple] = []  # (pk, industry, size, migrants, size_class)

    # Enterprises ------------------------------------------------------------------------------
    def enterprise_rows(self) -> list[tuple]:
        rng, scale = self.rng, self.scale
        per_town = _allocate(scale.enterprises, [TOWN_WEIGHTS.get(code, 3) for _pk, code, _n in self.towns], minimum=1)
        plan = []  # (town, industry, raw size)
        # Log-normal sizes: most firms small, a heavy tail of large mills with 1,000+ workers.
        sigma = 1.4
        mu = math.log(max(scale.workers / scale.enterprises, 1.0)) - sigma * sigma / 2
        demo_index = None
        for town, count in zip(self.towns, per_town):
            weights = dict(INDUSTRY_WEIGHTS)
            for code, factor in TOWN_INDUSTRY_BOOST.get(town[1], {}).items():
                weights[code] = (weights[code][0] * factor, weights[code][1])
            if town[1] in HILL_TOWNS:
                weights = {k: (w * (0.4 if k.startswith("C") else 1.6), f) for k, (w, f) in weights.items()}
            keys, cum = _weighted({k: w for k, (w, _f) in weights.items()})
            for index in range(count):
                industry = keys[bisect(cum, rng.random() * cum[-1])]
                raw = rng.lognormvariate(mu, sigma) * INDUSTRY_WEIGHTS[industry][1]
                if town[1] == QIANQING and index == 0:
                    # The union officer's enterprise: a unionised weaving mill of some size.
                    industry, raw, demo_index = "C17", math.exp(mu + 1.8 * sigma), len(plan)
                plan.append((town, industry, raw))
        sizes = _allocate(scale.workers, [raw for _t, _i, raw in plan], minimum=1)
        migrants = self._migrant_split(sizes)

        rows, used_codes, used_names = [], set(), set()
        for number, ((town, industry, _raw), size, migrant_count) in enumerate(zip(plan, sizes, migrants)):
            size_class = size_class_of(size)
            union_p, committee_p, congress_p, key_p = SIZE_RATES[size_class][:4]
            has_union = rng.random() < union_p
            committee = has_union and rng.random() < committee_p
            congress = has_union and rng.random() < congress_p
            key = rng.random() < key_p * (2 if industry == "C17D" else 1)
            if number == demo_index:
                has_union = committee = congress = True
            owner_keys, owner_cum = _weighted(OWNERSHIP_WEIGHTS[size_class])
            ownership = owner_keys[bisect(owner_cum, rng.random() * owner_cum[-1])]
            if number == demo_index:
                ownership = "limited"
            founded = 1995 + rng.randrange(31)
            code = ""
            while not code or code in used_codes:
                # Registered under 绍兴县 (330621) before the 2013 renaming, 柯桥区 (330603) after.
                code = credit_code(rng, "330621" if founded < 2013 else COUNTY_CODE,
                                   kind="92" if ownership == "individual" else "91", new_style=founded >= 2015)
            used_codes.add(code)
            name = ""
            while not name or name in used_names:
                brand = rng.choice(BRAND) + rng.choice(BRAND)
                if ownership == "individual":
                    name = f"柯桥区{town[2][:2]}{brand}{rng.choice(('纺织品经营部', '轻纺商行', '针织加工厂'))}"
                else:
                    prefix = "浙江" if size_class == "large" else rng.choice(("绍兴", "绍兴柯桥", "绍兴市柯桥区", "绍兴"))
                    name = prefix + brand + rng.choice(INDUSTRY_SUFFIX[industry])
            used_names.add(name)
            legal = person_name(rng)
            contact = legal if size_class == "micro" else person_name(rng)
            pk = self.next_enterprise
            self.next_enterprise += 1
            rows.append((
                pk, code, name, town[0], f"{town[2]}{rng.choice(ROADS)}{rng.randrange(1, 2000)}号", industry, ownership,
                size_class, legal, contact, self._unique_phone(), has_union, committee, congress, key, size,
                migrant_count, self.stamp, self.stamp,
            ))
            self.enterprises.append((pk, industry, size, migrant_count, size_class))
        self._cum_sizes = list(accumulate(e[2] for e in self.enterprises))
        return rows

    def _migrant_split(self, sizes: list[int]) -> list[int]:
        """Migrants per enterprise: each firm's own share around the county's, summing exactly."""
        rng = self.rng
        target = self.scale.migrants
        shares = [min(0.98, max(0.05, rng.gauss(target / self.scale.workers, 0.15))) for _ in sizes]
        wanted = [s * n for s, n in zip(shares, sizes)]
        counts = [min(n, round(w)) for w, n in zip(wanted, sizes)]
        diff = target - sum(counts)
        index = 0
        while diff:
            i = rng.randrange(len(sizes)) if index > 4 * len(sizes) else index % len(sizes)
            index += 1
            if diff > 0 and counts[i] < sizes[i]:
                counts[i] += 1
                diff -= 1
            elif diff < 0 and counts[i] > 0:
                counts[i] -= 1
                diff += 1
        return counts

    def _unique_phone(self) -> str:
        number = phone(self.rng)
        while number in self.used_phones:
            number = phone(self.rng)
        self.used_phones.add(number)
        return number

    # Workers and employments --------------------------------------------------------------------
    def _prepare_people(self):
        self._province = _weighted(PROVINCE_WEIGHTS)
        self._local = _weighted(LOCAL_WEIGHTS)
        self._local_origins = dict(ORIGINS["LOCAL"])
        self._decades = {m: _weighted(DECADE_WEIGHTS[m]) for m in (True, False)}
        self._education = {(m, d): list(accumulate(w)) for m, table in EDUCATION_WEIGHTS.items() for d, w in table.items()}
        self._prefectures = rules.prefectures()

    def person(self, migrant: bool, female_p: float) -> tuple:
        """(ID number, name, phone, sex, birth date, hukou province, hukou city, education) of a new worker."""
        rng = self.rng
        rnd, randrange = rng.random, rng.randrange
        male = rnd() >= female_p
        keys, cum = self._decades[migrant]
        decade = keys[bisect(cum, rnd() * cum[-1])]
        first = BIRTH_FIRST if decade == 1960 else date(decade, 1, 1)
        last = BIRTH_LAST if decade == 2000 else date(decade + 9, 12, 31)
        born = first + timedelta(days=randrange((last - first).days + 1))
        # The ID keeps the region code of the year it was first issued: at birth registration
        # for those born from 1990, at sixteen before; a few registered late.
        issued = born.year if born.year >= 1990 and rnd() > 0.03 else max(1985, born.year + 16)
        if migrant:
            province_keys, province_cum = self._province
            counties = ORIGINS[province_keys[bisect(province_cum, rnd() * province_cum[-1])]]
            segments = counties[randrange(len(counties))][1]
        else:
            local_keys, local_cum = self._local
            segments = self._local_origins[local_keys[bisect(local_cum, rnd() * local_cum[-1])]]
        origin = code_in_year(segments, issued)
        number = id_number(rng, origin, born, male)
        while number in self.used_ids:
            number = id_number(rng, origin, born, male)
        self.used_ids.add(number)
        edu_cum = self._education[(migrant, decade)]
        name = person_name(rng)
        mobile = self._unique_phone()
        education = EDUCATION_LEVELS[bisect(edu_cum, rnd() * edu_cum[-1])]
        return (number, name, mobile, "M" if male else "F", born, origin[:2], self._prefectures.get(origin[:4], ""),
                education)

    def current_start(self, born: date, migrant: bool) -> date:
        """Start of the current job: migrants change jobs more often than locals."""
        rng = self.rng
        earliest = max(_add_years(born, 16), _add_years(AS_OF, -25))
        latest = AS_OF - timedelta(days=30)
        start = latest - timedelta(days=int(rng.expovariate(1 / (900 if migrant else 2200))))
        if start < earliest:
            start = earliest + timedelta(days=rng.randrange(max(1, min(365, (latest - earliest).days))))
        return start

    def people_rows(self):
        """Yields (worker rows, employment rows) per enterprise."""
        self._prepare_people()
        rng = self.rng
        rnd, randrange, expo = rng.random, rng.randrange, rng.expovariate
        dv, stamp = self.dv, self.stamp
        cum_sizes, total_size, enterprises = self._cum_sizes, self._cum_sizes[-1], self.enterprises
        for pk, industry, size, migrant_count, size_class in enterprises:
            workers, employments = [], []
            _u, _c, _g, _k, sign_p, insured_p, wage_factor = SIZE_RATES[size_class]
            positions = POSITIONS[industry]
            position_names = tuple(positions)
            female_p = FEMALE_SHARE.get(industry, 0.45)
            migrants_left = migrant_count
            for left in range(size, 0, -1):
                migrant = rnd() * left < migrants_left
                migrants_left -= migrant
                number, name, mobile, sex, born, province, city, education = self.person(migrant, female_p)
                worker_pk = self.next_worker
                self.next_worker += 1
                workers.append((worker_pk, number, name, mobile, sex, dv(born), province, city, migrant, education,
                                None, stamp))
                start = self.current_start(born, migrant)
                position = position_names[randrange(len(position_names))]
                employments.append(self.employment(pk, worker_pk, start, None, position, positions[position],
                                                    sign_p, insured_p, wage_factor))
                # Turnover: about one worker in seven left an earlier job in the county.
                if rnd() < 0.16:
                    end = start - timedelta(days=1 + randrange(90))
                    begin = max(end - timedelta(days=60 + int(expo(1 / 650))), _add_years(born, 16))
                    if begin < end:
                        other = enterprises[bisect(cum_sizes, rnd() * total_size)]
                        if other[0] == pk:
                            other = enterprises[(enterprises.index(other) + 1) % len(enterprises)]
                        other_positions = POSITIONS[other[1]]
                        other_position = tuple(other_positions)[randrange(len(other_positions))]
                        rates = SIZE_RATES[other[4]]
                        employments.append(self.employment(other[0], worker_pk, begin, end, other_position,
                                                            other_positions[other_position] * 0.88, rates[4],
                                                            rates[5], rates[6]))
            yield workers, employments

    def employment(self, enterprise_pk, worker_pk, start, end, position, base_wage, sign_p, insured_p, wage_factor):
        """An employment row: contract (signed, type, the term running across AS_OF), insurance, wage."""
        rng, dv = self.rng, self.dv
        signed = rng.random() < sign_p
        contract_type = contract_start = contract_end = None
        until = end or AS_OF
        years = (until - start).days / 365.25
        if signed:
            draw = rng.random()
            open_p = 0.7 if years >= 10 else 0.25 if years >= 5 else 0.02
            if end is None and draw < open_p:
                # Labour Contract Law art. 14: open-ended after ten years or two fixed terms.
                contract_type = "open_ended"
                contract_start = min(_add_years(start, 10 if years >= 10 else rng.choice((2, 4, 6))), until)
            elif draw > 0.98:
                contract_type = "task_based"
                contract_start = start
                contract_end = end or AS_OF + timedelta(days=30 + rng.randrange(300))
            else:
                contract_type = "fixed_term"
                term = rng.choice((1, 2, 3, 3, 3, 5))
                renewals = int(years // term) if end is None else 0
                contract_start = _add_years(start, renewals * term)
                contract_end = _add_years(contract_start, term) - timedelta(days=1)
        insured = rng.random() < (insured_p if signed else UNSIGNED_INSURED)
        seniority = 1 + min(years, 10) * 0.02
        wage = base_wage * wage_factor * seniority * rng.lognormvariate(0, 0.18)
        wage = int(min(WAGE_CEILING, max(WAGE_FLOOR, wage)) // 10 * 10)
        self.next_employment += 1
        return (
            self.next_employment - 1, worker_pk, enterprise_pk, dv(start), dv(end) if end else None, position, signed,
            contract_type or "", dv(contract_start) if contract_start else None,
            dv(contract_end) if contract_end else None, insured, wage,
        )


# --- Writing -----------------------------------------------------------------------------------

class _TableWriter:
    """Batched INSERTs of one table: ``executemany`` in chunks, or PostgreSQL's COPY when asked.

    Columns the generator does not know (added to the model later) get their field's default."""

    def __init__(self, cursor, model, columns, chunk=20_000, use_copy=False):
        fields = {f.column: f for f in model._meta.concrete_fields}
        missing = [c for c in columns if c not in fields]
        if missing:
            raise RuntimeError(f"{model.__name__} lacks columns {missing}; update concord.demo.seed")
        self.extra = [f for c, f in fields.items() if c not in columns]
        self.extra_values = tuple(f.get_db_prep_save(f.get_default(), connection) for f in self.extra)
        names = list(columns) + [f.column for f in self.extra]
        qn = connection.ops.quote_name
        self.table = qn(model._meta.db_table)
        self.column_list = ", ".join(qn(c) for c in names)
        self.sql = f"INSERT INTO {self.table} ({self.column_list}) VALUES ({', '.join(['%s'] * len(names))})"
        self.cursor, self.chunk, self.use_copy = cursor, chunk, use_copy
        self.rows: list[tuple] = []
        self.count = 0

    def extend(self, rows):
        if self.extra_values:
            rows = [row + self.extra_values for row in rows]
        self.rows.extend(rows)
        if len(self.rows) >= self.chunk:
            self.flush()

    def flush(self):
        if not self.rows:
            return
        if self.use_copy:
            with self.cursor.cursor.copy(f"COPY {self.table} ({self.column_list}) FROM STDIN") as copy:
                for row in self.rows:
                    copy.write_row(row)
        else:
            self.cursor.executemany(self.sql, self.rows)
        self.count += len(self.rows)
        self.rows = []


def _next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def is_loaded() -> bool:
    return User.objects.filter(username="county_admin").exists() and Enterprise.objects.exists()


def seed(scale: str | Scale = "small", seed_value: int = 2026, *, progress=None, use_copy: bool = False) -> dict:
    """Load the demo county. The generic change log is paused: it records people's changes, not the
    generator's bulk rows. ``progress``: a callable taking one line of text."""
    params = SCALES[scale] if isinstance(scale, str) else scale
    say = progress or (lambda line: None)
    began = time.monotonic()
    load_regions(DATA_DIR / f"{COUNTY_CODE}.csv")
    towns = list(
        Region.objects.filter(kind=Region.Kind.TOWN, path__startswith=f"{COUNTY_CODE}/").order_by("code")
        .values_list("pk", "code", "name")
    )
    sqlite = connection.vendor == "sqlite"
    use_copy = use_copy and connection.vendor == "postgresql"
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), disable_auditlog(), connection.cursor() as cursor:
        if sqlite:
            # A larger page cache keeps the indexes of a million rows in memory while inserting.
            cursor.execute("PRAGMA cache_size = -400000")
        generator = Generator(
            params, seed_value, towns, (_next_id(Enterprise), _next_id(Worker), _next_id(Employment)), stamp,
            date_value=date.isoformat if sqlite else (lambda d: d),
        )
        enterprises = _TableWriter(cursor, Enterprise, ENTERPRISE_COLUMNS, use_copy=use_copy)
        enterprises.extend(generator.enterprise_rows())
        enterprises.flush()
        say(f"enterprises: {enterprises.count:,} ({time.monotonic() - began:.0f} s)")
        workers = _TableWriter(cursor, Worker, WORKER_COLUMNS, use_copy=use_copy)
        employments = _TableWriter(cursor, Employment, EMPLOYMENT_COLUMNS, use_copy=use_copy)
        step = max(100_000, params.workers // 10)
        mark = step
        for worker_rows, employment_rows in generator.people_rows():
            workers.extend(worker_rows)
            employments.extend(employment_rows)
            if workers.count + len(workers.rows) >= mark:
                say(f"workers: {workers.count + len(workers.rows):,} of {params.workers:,} ({time.monotonic() - began:.0f} s)")
                mark += step
        workers.flush()
        employments.flush()
        say(f"workers: {workers.count:,}, employments: {employments.count:,} ({time.monotonic() - began:.0f} s)")
        if connection.vendor == "postgresql":
            from django.core.management.color import no_style

            for statement in connection.ops.sequence_reset_sql(no_style(), [Enterprise, Worker, Employment]):
                cursor.execute(statement)
        services.refresh_workforce()
        say(f"head counts refreshed ({time.monotonic() - began:.0f} s)")
        # Deadlines in working days need the official holidays (core/workdays.py).
        call_command("load_calendar", from_package=True, stdout=StringIO())
        accounts = ensure_accounts()
        from .disputes_seed import seed_disputes  # here: it builds on this module

        disputes = seed_disputes(scale, seed_value, use_copy=use_copy, progress=say)
        from .alerts_seed import seed_alerts  # early warning builds on the cases

        alerts = seed_alerts(scale, seed_value, use_copy=use_copy, progress=say)
        from .harmony_seed import seed_harmony  # harmony builds on the cases, alerts and employments

        harmony = seed_harmony(scale, seed_value, use_copy=use_copy, progress=say)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "enterprises": enterprises.count,
        "workers": workers.count,
        "employments": employments.count,
        "migrants": params.migrants,
        "accounts": accounts,
        "cases": disputes["cases"],
        "signals": alerts["signals"],
        "alerts": alerts["alerts"],
        "alerts_story": alerts["story"],
        "harmony": harmony,
        "seconds": time.monotonic() - began,
    }


def demo_enterprise() -> Enterprise:
    """The union officer's and demo worker's enterprise: in 钱清街道, with a union, a mediation
    committee and a workers' congress."""
    return (
        Enterprise.objects.filter(region__code=QIANQING, has_union=True, has_mediation_committee=True,
                                  has_workers_congress=True)
        .order_by("pk").first()
        or Enterprise.objects.filter(region__code=QIANQING, has_union=True).order_by("pk").first()
    )


def ensure_accounts() -> list[tuple[str, str, str]]:
    """Create or refresh the demo accounts; returns (username, role, scope) rows for printing."""
    enterprise = demo_enterprise()
    rows = []
    for username, name, role, scope in ACCOUNTS:
        user, created = User.objects.get_or_create(username=username, defaults={"name": name or ""})
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save()
        region = Region.objects.get(code=scope) if scope and scope != "enterprise" else None
        target = enterprise if scope == "enterprise" else None
        if role == Role.WORKER:
            worker = Worker.objects.filter(user=user).first() or (
                Worker.objects.filter(
                    employments__enterprise=enterprise, employments__end_date__isnull=True, is_migrant=True,
                    user__isnull=True,
                )
                .order_by("pk").first()
            )
            worker.user = user
            worker.save(update_fields=["user"])
            if user.name != worker.name:
                user.name = worker.name
                user.save(update_fields=["name"])
        RoleAssignment.objects.get_or_create(user=user, role=role, region=region, enterprise=target)
        rows.append((username, str(Role(role).label), str(target or region or user.name)))
    return rows
