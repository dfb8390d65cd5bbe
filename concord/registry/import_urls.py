"""URL patterns of the registry's import pages (included by urls.py under the registry namespace)."""
urlpatterns = []
