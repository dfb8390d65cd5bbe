"""The harmonious-enterprise API. Registered through ``register(router)``."""


def register(router):
    pass
