"""Mediation documents: built from a case run through the services, rendered as Word and PDF, and
read back from the files themselves (python-docx for .docx, pypdf's text extraction for the PDF)."""
import io
import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from django.utils import translation
from docx import Document as WordDocument
from pypdf import PdfReader

from concord.core.masking import mask_id_number
from concord.core.models import AccessLog, Sequence
from concord.core.scope import Role
from concord.disputes import documents, rules, selectors, services
from concord.disputes.models import CaseDocument

from tests.conftest import make_user
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
    # Every claimant is named as a party; only the representatives sign.
    assert text.count("申请人代表：") == 3 and text.count("申请人：申请人") == 12 and not re.search(r"申请人：申请人\d\d　签名", text)
    assert "申请人11（代表）" not in text and "申请人：申请人00（代表），" in text and "壹拾贰万元伍角" in text
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
    last = AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    documents.render(agreement, "pdf")
    # The agreement prints the parties' full ID numbers and phones: one entry for each, per render.
    logs = AccessLog.objects.filter(pk__gt=last).order_by("pk")
    assert [(log.actor, log.field, log.purpose, log.object_id) for log in logs] == [
        (world.officer_a, field, "document:mediation_agreement", str(agreed.pk)) for field in ("id_number", "phone")]
    documents.render(agreement, "docx", actor=world.worker_user)
    assert AccessLog.objects.latest("pk").actor == world.worker_user
    assert AccessLog.objects.count() == before + 4


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


# --- issue 13: the standard formats, and who issues ----------------------------------------------

