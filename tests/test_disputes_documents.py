"""Mediation documents: built from a case run through the services, rendered as Word and PDF, and
read back from the files themselves (python-docx for .docx, pypdf's text extraction for the PDF)."""
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation
from docx import Document as WordDocument
from pypdf import PdfReader

from concord.core.masking import mask_id_number
from concord.core.models import AccessLog
from concord.disputes import documents, rules, services
from concord.disputes.models import CaseDocument

from tests.disputes_helpers import claimants, committee_enterprise, file_case

RECEIVED, ACCEPTED, SIGNED = date(2025, 9, 1), date(2025, 9, 2), date(2025, 9, 16)
COURT_NUMBER = "（2025）浙0603民诉前调1234号"


@pytest.fixture
def calendar(db):
    """The official holiday schedule, so that a last day on a holiday moves (2025-10-01 → 10-09)."""
    call_command("load_calendar", from_package=True)
    services.forget_calendar()
    yield
    services.forget_calendar()


@pytest.fixture
def agreed(world, calendar):
    """A town case of the registered worker and one more claimant, agreed with two payments."""
    people = [services.ClaimantInput(world.worker_a.name, world.worker_a.id_number), *claimants(1, prefix="330621")]
    case = file_case(world, people=people, received_on=RECEIVED, facts="拖欠2025年6月至8月工资<共三个月>&加班费")
    services.case_accept(case, actor=world.officer_a, accepted_on=ACCEPTED)
    services.case_assign(case, actor=world.officer_a, mediator=world.officer_a)
    services.case_mediate(case, actor=world.officer_a)
    services.case_agree(case, actor=world.officer_a, signed_on=SIGNED, effective_on=SIGNED, amount=Decimal("12000"),
                        terms="被申请人分两期支付拖欠工资，申请人不再就本案主张其他权利。",
                        installments=[(date(2025, 9, 30), Decimal("5000")), (date(2025, 10, 31), Decimal("7000"))])
    case.refresh_from_db()
    return case


def referred(world, outcome, **extra):
    case = file_case(world, people=[services.ClaimantInput(world.worker_a.name, world.worker_a.id_number)],
                     received_on=RECEIVED, **extra)
    services.case_accept(case, actor=world.officer_a, accepted_on=ACCEPTED)
    services.case_mediate(case, actor=world.officer_a)
    services.case_fail(case, actor=world.officer_a, reason="双方差距过大")
    services.case_refer(case, actor=world.officer_a, outcome=outcome)
    case.refresh_from_db()
    return case


def docx_text(content: bytes) -> str:
    word = WordDocument(io.BytesIO(content))
    parts = [p.text for p in word.paragraphs]
    parts += [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.1)  # A4
    return "".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """Without whitespace: wrapped PDF lines split words anywhere."""
    return re.sub(r"\s+", "", text)


def both(record, actor=None):
    """The flattened text of the .docx and of the PDF of ``record``, each with its file name."""
    out = {}
    for fmt, read in (("docx", docx_text), ("pdf", pdf_text)):
        content, content_type, filename = documents.render(record, fmt, actor=actor)
        assert content_type == documents.FORMATS[fmt]
        out[fmt] = (flat(read(content)), filename)
    return out


def test_the_agreement_carries_parties_terms_schedule_and_review_windows(world, agreed):
    record = services.document_issue(agreed, actor=world.officer_a, kind="mediation_agreement")
    assert re.fullmatch(r"T工调协〔\d{4}〕\d{4}号", record.number)
    for fmt, (text, filename) in both(record).items():
        assert filename == f"调解协议书-{agreed.number}.{fmt}"
        expected = [
            "Alpha街道劳动人事争议调解中心", "调解协议书", record.number, agreed.number,
            world.worker_a.name, world.worker_a.id_number, "申请人00", claimants(1, prefix="330621")[0].id_number,
            world.ent_a.name, world.ent_a.credit_code,
            "拖欠2025年6月至8月工资<共三个月>&加班费", "被申请人分两期支付拖欠工资",
            "人民币12,000.00元", "壹万贰仟元整", "2025年9月30日", "5,000.00", "2025年10月31日", "7,000.00",
            "自2025年9月16日起生效",
            # 15 days from 16 September end on 1 October, a holiday: the first working day after it.
            "15日内（至2025年10月9日）", "30日内（至2025年10月16日）",
            "支付令", "本协议一式4份", "调解员：Alpha站长　签名：", "申请人：Alpha职工　签名：",
        ]
        missing = [item for item in expected if flat(item) not in text]
        assert not missing, (fmt, missing)
    # Wrapped Chinese lines never start with a comma or a closing mark.
    content = documents.render(record, "pdf")[0]
    lines = PdfReader(io.BytesIO(content)).pages[0].extract_text().splitlines()
    assert len(lines) > 20 and not [line for line in lines if line[:1] in documents.NO_LINE_START]


