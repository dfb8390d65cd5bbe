from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "concord.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self):
        from django.apps import apps

        from . import attention_items, checks, choices, navigation, periodic, tokens  # noqa: F401  (registrations)

        choices.install(m for m in apps.get_models() if m.__module__.startswith("concord."))
        from .audit import register_audited
        from .models import (
            AccessLog, CalendarDay, CalendarYear, ChangeLogEntry, Event, ImportBatch, JobRun, Region, RoleAssignment, User,
        )

        register_audited(Region)
        register_audited(User, exclude_fields=["password", "last_login"])
        register_audited(RoleAssignment)
        register_audited(CalendarYear)
        register_audited(CalendarDay)
        # An import batch's progress and problem lists change often and say nothing new: not logged.
        register_audited(ImportBatch, exclude_fields=["progress", "errors", "notices", "counts", "created_ids"])
        navigation.register(
            "system",
            [
                navigation.Item(_("Regions"), "core:region_list", Region),
                navigation.Item(_("Users"), "core:user_list", User),
                navigation.Item(_("Role assignments"), "core:roleassignment_list", RoleAssignment),
                navigation.Item(_("Working-day calendar"), "core:calendaryear_list", CalendarYear),
                navigation.Item(_("Change log"), "core:changelogentry_list", ChangeLogEntry),
                navigation.Item(_("Personal-data access"), "core:accesslog_list", AccessLog),
                navigation.Item(_("Events"), "core:event_list", Event),
                navigation.Item(_("Periodic jobs"), "core:jobrun_list", JobRun),
            ],
        )
