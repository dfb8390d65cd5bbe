"""Tripartite meetings and legal settings pages (owned by meeting_views.py)."""
urlpatterns = []