def test_a_collective_agreement_is_signed_by_the_representatives(world, calendar):
    case = file_case(world, people=claimants(12, reps=3, prefix="330621"), received_on=RECEIVED)
    assert case.is_collective
    services.case_accept(case, actor=world.officer_a, accepted_on=ACCEPTED)
    services.case_mediate(case, actor=world.officer_a)
    case = services.case_agree(case, actor=world.officer_a, signed_on=SIGNED, effective_on=SIGNED,
                               amount=Decimal("120000.50"), terms="一次付清")
    notice = services.document_issue(case, actor=world.officer_a, kind="acceptance_notice")
    assert "申请人00等12人：" in both(notice)["pdf"][0]
    text = both(services.document_issue(case, actor=world.officer_a, kind="mediation_agreement"))["docx"][0]
    assert text.count("申请人代表：") == 3 and "申请人：申请人" not in text and "申请人11（代表）" not in text
    assert "申请人00（代表）" in text and "申请人11" in text and "壹拾贰万元伍角" in text
    assert "本协议一式14份" in text and "人民币120,000.50元" in text


def test_the_acceptance_notice_names_the_deadline_and_what_to_bring(world, agreed):
    record = services.document_issue(agreed, actor=world.officer_a, kind="acceptance_notice")
    # The list comes from the rules, read in Chinese whatever the reader's language.
    with translation.override("zh-hans"):
        to_bring = [str(item) for item in rules.what_to_bring("wage_arrears")]
    assert len(to_bring) == 4 and "本人居民身份证" in to_bring
    for fmt, (text, filename) in both(record).items():
        assert filename == f"受理通知书-{agreed.number}.{fmt}"
        for item in ["受理通知书", record.number, agreed.number, "Alpha职工、申请人00：", "2025年9月2日决定受理",
                     world.ent_a.name, f"调解期限至{documents.chinese_date(agreed.deadline)}", *to_bring,
                     "拖欠工资", "Alpha街道劳动人事争议调解中心（印章）"]:
            assert flat(item) in text, (fmt, item)


@pytest.mark.parametrize("outcome, addressee, wording", [
    ("arbitration", "Testcounty区劳动人事争议仲裁委员会", "向贵委申请劳动争议仲裁"),
    ("litigation", "Testcounty区人民法院", "向贵院提起诉讼"),
    ("legal_aid", "Testcounty区法律援助中心", "提供法律援助"),
])
def test_the_referral_letter_is_addressed_by_outcome_with_the_last_day_for_arbitration(world, calendar, outcome,
                                                                                       addressee, wording):
    case = referred(world, outcome, knew_on=date(2025, 8, 20), employment_ended_on=date(2025, 8, 20))
    assert case.limitation_date == date(2026, 8, 20)
    record = services.document_issue(case, actor=world.officer_a, kind="referral_letter")
    for fmt, (text, filename) in both(record).items():
        assert filename == f"劳动争议案件转办函-{case.number}.{fmt}"
        for item in [addressee + "：", wording, record.number, case.number, world.worker_a.name,
                     "时效期间至2026年8月20日届满", "人民币12,000.00元"]:
            assert flat(item) in text, (fmt, item)


