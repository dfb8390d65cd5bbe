"""Builders shared by the disputes tests."""
from concord.core.scope import Role
from concord.disputes import services
from concord.disputes.services import ClaimantInput
from concord.registry.models import Enterprise

from tests.conftest import credit_code, id_number, make_user


def claimants(n, reps=0, prefix="522422", born="19900101"):
    return [ClaimantInput(f"申请人{i:02d}", id_number(prefix, born, 100 + i), "", i < reps) for i in range(n)]


def committee_enterprise(world, name="Alpha调解纺织有限公司", seq=50):
    """An enterprise of town A with a mediation committee and a union officer (``world.union_c``)."""
    ent = Enterprise.objects.create(credit_code=credit_code(seq), name=name, region=world.town_a, has_union=True,
                                    has_mediation_committee=True)
    world.union_c = make_user(f"union_{seq}", Role.UNION_OFFICER, enterprise=ent, name="调委会主任")
    return ent


def file_case(world, actor=None, respondent=None, n=1, reps=0, **extra):
    extra.setdefault("source", "walk_in")
    extra.setdefault("category", 5)
    extra.setdefault("subcategory", "wage_arrears")
    extra.setdefault("facts", "拖欠三个月工资")
    extra.setdefault("amount_claimed", 12000)
    people = extra.pop("people", None) or claimants(n, reps)
    return services.case_file(actor=actor or world.officer_a, respondent=respondent or world.ent_a, claimants=people, **extra)


def town_mediator(world):
    return make_user("alpha_mediator", Role.MEDIATOR, region=world.town_a, name="Alpha调解员")
