"""The demo county: Keqiao's regions, generated enterprises and workers, and the demo accounts.

Deterministic for a given seed: the same names, ID numbers and credit codes every time. The demo
password lives only here, in demo data.
"""
from dataclasses import dataclass
from datetime import date, timedelta
import random

from auditlog.context import disable_auditlog
from django.db import transaction

from concord.core.models import Region, RoleAssignment, User
from concord.core.regions import DATA_DIR, load_regions
from concord.core.scope import Role
from concord.registry import rules
from concord.registry.models import Employment, Enterprise, Worker

DEMO_PASSWORD = "demo-Concord-2026"
COUNTY_CODE = "330603"
QIANQING = "330603009"
KEQIAO = "330603001"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建红国文辉鹏飞婷雪琳晨宇浩然子轩梓涵欣怡思远佳豪俊杰志强海燕春梅秋菊"
TRADE_WORDS = ["华纺", "恒丰", "永盛", "金海", "新越", "锦程", "瑞达", "天成", "宏利", "凯旋", "东方", "亚太", "精工", "远航", "兴业", "佳美"]
INDUSTRIES = ["纺织有限公司", "印染有限公司", "服饰有限公司", "化纤有限公司", "织造有限公司", "家纺有限公司", "机械有限公司", "包装有限公司"]
POSITIONS = ["挡车工", "印染工", "缝纫工", "质检员", "机修工", "仓管员", "包装工", "班组长", "跟单员"]
# Birth-place county codes (GB/T 2260) of provinces that send many workers to Zhejiang, and local ones.
MIGRANT_ORIGINS = ["522422", "362321", "532128", "341222", "412726", "511681", "430523", "421122"]
LOCAL_ORIGINS = ["330621", "330602"]


@dataclass(frozen=True)
class Scale:
    enterprises_per_town: int
    workers_per_enterprise: int


SCALES = {"small": Scale(enterprises_per_town=19, workers_per_enterprise=33)}

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


def credit_code(rng: random.Random, region_code: str) -> str:
    """A well-formed unified social credit code: 91 (enterprise, company) + region + organisation code."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + region_code[:6] + "".join(rng.choice(alphabet) for _ in range(9))
    return body + rules.credit_code_check_character(body)


def id_number(rng: random.Random, origin: str, born: date) -> str:
    body = f"{origin}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + rules.id_check_character(body)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def birth_date(rng: random.Random) -> date:
    # Weighted to the 1980s and 1990s, as the source programme describes.
    decade = rng.choices([1960, 1970, 1980, 1990, 2000], weights=[5, 15, 35, 35, 10])[0]
    year = min(decade + rng.randint(0, 9), 2006)
    return date(year, 1, 1) + timedelta(days=rng.randint(0, 364))


def phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "158", "186", "135", "177"]) + f"{rng.randint(0, 99999999):08d}"


def is_loaded() -> bool:
    return User.objects.filter(username="county_admin").exists() and Enterprise.objects.exists()


@transaction.atomic
def seed(scale: str = "small", seed_value: int = 2026) -> dict:
    """Load the demo county. The generic change log is paused: it records people's changes, not the
    generator's bulk rows."""
    rng = random.Random(seed_value)
    params = SCALES[scale]
    load_regions(DATA_DIR / f"{COUNTY_CODE}.csv")
    towns = list(Region.objects.filter(kind=Region.Kind.TOWN, path__startswith=f"{COUNTY_CODE}/").order_by("code"))
    with disable_auditlog():
        enterprises = []
        used_codes = set()
        for town in towns:
            for index in range(params.enterprises_per_town):
                code = credit_code(rng, COUNTY_CODE)
                while code in used_codes:
                    code = credit_code(rng, COUNTY_CODE)
                used_codes.add(code)
                name = f"绍兴{town.name[:2]}{rng.choice(TRADE_WORDS)}{rng.choice(INDUSTRIES)}"
                enterprises.append(
                    Enterprise(credit_code=code, name=f"{name}（{index + 1:02d}）" if index else name, region=town,
                               address=f"{town.name}{rng.randint(1, 999)}号", has_union=rng.random() < 0.7)
                )
        Enterprise.objects.bulk_create(enterprises, batch_size=1000)
        enterprises = list(Enterprise.objects.order_by("pk"))

        workers, employments, used_ids = [], [], set()
        for enterprise in enterprises:
            for _ in range(params.workers_per_enterprise):
                migrant = rng.random() < 0.63
                born = birth_date(rng)
                number = id_number(rng, rng.choice(MIGRANT_ORIGINS if migrant else LOCAL_ORIGINS), born)
                while number in used_ids:
                    number = id_number(rng, rng.choice(MIGRANT_ORIGINS if migrant else LOCAL_ORIGINS), born)
                used_ids.add(number)
                worker = Worker(id_number=number, name=person_name(rng), phone=phone(rng), is_migrant=migrant)
                worker.birth_date = born
                worker.sex = "M" if int(number[16]) % 2 else "F"
                workers.append(worker)
                employments.append((enterprise, rng.choice(POSITIONS), date(2026, 1, 1) - timedelta(days=rng.randint(30, 3000))))
        Worker.objects.bulk_create(workers, batch_size=2000)
        by_id = dict(Worker.objects.values_list("id_number", "pk"))
        Employment.objects.bulk_create(
            [
                Employment(worker_id=by_id[w.id_number], enterprise=e, position=p, start_date=start)
                for w, (e, p, start) in zip(workers, employments)
            ],
            batch_size=2000,
        )
    accounts = ensure_accounts()
    return {"enterprises": len(enterprises), "workers": len(workers), "accounts": accounts}


def demo_enterprise() -> Enterprise:
    """The union officer's and demo worker's enterprise: the first unionised one in 钱清街道."""
    return Enterprise.objects.filter(region__code=QIANQING, has_union=True).order_by("pk").first()


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
                Worker.objects.filter(employments__enterprise=enterprise, is_migrant=True, user__isnull=True)
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
