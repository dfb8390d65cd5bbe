"""Tripartite meetings and legal settings API."""


def register(router):
    pass
