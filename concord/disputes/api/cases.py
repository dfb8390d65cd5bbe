"""Case API (see the module docstring of the package)."""


def register(router):
    pass
