"""A payment schedule typed by hand (issue 14 item 5): Chinese and ISO dates, full-width
punctuation, amounts with thousands separators, a currency sign or 元/万元; a date without a year
is refused, not guessed. A pure rule, tested without a database, and the agreement form using it."""
from datetime import date
from decimal import Decimal
from decimal import Decimal as D

import pytest

from concord.disputes import rules
from concord.disputes.forms import AgreeForm

DEC_20 = date(2026, 12, 20)


@pytest.mark.parametrize("line,expected", [
    ("2026年12月20日，15000", (DEC_20, D("15000.00"))),          # the line from the issue
    ("2026-12-20, 15000", (DEC_20, D("15000.00"))),
    ("2026-12-20,15000", (DEC_20, D("15000.00"))),
    ("2026/12/20 15,000.50", (DEC_20, D("15000.50"))),
    ("2026.12.20、15000元", (DEC_20, D("15000.00"))),
    ("2026年12月20日 ￥15,000元", (DEC_20, D("15000.00"))),
    ("２０２６年１２月２０日，１５０００", (DEC_20, D("15000.00"))),  # full-width digits
    ("  2026年1月5日：1.5万元 ", (date(2027 - 1, 1, 5), D("15000.00"))),
    ("2026年12月20日15000", (DEC_20, D("15000.00"))),             # 日 ends the date
    ("2026-12-20, 人民币3,000", (DEC_20, D("3000.00"))),
    ("2026-12-20\t800.5", (DEC_20, D("800.50"))),
])
def test_a_payment_line_is_read(line, expected):
    assert rules.parse_payment_line(line) == expected


@pytest.mark.parametrize("line,code", [
    ("12月20日，15000", "payment_year"),        # no year: refused, not guessed
    ("12-20, 15000", "payment_year"),
    ("2026-02-30, 100", "payment_date"),        # no such day
    ("二〇二六年十二月二十日，15000", "payment_date"),
    ("next month, 100", "payment_date"),
    ("2026-12-20", "payment_line"),             # no amount
    ("2026-12-20,", "payment_line"),
    ("", "payment_line"),
    ("2026-12-20, abc", "payment_amount"),
    ("2026-12-20, 1.001", "payment_amount"),    # below a fen
    ("2026-12-20, 15,00", "payment_amount"),    # not a thousands group
    ("2026-12-20, -500", "payment_amount"),
])
def test_a_bad_payment_line_is_refused_with_its_reason(line, code):
    with pytest.raises(rules.RuleRefused) as err:
        rules.parse_payment_line(line)
    assert err.value.code == code


def test_the_agreement_form_takes_the_chinese_schedule_and_names_the_bad_line():
    base = {"signed_on": "2026-11-20", "effective_on": "2026-11-20", "amount": "20000", "terms": "分两期"}
    form = AgreeForm({**base, "schedule": "2026年12月20日，15000\n\n2027-01-20, 5,000"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["schedule"] == [(DEC_20, D("15000.00"), "", ""), (date(2027, 1, 20), D("5000.00"), "", "")]
    form = AgreeForm({**base, "schedule": "2026年12月20日，15000\n12月30日，5000"})
    assert not form.is_valid()
    assert any("2" in e and "12月30日" in e for e in form.errors["schedule"])


@pytest.mark.parametrize("line, expected", [
    ("2026-12-20, 15000", (date(2026, 12, 20), Decimal("15000.00"), "", "")),
    ("2026年12月20日，15000", (date(2026, 12, 20), Decimal("15000.00"), "", "")),
    ("2026-12-20, 15,000, 银行转账, 申请人工资卡账户", (date(2026, 12, 20), Decimal("15000.00"), "银行转账", "申请人工资卡账户")),
    ("2026年12月20日，1.5万元，现金", (date(2026, 12, 20), Decimal("15000.00"), "现金", "")),
    ("2027-01-01, 4000, 现金, 本中心3号楼", (date(2027, 1, 1), Decimal("4000.00"), "现金", "本中心3号楼")),
    ("2026-12-20, 15000,", (date(2026, 12, 20), Decimal("15000.00"), "", "")),
])
def test_a_schedule_line_takes_the_way_and_place_after_the_amount(line, expected):
    assert rules.parse_schedule_line(line) == expected


@pytest.mark.parametrize("line", ["12月20日，15000，现金", "2026-12-20, 现金", "2026-12-20, 15000, 现金, 本中心, 多余"])
def test_a_schedule_line_without_date_and_amount_is_refused(line):
    with pytest.raises(rules.RuleRefused):
        rules.parse_schedule_line(line)
