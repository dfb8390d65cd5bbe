"""The early-warning API: signals (create and partner-file import), enterprise risk with its
explanation, alerts and their actions, the county's scoring rules and level policies. Registered
through ``register(router)`` (views.py)."""


def register(router):
    from . import views

    views.register(router)
