"""The benchmark: ``manage.py bench`` builds a small and a county-scale demo database and measures
pages, API lists, the worker import and the demo generator side by side (docs/benchmarks.md).

``runner`` orchestrates (one child process per database and step, so each measurement runs on its
own database with ``concord.settings_bench``); ``measure`` holds what runs inside a child.
"""
