"""China's working-day calendar: weekends, official holidays and the make-up workdays (调休) that
move around them.

The State Council publishes each year's schedule late in the year before, so the calendar is data:
``CalendarDay`` rows (holidays on weekdays, workdays on weekends) and a ``CalendarYear`` row per
year whose schedule is complete. Years 2004–2026 load from the ``chinesecalendar`` package
(``manage.py load_calendar --from-package``); a county administrator adds a new year from the
published notice (``load_calendar FILE.csv --year 2027 --source "…"`` or the pages under System).
A rule asking about a year without data gets ``CalendarMissing`` instead of a silent guess.
"""
from dataclasses import dataclass
from datetime import date, timedelta

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


@dataclass(frozen=True)
class WorkCalendar:
    years: frozenset
    holidays: frozenset = frozenset()
    makeup_workdays: frozenset = frozenset()

    def is_workday(self, day: date) -> bool:
        if day.year not in self.years:
            raise CalendarMissing(day.year)
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
    """The calendar as stored (a few hundred rows: read whole)."""
    from .models import CalendarDay, CalendarYear

    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    holidays, workdays = set(), set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (holidays if kind == HOLIDAY else workdays).add(day)
    return WorkCalendar(years=years, holidays=frozenset(holidays), makeup_workdays=frozenset(workdays))