SESSION = datetime(2025, 9, 5, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def pdf_pages(content: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


def court_case(world, **extra):
    """A court referral at town level (court referrals start at the town), accepted, with a session."""
    case = file_case(world, people=[services.ClaimantInput(world.worker_a.name, world.worker_a.id_number)],
                     received_on=RECEIVED, source="court_delegated", court_referral_kind="pre_filing",
                     court_case_number=COURT_NUMBER, court_received_on=RECEIVED, **extra)
    services.case_accept(case, actor=world.officer_a, accepted_on=ACCEPTED, session_at=SESSION,
                         session_place="Alpha街道维权站调解室")
    case.refresh_from_db()
    assert case.level == "town"
    return case


@pytest.fixture
def station(world):
    world.town_a.mediation_address = "Alpha街道兴越路1号"
    world.town_a.mediation_phone = "0575-84001234"
    world.town_a.save()
    return world.town_a


def test_the_acceptance_notice_is_dated_the_acceptance_day_with_session_and_the_bodys_contact(world, calendar, station):
    case = file_case(world, people=[services.ClaimantInput(world.worker_a.name, world.worker_a.id_number)],
                     received_on=RECEIVED)
    services.case_accept(case, actor=world.officer_a, accepted_on=ACCEPTED, session_at=SESSION)
    case.refresh_from_db()
    record = services.document_issue(case, actor=world.officer_a, kind="acceptance_notice")
    today = documents.chinese_date(date.today())
    for fmt, (text, _name) in both(record).items():
        # Dated the day it was accepted, not the day it is issued or printed (twice: both copies).
        assert today not in text and text.count(documents.chinese_date(ACCEPTED)) >= 4, fmt
        # No session place given: the station's address.
        for item in ["调解时间：2025年9月5日9时30分；调解地点：Alpha街道兴越路1号", "本中心地址：Alpha街道兴越路1号",
                     "联系电话：0575-84001234"]:
            assert flat(item) in text, (fmt, item)
    pages = pdf_pages(documents.render(record, "pdf")[0])
    # Each copy ends with its seal and date: the claimants' notice, then the respondent's.
    assert pages[-1].endswith(flat(f"（印章）{documents.chinese_date(ACCEPTED)}")) and len(pages) >= 2


def test_the_respondent_gets_its_own_acceptance_notice(world, calendar, station):
    case = court_case(world)
    record = services.document_issue(case, actor=world.officer_a, kind="acceptance_notice")
    pages = pdf_pages(documents.render(record, "pdf")[0])
    first = next(i for i, page in enumerate(pages) if flat(f"{world.ent_a.name}：") in page)
    assert first > 0  # on a page of its own, after the claimants' notice
    respondent = "".join(pages[first:])
    for item in [record.number, f"申请人{world.worker_a.name}与你单位之间的劳动争议", "拖欠三个月工资",
                 "请你单位法定代表人（主要负责人）或者持授权委托书的委托代理人按时到场参加调解",
                 "调解时间：2025年9月5日9时30分；调解地点：Alpha街道维权站调解室", "联系电话：0575-84001234"]:
        assert flat(item) in respondent, item
    # The respondent's copy names the claimants, not their ID numbers.
    assert world.worker_a.id_number[-4:] not in respondent
    word = WordDocument(io.BytesIO(documents.render(record, "docx")[0]))
    assert any('w:br w:type="page"' in p._p.xml or 'w:type="page"' in p._p.xml for p in word.paragraphs)
    assert f"{world.ent_a.name}：" in [p.text for p in word.paragraphs]


def test_a_court_referral_is_noticed_as_the_courts_referral_with_its_case_number(world, calendar, station):
    case = court_case(world)
    record = services.document_issue(case, actor=world.officer_a, kind="acceptance_notice")
    for fmt, (text, _name) in both(record).items():
        for item in ["Testcounty区人民法院于2025年9月1日委派本中心调解的你方与", f"法院案号：{COURT_NUMBER}",
                     "本案将依法退回人民法院"]:
            assert flat(item) in text, (fmt, item)
        assert "你方于2025年9月1日提出" not in text


def test_no_acceptance_notice_is_issued_once_the_case_is_closed(world, calendar, agreed, login):
    services.case_close(agreed, actor=world.officer_a, outcome="performed")
    agreed.refresh_from_db()
    before = Sequence.objects.filter(name__startswith="doc:acceptance_notice").values_list("last", flat=True).first()
    with pytest.raises(ValidationError) as refused:
        services.document_issue(agreed, actor=world.officer_a, kind="acceptance_notice")
    assert "The case is closed" in str(refused.value) or "已结案" in str(refused.value)
    page = login(world.officer_a).post(f"/disputes/cases/{agreed.pk}/document/", {"kind": "acceptance_notice"}, follow=True)
    assert "已结案，不再出具受理通知书" in page.content.decode()
    assert not CaseDocument.objects.filter(case=agreed, kind="acceptance_notice").exists()
    assert Sequence.objects.filter(name__startswith="doc:acceptance_notice").values_list("last", flat=True).first() == before


@pytest.mark.parametrize("who", ["union_a", "court"])
def test_only_the_handling_body_issues_page_and_api(world, calendar, login, who):
    """The attack: the enterprise's union officer and the court liaison both see (and may change) a
    town-level court referral of the enterprise; neither handles it there, so neither issues its
    notice, by the page's form or the API, and no number is taken."""
    case = court_case(world)
    attacker = getattr(world, who)
    assert selectors.may_change(attacker, case)  # the old check (CHANGE scope) let them through
    client = login(attacker)
    page = client.post(f"/disputes/cases/{case.pk}/document/", {"kind": "acceptance_notice"}, follow=True)
    assert "只有承办本案的调解组织" in page.content.decode()
    api = client.post(f"/api/cases/{case.pk}/documents/", {"kind": "acceptance_notice"}, content_type="application/json")
    assert api.status_code == 403, api.content
    assert not CaseDocument.objects.filter(case=case).exists()
    assert not Sequence.objects.filter(name__startswith="doc:").exists()
    # The case page offers them no issue button, and says who issues.
    detail = client.get(case.get_absolute_url()).content.decode()
    assert 'id="doc-acceptance_notice-issue"' not in detail
    # The town that handles it issues, once; a repeat answers the same number.
    officer = login(world.officer_a)
    first = officer.post(f"/api/cases/{case.pk}/documents/", {"kind": "acceptance_notice"}, content_type="application/json")
    again = officer.post(f"/api/cases/{case.pk}/documents/", {"kind": "acceptance_notice"}, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["number"] == again.json()["number"]
    assert first.json()["downloads"]["pdf"].endswith("?kind=acceptance_notice&format=pdf")
    listed = client.get(f"/api/cases/{case.pk}/documents/")
    assert listed.status_code == 200 and [d["number"] for d in listed.json()] == [first.json()["number"]]


@pytest.fixture
def detailed(world, calendar):
    """An agreement with every particular the standard format asks for on record."""
    world.worker_a.ethnicity, world.worker_a.address = "01", "绍兴市柯桥区Alpha街道幸福村8号"
    world.worker_a.save()
    world.ent_a.legal_representative, world.ent_a.legal_representative_title = "张三", "执行董事"
    world.ent_a.address, world.ent_a.contact_phone = "Alpha街道工业园区2号", "13700007777"
    world.ent_a.save()
    office = make_user("alpha_station_desk", Role.MEDIATOR, region=world.town_a, name="")
    case = file_case(world, people=[services.ClaimantInput(world.worker_a.name, world.worker_a.id_number),
                                    *claimants(1, prefix="330621")], received_on=RECEIVED)
    services.case_accept(case, actor=world.officer_a, accepted_on=ACCEPTED)
    services.case_assign(case, actor=world.officer_a, mediator=office)
    services.case_mediate(case, actor=world.officer_a)
    services.case_agree(case, actor=world.officer_a, signed_on=SIGNED, effective_on=SIGNED, amount=Decimal("12000"),
                        terms="被申请人分两期支付拖欠工资。", facts_found="申请人2025年6月至8月工资未发放，双方无异议。",
                        responsibility="被申请人未按时足额支付工资，应承担支付责任；申请人无过错。", mediator_name="王立新",
                        installments=[(date(2025, 9, 30), Decimal("5000"), "银行转账", "申请人工资卡账户"),
                                      (date(2025, 10, 31), Decimal("7000"))])
    case.refresh_from_db()
    return case


def test_the_agreement_names_every_party_in_the_standard_format(world, detailed):
    record = services.document_issue(detailed, actor=world.officer_a, kind="mediation_agreement")
    other = claimants(1, prefix="330621")[0]
    for fmt, (text, _name) in both(record).items():
        expected = [
            # Sex and birth date from the ID number, ethnicity and address from the registry, in full.
            f"申请人：{world.worker_a.name}，男，汉族，1995年3月12日出生，公民身份号码：{world.worker_a.id_number}，"
            "住址：绍兴市柯桥区Alpha街道幸福村8号，联系电话：13800001111。",
            # A claimant not in the registry: what the ID number says, the rest left to be written in.
            f"申请人：申请人00，女，______，1990年1月1日出生，公民身份号码：{other.id_number}，住址：______",
            f"被申请人：{world.ent_a.name}，统一社会信用代码：{world.ent_a.credit_code}，住所：Alpha街道工业园区2号。",
            "法定代表人：张三，职务：执行董事，联系电话：13700007777。",
            "经调解查明的事实：申请人2025年6月至8月工资未发放", "双方当事人的责任：被申请人未按时足额支付工资",
            "按下列期限、金额、方式和地点履行", "银行转账", "申请人工资卡账户",
            # The mediator who presided, as a person; never the station account's sign-in name.
            "调解员：王立新　签名：",
        ]
        missing = [item for item in expected if flat(item) not in text]
        assert not missing, (fmt, missing)
        assert "alpha_station_desk" not in text
        # One date format throughout: no 2025-09-30 or 2025/9/30 anywhere.
        assert not re.search(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}", text), fmt
    rows = WordDocument(io.BytesIO(documents.render(record, "docx")[0])).tables[0].rows
    assert [c.text for c in rows[1].cells] == ["1", "2025年9月30日", "5,000.00", "银行转账", "申请人工资卡账户"]
    assert [c.text for c in rows[2].cells] == ["2", "2025年10月31日", "7,000.00", "/", "/"]


def test_the_agreement_ends_its_body_and_never_leaves_signatures_alone_on_a_page(world, detailed):
    """Whatever the length of the terms, the page that carries the signatures also carries the last
    lines of the body ending with 以下无正文; in Word the same lines are kept with the signatures."""
    record = services.document_issue(detailed, actor=world.officer_a, kind="mediation_agreement")
    agreement = detailed.agreement
    broke = 0
    for extra in range(0, 34, 3):
        agreement.terms = "被申请人分两期支付拖欠工资。" + "双方确认本条款内容真实有效并自愿遵守。" * extra
        agreement.save()
        pages = pdf_pages(documents.render(record, "pdf")[0])
        signed = [page for page in pages if flat("调解员：") in page]
        assert len(signed) == 1
        body_end = flat(f"本协议一式4份，申请人各执一份，被申请人执一份，调解组织存档一份，具有同等效力。{documents.END_OF_BODY}")
        assert body_end in signed[0], extra
        assert signed[0].index(body_end) < signed[0].index(flat("申请人：Alpha职工　签名："))
        broke += pages.index(signed[0]) > 0
    assert broke  # some lengths put the signatures on a later page
    word = WordDocument(io.BytesIO(documents.render(record, "docx")[0]))
    texts = [p.text for p in word.paragraphs]
    end = texts.index(documents.END_OF_BODY)
    assert "本协议一式" in texts[end - 1]
    kept = word.paragraphs[end - 1:len(texts) - 1]
    assert all(p.paragraph_format.keep_with_next for p in kept)


def test_the_page_forms_record_the_session_and_the_agreements_particulars(world, calendar, station, login):
    case = file_case(world, people=[services.ClaimantInput(world.worker_a.name, world.worker_a.id_number)],
                     received_on=RECEIVED)
    officer = login(world.officer_a)
    act = f"/disputes/cases/{case.pk}/act/"
    bad = officer.post(act, {"name": "accept", "accept-accepted_on": "2025-09-02", "accept-session_at": "2025-08-30T09:30"})
    assert bad.status_code == 400 and "调解时间不能早于受理日期" in bad.content.decode()
    officer.post(act, {"name": "accept", "accept-accepted_on": "2025-09-02", "accept-session_at": "2025-09-05T14:00",
                       "accept-session_place": "Alpha街道维权站二楼"})
    case.refresh_from_db()
    assert timezone.localtime(case.session_at).hour == 14 and case.session_place == "Alpha街道维权站二楼"
    assert "Alpha街道维权站二楼" in officer.get(case.get_absolute_url()).content.decode()
    officer.post(act, {"name": "mediate"})
    done = officer.post(act, {"name": "agree", "agree-signed_on": "2025-09-16", "agree-effective_on": "2025-09-16",
                              "agree-amount": "9000", "agree-terms": "分两期支付",
                              "agree-schedule": "2025-09-30, 4000, 银行转账, 申请人工资卡\n2025-10-31, 5000",
                              "agree-responsibility": "被申请人承担全部责任", "agree-mediator_name": "王立新"})
    assert done.status_code == 302, done.content.decode()[:400]
    case.refresh_from_db()
    assert (case.agreement.mediator_name, case.agreement.responsibility) == ("王立新", "被申请人承担全部责任")
    assert [(i.method, i.place) for i in case.agreement.installments.all()] == [("银行转账", "申请人工资卡"), ("", "")]
    notice = services.document_issue(case, actor=world.officer_a, kind="acceptance_notice")
    assert flat("调解时间：2025年9月5日14时；调解地点：Alpha街道维权站二楼") in both(notice)["docx"][0]


def test_the_api_records_the_session_and_the_agreements_particulars(world, calendar, login):
    case = file_case(world, people=[services.ClaimantInput(world.worker_a.name, world.worker_a.id_number)],
                     received_on=RECEIVED)
    api = login(world.officer_a)
    accepted = api.post(f"/api/cases/{case.pk}/accept/", {"accepted_on": "2025-09-02", "session_at": "2025-09-05T09:30:00+08:00",
                                                           "session_place": "调解室"}, content_type="application/json")
    assert accepted.status_code == 200, accepted.content
    api.post(f"/api/cases/{case.pk}/mediate/", {}, content_type="application/json")
    agreed = api.post(f"/api/cases/{case.pk}/agree/", {
        "signed_on": "2025-09-16", "effective_on": "2025-09-16", "amount": "9000", "terms": "一次付清",
        "facts_found": "欠薪属实", "responsibility": "被申请人负责", "mediator_name": "王立新",
        "installments": [{"due_on": "2025-09-30", "amount": "9000", "method": "现金", "place": "本中心"}]},
        content_type="application/json")
    assert agreed.status_code == 200, agreed.content
    case.refresh_from_db()
    assert case.session_place == "调解室" and case.agreement.facts_found == "欠薪属实"
    assert case.agreement.installments.get().place == "本中心"


def test_the_registry_forms_take_the_particulars_the_agreement_prints(world, login):
    from django.urls import reverse

    officer = login(world.officer_a)
    worker = world.worker_a
    edited = officer.post(reverse("registry:worker_edit", args=[worker.pk]), {
        "id_number": worker.id_number, "name": worker.name, "phone": worker.phone, "hukou_province": "52",
        "hukou_city": "", "is_migrant": "on", "education": "", "ethnicity": "08", "address": "Alpha街道幸福村8号"})
    assert edited.status_code == 302, edited.content.decode()[:300]
    worker.refresh_from_db()
    assert (worker.ethnicity, worker.address) == ("08", "Alpha街道幸福村8号")
    ent = world.ent_a
    edited = officer.post(reverse("registry:enterprise_edit", args=[ent.pk]), {
        "credit_code": ent.credit_code, "name": ent.name, "region": ent.region_id, "legal_representative": "张三",
        "legal_representative_title": "董事长", "has_union": "on"})
    assert edited.status_code == 302, edited.content.decode()[:300]
    ent.refresh_from_db()
    assert ent.legal_representative_title == "董事长"


def test_the_county_sets_a_mediation_bodys_address_and_telephone(world, login):
    from django.urls import reverse

    admin = login(world.admin)
    town = world.town_a
    url = reverse("core:region_edit", args=[town.pk])
    data = {"code": town.code, "name": town.name, "kind": town.kind, "parent": town.parent_id,
            "mediation_address": "Alpha街道兴越路1号", "mediation_phone": "电话"}
    refused = admin.post(url, data)
    assert refused.status_code == 200 and "请输入电话号码" in refused.content.decode()
    assert admin.post(url, {**data, "mediation_phone": "0575-84001234"}).status_code == 302
    town.refresh_from_db()
    assert (town.mediation_address, town.mediation_phone) == ("Alpha街道兴越路1号", "0575-84001234")
