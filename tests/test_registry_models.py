"""Registry models: values derived from the ID number, stored workforce counts, employment checks."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from concord.registry import services
from concord.registry.models import Employment, Enterprise, Worker

from tests.conftest import id_number


def test_worker_derives_birth_sex_and_hukou_from_id(world):
    worker = Worker.objects.create(id_number=id_number("341222", "19920704", 15), name="阜阳职工")
    assert worker.birth_date == date(1992, 7, 4)
    assert worker.sex == "M"
    assert worker.hukou_province == "34"
    assert worker.generation == "1990"


def test_worker_keeps_an_edited_hukou(world):
    worker = Worker.objects.create(
        id_number=id_number("341222", "20010101", 16), name="迁户职工", hukou_province="33", hukou_city="绍兴市"
    )
    assert (worker.hukou_province, worker.hukou_city) == ("33", "绍兴市")
    assert worker.generation == "2000"


def test_head_count_and_migrant_share_follow_employments(world):
    services.refresh_workforce()
    world.ent_a.refresh_from_db()
    assert (world.ent_a.head_count, world.ent_a.migrant_count) == (1, 1)
    assert world.ent_a.migrant_share == 1


@pytest.mark.django_db(transaction=True)
def test_single_employment_changes_refresh_the_counts(world):
    Employment.objects.create(worker=world.peer_a, enterprise=world.ent_a, start_date=date(2025, 1, 1))
    world.ent_a.refresh_from_db()
    assert (world.ent_a.head_count, world.ent_a.migrant_count) == (2, 1)
    world.emp_a.end_date = date(2025, 6, 30)
    world.emp_a.save()
    world.ent_a.refresh_from_db()
    assert (world.ent_a.head_count, world.ent_a.migrant_count) == (1, 0)
    world.peer_a.is_migrant = True
    world.peer_a.save()
    world.ent_a.refresh_from_db()
    assert world.ent_a.migrant_count == 1


def test_refresh_of_chosen_enterprises_leaves_others(world):
    Enterprise.objects.filter(pk=world.ent_b.pk).update(head_count=99)
    services.refresh_workforce([world.ent_a.pk])
    world.ent_b.refresh_from_db()
    assert world.ent_b.head_count == 99
    assert services.refresh_workforce([]) == 0


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"start_date": date.today() + timedelta(days=3)}, "start_date", "The start date cannot be in the future."),
        ({"contract_signed": True}, "contract_type", "Choose the contract type of a signed contract."),
        ({"contract_signed": True, "contract_type": "fixed_term", "contract_start": date(2024, 3, 1)},
         "contract_end", "A fixed-term contract needs an end date."),
        ({"contract_signed": True, "contract_type": "open_ended", "contract_start": date(2024, 3, 1),
          "contract_end": date(2027, 1, 1)}, "contract_end", "An open-ended contract has no end date."),
        ({"contract_type": "fixed_term"}, "contract_signed", "Contract type and dates only apply to a signed contract."),
        ({"monthly_wage": Decimal("-1")}, "monthly_wage", None),
    ],
)
def test_employment_clean_names_the_field(world, changes, field, message):
    for name, value in changes.items():
        setattr(world.emp_a, name, value)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        world.emp_a.full_clean()
    assert field in exc.value.message_dict
    if message:
        with translation.override("en"):
            assert message in exc.value.message_dict[field]


def test_export_starts_a_new_sheet_when_one_is_full():
    from io import BytesIO

    from openpyxl import Workbook, load_workbook

    from concord.core.exports import write_sheets

    book = Workbook(write_only=True)
    write_sheets(book, [["姓名"], ["=1+1"], ["b"], ["c"]], "职工", sheet_rows=3)
    out = BytesIO()
    book.save(out)
    sheets = load_workbook(BytesIO(out.getvalue())).worksheets
    assert [[c.value for c in row] for row in sheets[0].iter_rows()] == [["姓名"], ["'=1+1"], ["b"]]
    assert [[c.value for c in row] for row in sheets[1].iter_rows()] == [["姓名"], ["c"]]
