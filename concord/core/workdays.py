"""China's working-day calendar: weekends, official holidays and the make-up workdays (调休) that
move around them.

The State Council publishes each year's schedule late in the year before, so the calendar is data:
``CalendarDay`` rows (holidays on weekdays, workdays on weekends) and a ``CalendarYear`` row per
year whose schedule is complete. Years 2004–2026 load from the ``chinesecalendar`` package
(``manage.py load_calendar --from-package``); a county administrator adds a new year from the
published notice (``load_calendar FILE.csv --year 2027 --source "…"`` or the pages under System).

A year without a loaded schedule is counted on a **provisional** calendar: the statutory holidays
of 全国年节及纪念日放假办法 (``statutory_holidays``; lunar dates and the Qingming solar term from
the ``holidays`` package) plus weekends, with no bridging days and no make-up workdays, which only
the notice sets. A date counted on it is provisional (``is_provisional``): the pages, the API and
the documents say so, and loading the year's schedule recomputes the stored deadlines of running
records (``recompute_deadlines``). Only a year the statutes here do not cover (before 2014) gets
``CalendarMissing``.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from django.utils.translation import gettext as _

HOLIDAY = "holiday"
MAKEUP_WORKDAY = "workday"


class CalendarMissing(LookupError):
    """The working-day calendar has no schedule for ``year``; the county administrator must add it."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            _("The working-day calendar has no holiday schedule for %(year)s yet: a county administrator must add it "
              "(System → Working-day calendar).") % {"year": year}
        )


# --- the statutory holidays (the rule of a provisional year) ------------------------------------

