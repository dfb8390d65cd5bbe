"""``{{ day|provisional_mark }}``: a badge after a date counted on the provisional calendar (a year
whose official holiday schedule is not loaded; see core/workdays.py)."""
from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from concord.core.workdays import is_provisional

register = template.Library()


def provisional_title(year) -> str:
    return _("The State Council has not yet published the %(year)s holiday schedule: this date is counted on the "
             "statutory holidays and weekends and is recomputed when the schedule is loaded.") % {"year": year}


@register.filter
def provisional_mark(day):
    return provisional_badge(day) if is_provisional(day) else ""


def provisional_badge(day):
    return format_html('<span class="badge text-bg-warning ms-1 provisional-date" title="{}">{}</span>',
                       provisional_title(day.year), _("provisional"))