def test_a_court_referral_goes_back_to_the_court_with_its_case_number(world, calendar):
    case = referred(world, "returned_to_court", source="court_delegated", court_referral_kind="pre_filing",
                    court_case_number=COURT_NUMBER, court_received_on=RECEIVED)
    record = services.document_issue(case, actor=world.officer_a, kind="referral_letter")
    text, filename = both(record)["pdf"]
    assert filename == f"委派调解案件退回函-{case.number}.pdf"
    for item in ["Testcounty区人民法院：", f"贵院案号：{COURT_NUMBER}", "委派本中心调解", "现将本案退回贵院",
                 # Wage arrears while the worker is still employed: no time limit, and the letter says so.
                 "不受一年仲裁时效期间的限制"]:
        assert flat(item) in text, item


def test_the_issuing_body_follows_the_level(world, calendar):
    ent = committee_enterprise(world)
    case = file_case(world, actor=world.union_c, respondent=ent, received_on=RECEIVED)
    case = services.case_accept(case, actor=world.union_c, accepted_on=ACCEPTED)
    record = services.document_issue(case, actor=world.union_c, kind="acceptance_notice")
    assert "Alpha调解纺织有限公司劳动争议调解委员会" in both(record)["docx"][0]
    services.case_escalate(case, actor=world.union_c, note="企业调解未果")
    services.case_escalate(case, actor=world.officer_a, note="街道调解未果")
    assert "Testcounty区总工会劳动争议调解中心" in both(record)["pdf"][0]


def test_an_agreement_without_money_has_no_payment_schedule(world, calendar):
    case = file_case(world, received_on=RECEIVED, category=3, subcategory="dismissal", amount_claimed=None)
    services.case_accept(case, actor=world.officer_a, accepted_on=ACCEPTED)
    services.case_mediate(case, actor=world.officer_a)
    case = services.case_agree(case, actor=world.officer_a, signed_on=SIGNED, effective_on=SIGNED, amount=Decimal("0"),
                               terms="被申请人撤销解除劳动合同决定，申请人于2025年9月22日返岗。")
    record = services.document_issue(case, actor=world.officer_a, kind="mediation_agreement")
    for text, _name in both(record).values():
        assert "申请人于2025年9月22日返岗" in text and "支付期限" not in text
        # Not a money claim: no payment order either.
        assert "支付令" not in text and "四、" in text and "七、" not in text


def test_the_number_is_stable_across_renders_and_unique_per_kind(world, agreed):
    issued = [services.document_issue(agreed, actor=world.officer_a, kind=kind)
              for kind in ("acceptance_notice", "mediation_agreement")]
    again = services.document_issue(agreed, actor=world.officer_a, kind="mediation_agreement")
    assert again.pk == issued[1].pk and CaseDocument.objects.filter(case=agreed).count() == 2
    assert len({d.number for d in issued}) == 2
    first = documents.render(again, "pdf")[0]
    second = documents.render(CaseDocument.objects.get(pk=again.pk), "pdf")[0]
    assert flat(again.number) in flat(pdf_text(first)) and flat(again.number) in flat(pdf_text(second))
    other = file_case(world, people=claimants(1, prefix="362321"), received_on=RECEIVED)
    other = services.case_accept(other, actor=world.officer_a, accepted_on=ACCEPTED)
    notice = services.document_issue(other, actor=world.officer_a, kind="acceptance_notice")
    assert notice.number != issued[0].number and notice.number[:6] == issued[0].number[:6]


