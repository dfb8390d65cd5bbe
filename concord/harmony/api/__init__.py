"""The harmonious-enterprise API under /api/harmony/: standards, tiers, rounds, evaluations with
their actions, certifications and survey results. Registered through ``register(router)``
(views.py)."""


def register(router):
    from . import views

    views.register(router)
