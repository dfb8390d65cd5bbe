"""The working-day calendar: official holidays and make-up workdays, and no silent guess for a year
without data."""
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from concord.core.models import CalendarDay, CalendarYear
from concord.core.workdays import CalendarMissing, WorkCalendar, current_calendar

# Autumn 2026 as the chinesecalendar package records the official schedule: Mid-Autumn 25–27
# September and National Day 1–7 October off; Sunday 20 September and Saturday 10 October worked.
NATIONAL_DAY_2026 = WorkCalendar(
    years=frozenset({2026}),
    holidays=frozenset({date(2026, 9, 25)} | {date(2026, 10, d) for d in (1, 2, 5, 6, 7)}),
    makeup_workdays=frozenset({date(2026, 9, 20), date(2026, 10, 10)}),
)


@pytest.mark.parametrize(
    "day, workday",
    [
        (date(2026, 9, 24), True),  # Thursday
        (date(2026, 9, 25), False),  # Friday, Mid-Autumn
        (date(2026, 9, 20), True),  # Sunday, made a workday
        (date(2026, 9, 26), False),  # Saturday
        (date(2026, 10, 1), False),  # Thursday, holiday
        (date(2026, 10, 3), False),  # Saturday inside the holiday
        (date(2026, 10, 8), True),  # Thursday after the holiday
        (date(2026, 10, 10), True),  # Saturday, made a workday
        (date(2026, 10, 11), False),  # Sunday
    ],
)
def test_is_workday(day, workday):
    assert NATIONAL_DAY_2026.is_workday(day) is workday


@pytest.mark.parametrize(
    "start, days, expected",
    [
        (date(2026, 9, 24), 0, date(2026, 9, 24)),
        (date(2026, 9, 18), 1, date(2026, 9, 20)),  # Friday → the Sunday make-up day
        (date(2026, 9, 24), 1, date(2026, 9, 28)),  # Thursday → over the Mid-Autumn weekend
        (date(2026, 9, 30), 1, date(2026, 10, 8)),  # the Golden Week is skipped
        (date(2026, 9, 30), 5, date(2026, 10, 13)),  # 8, 9, 10 (Saturday worked), 12, 13
    ],
)
def test_add_working_days_counts_from_the_next_day(start, days, expected):
    assert NATIONAL_DAY_2026.add_working_days(start, days) == expected


def test_a_deadline_on_a_holiday_moves_to_the_next_working_day():
    assert NATIONAL_DAY_2026.first_workday_from(date(2026, 10, 1)) == date(2026, 10, 8)
    assert NATIONAL_DAY_2026.first_workday_from(date(2026, 10, 9)) == date(2026, 10, 9)


def test_a_year_without_data_says_so():
    with pytest.raises(CalendarMissing) as exc:
        NATIONAL_DAY_2026.add_working_days(date(2026, 12, 30), 5)
    assert exc.value.year == 2027
    with translation.override("en"):
        assert "2027" in str(CalendarMissing(2027)) and "county administrator" in str(CalendarMissing(2027))


def test_load_from_package_matches_the_official_2026_schedule(db):
    call_command("load_calendar", from_package=True)
    calendar = current_calendar()
    assert {2004, 2020, 2026} <= calendar.years and 2027 not in calendar.years
    for day, workday in [(date(2026, 10, 1), False), (date(2026, 9, 20), True), (date(2026, 10, 10), True),
                         (date(2026, 2, 16), False), (date(2026, 6, 19), False)]:
        assert calendar.is_workday(day) is workday, day
    # Loading again replaces, never duplicates.
    count = CalendarDay.objects.count()
    call_command("load_calendar", from_package=True)
    assert CalendarDay.objects.count() == count


def test_load_a_new_year_from_a_file(db, tmp_path):
    data = tmp_path / "2027.csv"
    data.write_text("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-20,workday,春节调休\n", encoding="utf-8")
    call_command("load_calendar", str(data), year=2027, source="国办发明电〔2026〕示例")
    assert CalendarYear.objects.get(year=2027).source.startswith("国办发明电")
    assert current_calendar().is_workday(date(2027, 2, 20))


@pytest.mark.parametrize(
    "line, message",
    [
        ("2027-01-02,holiday,周六", "weekend"),  # a Saturday needs no holiday row
        ("2027-01-04,workday,周一", "Saturday or Sunday"),
        ("2026-12-31,holiday,跨年", "not in 2027"),
        ("2027-13-01,holiday,坏日期", "row 2"),
    ],
)
def test_a_bad_calendar_file_changes_nothing(db, tmp_path, line, message):
    data = tmp_path / "bad.csv"
    data.write_text("date,kind,name\n" + line + "\n", encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError) as exc:
        call_command("load_calendar", str(data), year=2027, source="x")
    assert message in str(exc.value)
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_county_admin_adds_a_make_up_day_in_the_browser_form(world, client):
    client.force_login(world.admin)
    refused = client.post("/core/calendar/days/add/", {"date": "2027-01-04", "kind": "workday", "name": "x"})
    assert refused.status_code == 200 and not CalendarDay.objects.exists()
    saved = client.post("/core/calendar/days/add/", {"date": "2027-02-20", "kind": "workday", "name": "春节调休"})
    assert saved.status_code == 302 and CalendarDay.objects.get().name == "春节调休"
    client.force_login(world.officer_a)
    assert client.get("/core/calendar/days/add/").status_code == 404


def test_package_days_carry_the_chinese_holiday_names(db):
    call_command("load_calendar", from_package=True)
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).name == "国庆节"
    assert CalendarDay.objects.get(date=date(2026, 2, 14)).name == "春节"
