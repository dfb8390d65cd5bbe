from . import views

app_name = "core"
urlpatterns = views.region_urls + views.user_urls + views.assignment_urls + views.audit_urls + views.calendar_urls + views.notification_urls
