"""The early-warning API: signals (create and partner-file import), enterprise risk with its
explanation, alerts and their actions. Registered through ``register(router)``."""


def register(router):
    pass
