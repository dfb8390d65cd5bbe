"""core.tables keeps django-tables2's signature answers per function: the same answers as the
library's own for every kind of callable a column uses, and no mix-up between functions."""
from functools import partial

from django_tables2 import utils

from concord.core import tables


class Column:
    def render(self, value, record):
        return value

    def value(self, value, **kwargs):
        return value

    def __call__(self, table):
        return table


def plain(record, table=None):
    return record


def many(*args, bound_column, **kwargs):
    return bound_column


class Unhashable:
    __hash__ = None

    def __call__(self, value):
        return value


CALLABLES = [plain, many, lambda record: record, Column().render, Column().value, Column(), partial(plain, table=1),
             Unhashable(), Column.render]


def test_answers_equal_the_librarys_and_repeat():
    assert utils.signature is tables.cached_signature
    for fn in CALLABLES:
        expected = tables._signature(fn)
        assert tables.cached_signature(fn) == expected == tables.cached_signature(fn), fn


def test_bound_methods_of_other_instances_share_the_answer_and_functions_do_not_mix():
    a, b = Column(), Column()
    assert tables.cached_signature(a.render) == tables.cached_signature(b.render) == (("value", "record"), None)
    assert tables.cached_signature(Column.render) == (("self", "value", "record"), None)
    assert tables.cached_signature(a.value) == (("value",), "kwargs")


def test_call_with_appropriate_still_passes_only_wanted_arguments():
    assert utils.call_with_appropriate(Column().render, {"value": 1, "record": 2, "table": 3}) == 1
    assert utils.call_with_appropriate(plain, {"value": 1}) is None  # record missing: not called