def test_the_worker_downloads_issued_documents_and_another_town_gets_404(world, agreed, login):
    url = f"/disputes/cases/{agreed.pk}/document/"
    worker = login(world.worker_user)
    # Not issued yet: the worker cannot make the handling body issue it.
    assert worker.get(url, {"kind": "mediation_agreement", "format": "pdf"}).status_code == 404
    record = services.document_issue(agreed, actor=world.officer_a, kind="mediation_agreement")
    response = worker.get(url, {"kind": "mediation_agreement", "format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''%E8%B0%83%E8%A7%A3" in response["Content-Disposition"]  # 调解协议书-…
    text = flat(pdf_text(response.content))
    assert flat(record.number) in text and world.worker_a.id_number in text
    word = worker.get(url, {"kind": "mediation_agreement", "format": "docx"})
    assert word.status_code == 200 and world.worker_a.name in docx_text(word.content)
    assert login(world.officer_b).get(url, {"kind": "mediation_agreement", "format": "pdf"}).status_code == 404
    # A download never issues: the handling officer's GET of an unissued notice changes nothing.
    officer = login(world.officer_a)
    refused = officer.get(url, {"kind": "acceptance_notice", "format": "docx"})
    assert refused.status_code == 302 and refused["Location"].endswith("#documents")
    assert not CaseDocument.objects.filter(case=agreed, kind="acceptance_notice").exists()
    # The form post issues it; then it downloads.
    issued = officer.post(url, {"kind": "acceptance_notice"})
    notice = CaseDocument.objects.get(case=agreed, kind="acceptance_notice")
    assert issued.status_code == 302 and notice.number in officer.get(issued["Location"]).content.decode()
    assert officer.get(url, {"kind": "acceptance_notice", "format": "docx"}).status_code == 200
    # Posting again keeps the number; the worker and another town cannot issue.
    officer.post(url, {"kind": "acceptance_notice"})
    assert CaseDocument.objects.filter(case=agreed, kind="acceptance_notice").count() == 1
    assert CaseDocument.objects.get(case=agreed, kind="acceptance_notice").number == notice.number
    before = CaseDocument.objects.count()
    assert worker.post(url, {"kind": "referral_letter"}).status_code == 302
    assert login(world.officer_b).post(url, {"kind": "acceptance_notice"}).status_code == 404
    assert CaseDocument.objects.count() == before


def test_the_case_page_offers_issue_forms_then_downloads(world, agreed, login):
    officer = login(world.officer_a)
    page = officer.get(agreed.get_absolute_url()).content.decode()
    assert 'id="doc-mediation_agreement-issue"' in page and 'id="doc-mediation_agreement-pdf"' not in page
    officer.post(f"/disputes/cases/{agreed.pk}/document/", {"kind": "mediation_agreement"})
    page = officer.get(agreed.get_absolute_url()).content.decode()
    assert 'id="doc-mediation_agreement-pdf"' in page and 'id="doc-mediation_agreement-issue"' not in page


def test_notices_mask_id_numbers_and_the_agreement_logs_its_full_ones(world, agreed, calendar):
    full = world.worker_a.id_number
    masked = mask_id_number(full)
    before = AccessLog.objects.count()
    notice = services.document_issue(agreed, actor=world.officer_a, kind="acceptance_notice")
    for text, _name in both(notice).values():
        assert masked in text and full not in text
    assert AccessLog.objects.count() == before

    agreement = services.document_issue(agreed, actor=world.officer_a, kind="mediation_agreement")
    documents.render(agreement, "pdf")
    log = AccessLog.objects.latest("pk")
    assert (log.actor, log.field, log.purpose, log.object_id) == (
        world.officer_a, "id_number", "document:mediation_agreement", str(agreed.pk))
    documents.render(agreement, "docx", actor=world.worker_user)
    assert AccessLog.objects.latest("pk").actor == world.worker_user
    assert AccessLog.objects.count() == before + 2


def test_the_referral_letter_masks_id_numbers(world, calendar):
    case = referred(world, "arbitration")
    record = services.document_issue(case, actor=world.officer_a, kind="referral_letter")
    text = both(record)["docx"][0]
    assert world.worker_a.id_number not in text and mask_id_number(world.worker_a.id_number) in text


@pytest.mark.parametrize("amount, words", [
    ("12000", "壹万贰仟元整"),
    ("100050.50", "壹拾万零伍拾元伍角"),
    ("1005", "壹仟零伍元整"),
    ("100000001", "壹亿零壹元整"),
    ("20000000", "贰仟万元整"),
    ("3.07", "叁元零柒分"),
    ("0.05", "伍分"),
    ("0", "零元整"),
])
def test_amounts_in_financial_capitals(amount, words):
    assert documents.amount_in_words(Decimal(amount)) == words