NEW_YEAR, SPRING_FESTIVAL, QINGMING, LABOUR_DAY, DRAGON_BOAT, MID_AUTUMN, NATIONAL_DAY = (
    "元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
# The first year each revision of 全国年节及纪念日放假办法 governs: the 2013 revision (国务院令第644号,
# in force 2014-01-01) and the 2024 revision (国务院令第795号, in force 2025-01-01). Earlier years
# come only from loaded data.
REVISION_2013, REVISION_2024 = 2014, 2025


@dataclass(frozen=True)
class Festivals:
    """The movable feasts of a Gregorian year: the 1st day of the 1st lunar month, the Qingming
    solar term, the 5th of the 5th and the 15th of the 8th lunar month."""
    lunar_new_year: date
    qingming: date
    dragon_boat: date
    mid_autumn: date


def statutory_holidays(year: int, festivals: Festivals) -> dict:
    """{date: name} of the days off for everyone that the statute gives in ``year`` (art. 2), before
    the State Council's yearly notice adds bridging days and make-up workdays. 2024 revision:
    New Year's Day 1 January; Spring Festival 4 days (lunar New Year's Eve and the 1st–3rd of the
    first month); Qingming 1; Labour Day 1–2 May; Dragon Boat 1; Mid-Autumn 1; National Day 1–3
    October. The 2013 revision had no Eve and Labour Day 1 May only."""
    if year < REVISION_2013:
        raise CalendarMissing(year)
    days = {date(year, 1, 1): NEW_YEAR}
    first = 0 if year < REVISION_2024 else -1  # the 2024 revision adds lunar New Year's Eve
    for offset in range(first, 3):
        days[festivals.lunar_new_year + timedelta(days=offset)] = SPRING_FESTIVAL
    days[festivals.qingming] = QINGMING
    days[date(year, 5, 1)] = LABOUR_DAY
    if year >= REVISION_2024:
        days[date(year, 5, 2)] = LABOUR_DAY
    days[festivals.dragon_boat] = DRAGON_BOAT
    days[festivals.mid_autumn] = MID_AUTUMN
    for d in (1, 2, 3):  # Mid-Autumn can fall on 1–3 October: the National Day name is kept
        days[date(year, 10, d)] = NATIONAL_DAY
    return days


def festivals_of(year: int) -> Festivals:
    """The lunar feasts and the Qingming solar term of ``year``, as the ``holidays`` package computes
    them (its Chinese lunisolar tables; names as it gives them in Chinese)."""
    import holidays

    table = holidays.China(years=year, observed=False, language="zh_CN")
    found = {}
    for day in sorted(table):
        for name in table.get_list(day):
            found.setdefault(name, []).append(day)
    try:
        return Festivals(lunar_new_year=min(found[SPRING_FESTIVAL]), qingming=found[QINGMING][0],
                         dragon_boat=found[DRAGON_BOAT][0], mid_autumn=found[MID_AUTUMN][0])
    except KeyError:
        raise CalendarMissing(year) from None


@lru_cache(maxsize=64)
def provisional_holidays(year: int) -> dict:
    """The statutory holidays of ``year`` with their computed dates (cached: the dates never change)."""
    return statutory_holidays(year, festivals_of(year))


# --- the calendar -------------------------------------------------------------------------------

@dataclass(frozen=True)
class WorkCalendar:
    years: frozenset  # the years whose official schedule is loaded
    holidays: frozenset = frozenset()
    makeup_workdays: frozenset = frozenset()
    # Count a year without a schedule on the statutory holidays and weekends instead of refusing.
    provisional: bool = False

    def is_provisional(self, day: date) -> bool:
        return day.year not in self.years

    def is_workday(self, day: date) -> bool:
        if day.year not in self.years:
            if not self.provisional:
                raise CalendarMissing(day.year)
            return day.weekday() < 5 and day not in provisional_holidays(day.year)
        if day in self.makeup_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (the count starts the next day, as periods do
        under the Civil Code art. 201)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        while days:
            day += timedelta(days=1)
            if self.is_workday(day):
                days -= 1
        return day

    def first_workday_from(self, day: date) -> date:
        """``day`` itself when it is a working day, else the next one (a deadline that falls on a
        holiday moves to the first working day after it)."""
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day


# The names the State Council's notices use, for the package's English holiday names.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节", "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def from_package(first_year: int = 2004, last_year: int | None = None):
    """(year, holidays-on-weekdays, make-up workdays) from the ``chinesecalendar`` package, for the
    years it covers completely."""
    import chinese_calendar

    last = last_year or max(chinese_calendar.holidays).year
    for year in range(first_year, last + 1):
        name = lambda n: HOLIDAY_NAMES.get(str(n), str(n))  # noqa: E731
        holidays = {d: name(n) for d, n in chinese_calendar.holidays.items() if d.year == year and d.weekday() < 5}
        workdays = {d: name(n) for d, n in chinese_calendar.workdays.items() if d.year == year and d.weekday() >= 5}
        yield year, holidays, workdays


def current_calendar() -> WorkCalendar:
    """The calendar as stored (a few hundred rows: read whole), provisional for the other years."""
    from .models import CalendarDay, CalendarYear

    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    holidays, workdays = set(), set()
    for day, kind in CalendarDay.objects.filter(date__year__in=years).values_list("date", "kind"):
        (holidays if kind == HOLIDAY else workdays).add(day)
    return WorkCalendar(years=years, holidays=frozenset(holidays), makeup_workdays=frozenset(workdays),
                        provisional=True)


# --- provisional dates --------------------------------------------------------------------------
# Whether a date is provisional is computed, never stored: a date counted on the calendar is
# provisional exactly while its year's schedule is not loaded, so the answer follows the loaded
# years by itself (no flag to keep in step, nothing to migrate when a notice is loaded). A
# period's last day is what the calendar decided, and the years before it are loaded first, so
# the last day's year is the one to ask about.

def is_provisional(day: date | None) -> bool:
    from .models import CalendarYear

    return day is not None and not CalendarYear.objects.filter(year=day.year).exists()


def provisional_years(days) -> list:
    """The years among ``days`` (dates or None) whose schedule is not loaded, in order."""
    from .models import CalendarYear

    years = {d.year for d in days if d is not None}
    loaded = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    return sorted(years - loaded)


def provisional_note_zh(*days) -> str:
    """The sentence an official document adds when one of its dates is provisional ("" if none)."""
    years = provisional_years(days)
    if not years:
        return ""
    return (f"注：{'、'.join(str(y) for y in years)}年节假日安排尚未公布，上述日期按法定节假日和公休日暂定，"
            "以国务院办公厅公布的放假安排为准。")


# --- recomputing stored deadlines when a schedule is loaded or changed ----------------------------
# Each app registers a function ``(calendar, actor) -> int`` that recomputes the stored deadlines
# of its running records and returns how many moved (one timeline event each); core cannot
# import the apps, so they register here (disputes.apps, harmony.apps).
_RECOMPUTERS = []


def register_recompute(func):
    if func not in _RECOMPUTERS:
        _RECOMPUTERS.append(func)
    return func


def recompute_deadlines(*, actor=None) -> dict:
    """Recompute every registered app's stored deadlines on the calendar as it is now. Idempotent: a
    record whose deadline does not change is not written and gets no event."""
    calendar = current_calendar()
    return {func.__module__: func(calendar, actor) for func in _RECOMPUTERS}
