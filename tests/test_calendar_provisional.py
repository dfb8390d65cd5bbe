"""The provisional calendar (issue 13 item 5): a year whose State Council notice is not loaded is
counted on the statutory holidays and weekends, every date counted on it says it is provisional
(pages, API, documents), loading the year's schedule recomputes the stored deadlines of running
records with a timeline event per record moved, and the county administrator is told from
November that next year's schedule is missing."""
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from concord.core.attention_items import calendar_attention, calendar_years_to_load
from concord.core.models import CalendarDay, CalendarYear, Event
from concord.core.workdays import (
    CalendarMissing, Festivals, WorkCalendar, current_calendar, festivals_of, is_provisional, provisional_holidays,
    provisional_note_zh, statutory_holidays,
)
from concord.disputes import documents, services
from concord.disputes.models import Case, DocumentKind
from concord.harmony import services as harmony_services

from tests.disputes_helpers import file_case
from tests.test_harmony_services import TODAY as HARMONY_TODAY, setup, submitted  # noqa: F401  (fixture)

D = date


# --- the rule: which days the statute gives off --------------------------------------------------

# The feasts of 2027 as the `holidays` package computes them (checked against the published lunar
# calendar: 除夕 2027-02-05, 正月初一 02-06, 清明 04-05, 端午 06-09, 中秋 09-15).
FESTIVALS_2027 = Festivals(lunar_new_year=D(2027, 2, 6), qingming=D(2027, 4, 5), dragon_boat=D(2027, 6, 9),
                           mid_autumn=D(2027, 9, 15))


def test_the_library_computes_the_2027_feasts():
    assert festivals_of(2027) == FESTIVALS_2027
    assert festivals_of(2028) == Festivals(D(2028, 1, 26), D(2028, 4, 4), D(2028, 5, 28), D(2028, 10, 3))


@pytest.mark.parametrize("day, name", [
    (D(2027, 1, 1), "元旦"),
    (D(2027, 2, 5), "春节"),  # lunar New Year's Eve (2024 revision)
    (D(2027, 2, 6), "春节"), (D(2027, 2, 7), "春节"), (D(2027, 2, 8), "春节"),
    (D(2027, 4, 5), "清明节"),
    (D(2027, 5, 1), "劳动节"), (D(2027, 5, 2), "劳动节"),
    (D(2027, 6, 9), "端午节"),
    (D(2027, 9, 15), "中秋节"),
    (D(2027, 10, 1), "国庆节"), (D(2027, 10, 2), "国庆节"), (D(2027, 10, 3), "国庆节"),
])
def test_statutory_holidays_of_2027(day, name):
    days = statutory_holidays(2027, FESTIVALS_2027)
    assert days[day] == name


def test_2027_has_the_thirteen_statutory_days_and_nothing_else():
    days = statutory_holidays(2027, FESTIVALS_2027)
    assert len(days) == 13
    assert D(2027, 2, 9) not in days and D(2027, 10, 4) not in days  # no bridging days: the notice's


def test_mid_autumn_on_national_day_keeps_eleven_days():
    # 2028: Mid-Autumn falls on 3 October, so the year has one statutory day fewer.
    days = statutory_holidays(2028, festivals_of(2028))
    assert days[D(2028, 10, 3)] == "国庆节" and len(days) == 12


def test_the_2013_revision_before_2025():
    days = statutory_holidays(2024, festivals_of(2024))
    assert D(2024, 2, 9) not in days  # no New Year's Eve before the 2024 revision
    assert D(2024, 5, 2) not in days and days[D(2024, 5, 1)] == "劳动节"
    assert len(days) == 11
    with pytest.raises(CalendarMissing):
        statutory_holidays(2013, festivals_of(2013))


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_statutory_days_are_official_holidays_in_the_loaded_years(year):
    """Against the official schedules the chinesecalendar package records: every statutory day is
    a day off in the State Council's notice (the notice only adds days)."""
    import chinese_calendar

    official_off = {d for d, _ in chinese_calendar.holidays.items() if d.year == year}
    statutory = set(provisional_holidays(year))
    assert statutory <= official_off, sorted(statutory - official_off)
    assert len(statutory) == 13


# --- the provisional calendar ---------------------------------------------------------------------

@pytest.fixture
def calendar(db):
    """The official schedules 2004–2026 (the package), as deployed today; 2027 is not loaded."""
    call_command("load_calendar", from_package=True, stdout=StringIO())
    services.forget_calendar()
    yield current_calendar()
    services.forget_calendar()


def test_a_year_without_a_notice_is_counted_on_statutory_days_and_weekends(calendar):
    assert calendar.is_provisional(D(2027, 1, 4)) and not calendar.is_provisional(D(2026, 12, 31))
    assert calendar.first_workday_from(D(2027, 1, 1)) == D(2027, 1, 4)  # Friday holiday, then the weekend
    assert calendar.first_workday_from(D(2027, 2, 5)) == D(2027, 2, 9)  # Spring Festival Fri–Mon
    assert calendar.add_working_days(D(2026, 12, 30), 2) == D(2027, 1, 4)
    # A bare calendar (a rule's test) still refuses rather than guess.
    with pytest.raises(CalendarMissing):
        WorkCalendar(years=frozenset({2026})).is_workday(D(2027, 1, 4))


