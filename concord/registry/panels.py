"""Sections that later pillars add to the enterprise 360 and worker 360 pages.

A pillar registers a callable in its ``AppConfig.ready``::

    from concord.registry import panels

    @panels.enterprise_panel(order=20)
    def dispute_cases(enterprise, user):
        cases = selectors.cases_of(enterprise, user)   # scoped, a constant number of queries
        if cases is None:
            return None                                # nothing to show: no section
        return panels.Section(_("Dispute cases"), "disputes/panels/enterprise_cases.html", {"cases": cases})

The callable receives the record and the requesting user and returns a ``Section`` or None. It must
read through ``visible_to`` like every other read, and keep its query count independent of the
number of rows (a page of at most N rows, aggregates). Sections render in ``order``, then in
registration order; each template gets the section's context plus ``object``, ``request`` and
``user``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from django.template.loader import render_to_string

ENTERPRISE = "enterprise"
WORKER = "worker"


@dataclass(frozen=True)
class Section:
    title: str
    template: str
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RenderedSection:
    key: str
    title: str
    html: str


@dataclass(frozen=True)
class _Entry:
    key: str
    order: int
    func: Callable


_PANELS: dict[str, list[_Entry]] = {ENTERPRISE: [], WORKER: []}


def register(kind: str, func: Callable, *, order: int = 100, key: str | None = None) -> Callable:
    if kind not in _PANELS:
        raise ValueError(f"unknown 360 page {kind!r}")
    key = key or f"{func.__module__}.{func.__qualname__}"
    entries = [e for e in _PANELS[kind] if e.key != key]  # re-registering replaces (module reloads)
    entries.append(_Entry(key, order, func))
    _PANELS[kind] = sorted(entries, key=lambda e: e.order)  # stable: registration order within an order
    return func


def unregister(kind: str, func_or_key) -> None:
    key = func_or_key if isinstance(func_or_key, str) else f"{func_or_key.__module__}.{func_or_key.__qualname__}"
    _PANELS[kind] = [e for e in _PANELS[kind] if e.key != key]


def enterprise_panel(func=None, *, order: int = 100):
    """Decorator: register ``func(enterprise, user) -> Section | None`` on the enterprise 360 page."""
    if func is None:
        return lambda f: register(ENTERPRISE, f, order=order)
    return register(ENTERPRISE, func, order=order)


def worker_panel(func=None, *, order: int = 100):
    """Decorator: register ``func(worker, user) -> Section | None`` on the worker 360 page."""
    if func is None:
        return lambda f: register(WORKER, f, order=order)
    return register(WORKER, func, order=order)


def registered(kind: str) -> list[str]:
    return [e.key for e in _PANELS[kind]]


def sections_for(kind: str, obj, request) -> list[RenderedSection]:
    """Run every panel of ``kind`` for ``obj`` and the request's user; render those that answer."""
    out = []
    for entry in _PANELS[kind]:
        section = entry.func(obj, request.user)
        if section is None:
            continue
        context = {**section.context, "object": obj, "user": request.user, "panel_title": section.title}
        html = render_to_string(section.template, context, request=request)
        out.append(RenderedSection(entry.key.replace(".", "-"), str(section.title), html))
    return out
