"""The disputes API: cases and their actions (cases.py), tripartite meetings and legal settings
(meetings.py). Each module registers its viewsets through ``register(router)``."""


def register(router):
    from . import cases, meetings

    cases.register(router)
    meetings.register(router)