def test_the_2026_12_17_mediation_does_not_end_on_new_years_day(world, calendar):
    case = file_case(world)
    deadline = services.mediation_deadline(case, D(2026, 12, 17))
    assert deadline == D(2027, 1, 4)  # 15 days → Friday 1 January (元旦), then the weekend
    assert is_provisional(deadline) and not is_provisional(D(2026, 12, 31))


def accepted_case(world, accepted_on):
    """A running case accepted on ``accepted_on`` with its deadline as the service counts it (set
    directly: the service refuses a future acceptance date and the test may run before that day)."""
    case = file_case(world, received_on=D(2026, 11, 2), confirm_duplicate=True)
    services.case_accept(case, actor=world.officer_a, accepted_on=D(2026, 11, 2))
    Case.objects.filter(pk=case.pk).update(accepted_on=accepted_on, deadline=services.mediation_deadline(case, accepted_on))
    case.refresh_from_db()
    return case


def test_the_case_page_api_and_list_say_the_deadline_is_provisional(world, calendar, client):
    case = accepted_case(world, D(2026, 12, 17))
    client.force_login(world.officer_a)
    with translation.override("en"):
        page = client.get(case.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        listing = client.get(reverse("disputes:case_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2027-01-04" in page and "provisional-date" in page and "2027 holiday schedule" in page
    assert "provisional-date" in listing
    body = client.get(f"/api/cases/{case.pk}/").json()
    assert body["deadline"] == "2027-01-04" and body["deadline_provisional"] is True
    # A deadline in a loaded year is not marked.
    other = accepted_case(world, D(2026, 11, 2))
    assert client.get(f"/api/cases/{other.pk}/").json()["deadline_provisional"] is False
    assert "provisional-date" not in client.get(other.get_absolute_url()).content.decode()
    # The list filter asks the same question (page and API).
    ids = lambda query: {row["id"] for row in client.get("/api/cases/" + query).json()["results"]}  # noqa: E731
    assert ids("?deadline_provisional=true") == {case.pk} and ids("?deadline_provisional=false") == {other.pk}
    listing = client.get(reverse("disputes:case_list") + "?deadline_provisional=true").content.decode()
    assert case.number in listing and other.number not in listing


def test_the_acceptance_notice_says_the_date_is_provisional(world, calendar):
    case = accepted_case(world, D(2026, 12, 17))
    record = services.document_issue(case, actor=world.officer_a, kind=DocumentKind.ACCEPTANCE_NOTICE)
    text = "\n".join(b.text for b in documents.build(record).blocks if hasattr(b, "text"))
    assert "本案调解期限至2027年1月4日" in text
    assert "2027年节假日安排尚未公布" in text and "以国务院办公厅公布的放假安排为准" in text
    assert provisional_note_zh(D(2026, 12, 31)) == ""


def load_2027(tmp_path, rows):
    data = tmp_path / "2027.csv"
    data.write_text("date,kind,name\n" + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    out = StringIO()
    call_command("load_calendar", str(data), year=2027, source="国办发明电〔2026〕（测试）", stdout=out)
    return out.getvalue()


# A 2027 notice as the test imagines it: the Spring Festival from the Eve to the 8th day off
# (5–12 February, 8 days), Saturday 20 February worked.
NOTICE_2027 = ["2027-01-01,holiday,元旦", "2027-02-05,holiday,春节", "2027-02-08,holiday,春节",
               "2027-02-09,holiday,春节", "2027-02-10,holiday,春节", "2027-02-11,holiday,春节",
               "2027-02-12,holiday,春节", "2027-02-20,workday,春节"]


def recomputed(case):
    return Event.objects.filter(verb=services.DEADLINE_RECOMPUTED_VERB, object_id=str(case.pk))


def test_loading_the_2027_schedule_moves_running_deadlines_with_an_event(world, calendar, tmp_path):
    new_year = accepted_case(world, D(2026, 12, 17))  # 2027-01-04 on both calendars
    spring = accepted_case(world, D(2027, 1, 22))  # 15 days → Sat 6 February
    assert spring.deadline == D(2027, 2, 9)  # provisional: 6–8 February off, Tuesday 9th
    closed = accepted_case(world, D(2027, 1, 22))
    Case.objects.filter(pk=closed.pk).update(status="closed")

    out = load_2027(tmp_path, NOTICE_2027)
    spring.refresh_from_db(), new_year.refresh_from_db(), closed.refresh_from_db()
    assert spring.deadline == D(2027, 2, 15)  # the holiday runs to Friday 12th; Monday 15th
    assert new_year.deadline == D(2027, 1, 4) and not is_provisional(new_year.deadline)
    assert closed.deadline == D(2027, 2, 9)  # a closed case keeps what it had
    event = recomputed(spring).get()
    assert (event.data["from"], event.data["to"], event.data["provisional"]) == ("2027-02-09", "2027-02-15", False)
    assert event.actor is None and not recomputed(new_year).exists() and not recomputed(closed).exists()
    assert "disputes 1" in out
    # Idempotent: loading the same schedule again moves nothing and writes no event.
    load_2027(tmp_path, NOTICE_2027)
    assert recomputed(spring).count() == 1


def test_an_escalated_case_counts_from_its_escalation(world, calendar, tmp_path):
    case = file_case(world, received_on=D(2026, 11, 2))
    services.case_accept(case, actor=world.officer_a, accepted_on=D(2026, 11, 2))
    services.case_escalate(case, actor=world.officer_a, note="镇街调解不成", today=D(2026, 11, 16))
    case.refresh_from_db()
    assert case.deadline == D(2026, 12, 1)
    # Nothing in 2026 changes, so reloading the package moves nothing.
    call_command("load_calendar", from_package=True, stdout=StringIO())
    case.refresh_from_db()
    assert case.deadline == D(2026, 12, 1) and not recomputed(case).exists()


def test_the_calendar_page_recomputes_through_the_service(world, calendar, client, tmp_path):
    spring = accepted_case(world, D(2027, 1, 22))
    load_2027(tmp_path, ["2027-01-01,holiday,元旦"])  # a schedule with no Spring Festival days yet
    spring.refresh_from_db()
    assert spring.deadline == D(2027, 2, 8)  # 6–7 Feb a weekend: Monday 8th is a working day now
    client.force_login(world.admin)
    response = client.post("/core/calendar/days/add/", {"date": "2027-02-08", "kind": "holiday", "name": "春节"})
    assert response.status_code == 302
    spring.refresh_from_db()
    assert spring.deadline == D(2027, 2, 9)
    event = recomputed(spring).order_by("-pk").first()
    assert event.actor == world.admin and event.data["to"] == "2027-02-09"
    day = CalendarDay.objects.get(date=D(2027, 2, 8))
    assert client.post(f"/core/calendar/days/{day.pk}/delete/").status_code == 302
    spring.refresh_from_db()
    assert spring.deadline == D(2027, 2, 8) and recomputed(spring).count() == 3


# --- harmony: the publicity period in working days --------------------------------------------------

def test_publicity_into_2027_is_provisional_and_follows_the_notice(setup, tmp_path, client):  # noqa: F811
    w = setup
    services.forget_calendar()
    ev = submitted(w)
    ev = harmony_services.evaluation_review(ev, actor=w.officer_a, points={}, reasons={}, onsite_check_on=HARMONY_TODAY,
                                            onsite_notes="查阅台账", today=HARMONY_TODAY)
    ev = harmony_services.evaluation_approve(ev, actor=w.admin, today=D(2026, 12, 28))
    assert ev.publicity_until == D(2027, 1, 4)  # 28, 29, 30, 31 December, then Monday 4 January
    client.force_login(w.admin)
    assert client.get(f"/api/harmony/evaluations/{ev.pk}/").json()["publicity_until_provisional"] is True
    assert "provisional-date" in client.get(ev.get_absolute_url()).content.decode()
    load_2027(tmp_path, ["2027-01-01,holiday,元旦", "2027-01-04,holiday,元旦"])
    ev.refresh_from_db()
    assert ev.publicity_until == D(2027, 1, 5)
    event = Event.objects.get(verb=harmony_services.PUBLICITY_RECOMPUTED_VERB, object_id=str(ev.pk))
    assert event.data["to"] == "2027-01-05"
    assert client.get(f"/api/harmony/evaluations/{ev.pk}/").json()["publicity_until_provisional"] is False


# --- the county administrator's attention item ------------------------------------------------------

@pytest.mark.parametrize("today, loaded, expected", [
    (D(2026, 10, 31), {2026}, []),
    (D(2026, 11, 1), {2026}, [2027]),
    (D(2026, 12, 4), {2026}, [2027]),
    (D(2026, 12, 4), {2026, 2027}, []),
    (D(2027, 1, 5), {2026}, [2027]),  # still missing in January
    (D(2027, 3, 1), {2027}, []),
])
def test_which_schedules_to_load(today, loaded, expected):
    assert calendar_years_to_load(today, loaded) == expected


def test_the_county_administrator_is_told_in_november_and_december_not_october(world, calendar, client):
    assert calendar_attention(world.admin, D(2026, 10, 15)) == []
    for today in (D(2026, 11, 1), D(2026, 12, 4)):
        (item,) = calendar_attention(world.admin, today)
        assert "2027" in item.label and item.url == reverse("core:calendaryear_list")
    assert calendar_attention(world.officer_a, D(2026, 12, 4)) == []  # a town cannot load it
    # On the home page, whatever today is: with no schedule loaded at all this year's is missing.
    CalendarYear.objects.all().delete()
    client.force_login(world.admin)
    with translation.override("en"):
        home = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "holiday schedule is not loaded" in home and reverse("core:calendaryear_list") in home
