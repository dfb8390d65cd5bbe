"""The mediation documents a case issues (受理通知书, 调解协议书, referral letter), as Word and PDF.

Each document is first built from the case as a small neutral structure (``Document``: heading,
numbered paragraphs, tables, signature lines, date), then written out by one renderer per format,
so the wording lives in one place and the two files always say the same thing.

The documents are official papers handed to the parties, so their wording is Chinese whatever the
reader's interface language; labels that come from the models and rules (categories, what to
bring) are read in Chinese too. Personal data: the mediation agreement is the parties' own
official paper and must identify each of them as the standard format asks (name, sex, ethnicity,
birth date, ID number, address, telephone), so it prints them in full, and every render writes
access-log entries (ID number, phone); the acceptance notices and referral letters mask ID numbers
and print no phone or address of a worker.

Dates are written one way throughout (2026年12月4日, ``chinese_date``). The signatures are never
alone on a page: they are kept with the last lines of the body (PDF: one ``KeepTogether``; Word:
"keep with next" down to the date).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from django.utils import timezone, translation

from concord.core.audit import record_access
from concord.core.masking import mask_id_number
from concord.core.workdays import provisional_note_zh
from concord.registry import codes as registry_codes
from concord.registry import rules as registry_rules

from . import rules, services
from .models import DocumentKind, Level, Outcome
from .parameters import ParameterNotInForce

DOCUMENT_LANGUAGE = "zh-hans"

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
FORMATS = {"docx": DOCX, "pdf": PDF}

PDF_FONT = "STSong-Light"
DOCX_FONT = "宋体"

BLANK = "_" * 12  # room to sign or seal by hand
GAP = "_" * 6  # a particular not on record, to be written in by hand

# More claimants than this are named as "first name 等N人" in running text (the table lists all).
NAMES_IN_TEXT = 3


# --- the neutral structure ----------------------------------------------------------------------

@dataclass(frozen=True)
class Para:
    text: str
    number: str = ""  # "一、", "1." …: part of the document's wording, printed before the text
    indent: bool = False  # a sub-item under a numbered paragraph


@dataclass(frozen=True)
class Grid:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]  # relative column widths


@dataclass
class Document:
    kind: str
    title: str
    number: str
    issuer: str
    addressee: str = ""
    blocks: list = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    dated: date | None = None
    full_id_numbers: bool = False  # whether the document shows claimants' ID numbers unmasked
    # Further copies printed after a page break in the same file (the respondent's acceptance notice).
    copies: list = field(default_factory=list)

    def add(self, text, *, number="", indent=False):
        self.blocks.append(Para(text, number, indent))

    def add_numbered(self, text):
        """A paragraph numbered 一、二、三、… in order."""
        count = sum(1 for b in self.blocks if isinstance(b, Para) and b.number and not b.indent)
        self.add(text, number=chinese_ordinal(count + 1) + "、")


# --- Chinese formatting --------------------------------------------------------------------------

DIGITS = "零一二三四五六七八九"
UPPER_DIGITS = "零壹贰叁肆伍陆柒捌玖"


def chinese_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (paragraph numbers; documents have fewer than 100)."""
    if not 0 < n < 100:
        return str(n)
    tens, units = divmod(n, 10)
    return (("" if tens == 1 else DIGITS[tens]) + "十" if tens else "") + (DIGITS[units] if units else "")


def chinese_date(day: date | None) -> str:
    """The one date format of the documents: 2026年12月4日 (a blank to fill by hand when unknown)."""
    return f"{day.year}年{day.month}月{day.day}日" if day else "____年__月__日"


def chinese_datetime(moment) -> str:
    """A local time on the documents: 2026年12月4日9时30分 (9时 on the hour)."""
    moment = timezone.localtime(moment)
    return chinese_date(moment.date()) + f"{moment.hour}时" + (f"{moment.minute:02d}分" if moment.minute else "")


def yuan(amount) -> str:
    return f"{Decimal(amount):,.2f}"


def _four_upper(n: int) -> str:
    """0 < n < 10000 in financial capitals, zeros inside the group spoken once (1005 → 壹仟零伍)."""
    out, zero = "", False
    for power, unit in ((3, "仟"), (2, "佰"), (1, "拾"), (0, "")):
        d = n // 10 ** power % 10
        if d:
            out += ("零" if zero else "") + UPPER_DIGITS[d] + unit
            zero = False
        elif out:
            zero = True
    return out


def amount_in_words(amount) -> str:
    """An amount of yuan as written on agreements and cheques: 12000 → 壹万贰仟元整,
    100050.5 → 壹拾万零伍拾元伍角, 0.05 → 伍分."""
    value = Decimal(amount).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if value < 0 or value >= Decimal(10) ** 16:
        raise ValueError(amount)
    whole = int(value)
    jiao, fen = divmod(int((value - whole) * 100), 10)
    groups = []
    while whole:
        whole, group = divmod(whole, 10000)
        groups.append(group)
    text, gap = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if not group:
            gap = bool(text)
            continue
        if text and (gap or group < 1000):
            text += "零"
        text += _four_upper(group) + ("", "万", "亿", "万亿")[index]
        gap = False
    if text:
        text += "元"
    if not jiao and not fen:
        return (text or "零元") + "整"
    if jiao:
        text += UPPER_DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if fen:
        text += UPPER_DIGITS[fen] + "分"
    return text


# --- who issues, and to whom ----------------------------------------------------------------------

def county_region(case):
    """The county of the case's town (``services.county_of`` gives its code only)."""
    return case.region.parent if case.region.parent_id else case.region


def issuer_name(case, level: str | None = None) -> str:
    """The mediation body of the case's level: the enterprise's committee, the town's centre or the
    county federation's centre."""
    level = level or case.level
    if level == Level.ENTERPRISE:
        return f"{case.respondent.name}劳动争议调解委员会"
    if level == Level.TOWN:
        return f"{case.region.name}劳动人事争议调解中心"
    return f"{county_region(case).name}总工会劳动争议调解中心"


def _self_name(level: str) -> str:
    """How the body names itself in its own text (本委员会 / 本中心)."""
    return "本委员会" if level == Level.ENTERPRISE else "本中心"


def _names(claimants) -> str:
    names = [c.name for c in claimants]
    if len(names) > NAMES_IN_TEXT:
        return f"{names[0]}等{len(names)}人"
    return "、".join(names)


def _claimant_grid(claimants, *, full: bool) -> Grid:
    rows = tuple(
        (str(i), c.name + ("（代表）" if c.is_representative else ""),
         c.id_number if full else mask_id_number(c.id_number))
        for i, c in enumerate(claimants, start=1)
    )
    return Grid(("序号", "申请人", "公民身份号码"), rows, (1, 3, 4))


def _mediator_name(case) -> str:
    """The mediator as a person: the presiding mediator recorded with the agreement, else the full name
    of the case's mediator account. Never the sign-in name (an office account names no one)."""
    agreement = getattr(case, "agreement", None)
    if agreement is not None and agreement.mediator_name:
        return agreement.mediator_name
    return case.mediator.name.strip() if case.mediator_id else ""


def _mediator_line(case) -> str | None:
    name = _mediator_name(case)
    return f"承办调解员：{name}" if name else None


def _body_address_phone(case, level: str) -> tuple[str, str]:
    """Where the mediation body of ``level`` sits and its telephone: the enterprise's own for its
    committee, else the region's settings (the town's station, the county's centre)."""
    if level == Level.ENTERPRISE:
        return case.respondent.address, case.respondent.contact_phone
    region = case.region if level == Level.TOWN else county_region(case)
    return region.mediation_address, region.mediation_phone


def _body_contact(case, level: str | None = None) -> str:
    level = level or case.level
    address, phone = _body_address_phone(case, level)
    return f"{_self_name(level)}地址：{address or GAP}；联系电话：{phone or GAP}。"


def _court_name(case) -> str:
    return f"{county_region(case).name}人民法院"


def _session_text(case, level: str) -> str:
    if not case.session_at:
        return "调解的时间和地点由" + _self_name(level) + "另行通知。"
    place = case.session_place or _body_address_phone(case, level)[0]
    return f"调解时间：{chinese_datetime(case.session_at)}；调解地点：{place or GAP}。"


def _issued_on(record) -> date:
    return timezone.localdate(record.created_at) if record.created_at else timezone.localdate()


# --- the three documents --------------------------------------------------------------------------

def _deadline_text(case) -> str:
    if case.is_court_referral:
        ending = "期满未达成调解协议的，本案将依法退回人民法院。"
    else:
        ending = "期满未达成调解协议的，当事人可以依法向劳动人事争议仲裁委员会申请仲裁。"
    return f"本案调解期限至{chinese_date(case.deadline)}。{ending}"


def _court_referral_text(case, parties: str) -> str:
    """How a court-referred case is named: the court, the day it referred, 委派 or 委托, its case number."""
    return (f"{_court_name(case)}于{chinese_date(case.court_received_on)}{_court_verb(case)}{_self_name(case.level)}"
            f"调解的{parties}（法院案号：{case.court_case_number or GAP}；案件编号：{case.number}）")


def acceptance_notice(record, case, claimants) -> Document:
    """The notice to the claimants and, after a page break, its copy to the respondent. Dated the day
    the case was accepted (not the day it is printed)."""
    issuer = issuer_name(case)
    me = _self_name(case.level)
    doc = Document(DocumentKind.ACCEPTANCE_NOTICE, "受理通知书", record.number, issuer,
                   addressee=f"{_names(claimants)}：", dated=case.accepted_on)
    if case.is_court_referral:
        doc.add_numbered(_court_referral_text(case, f"你方与{case.respondent.name}之间的劳动争议")
                         + f"，{me}已于{chinese_date(case.accepted_on)}决定受理。")
    else:
        doc.add_numbered(
            f"你方于{chinese_date(case.received_on)}提出的与{case.respondent.name}之间的劳动争议调解申请"
            f"（案件编号：{case.number}），经审查符合受理条件，{me}已于{chinese_date(case.accepted_on)}决定受理。")
    doc.add_numbered(f"争议类别：{case.get_category_display()}；争议事项：{case.get_subcategory_display()}。")
    doc.add_numbered(_deadline_text(case))
    _add_provisional_note(doc, case.deadline)
    doc.add_numbered(_session_text(case, case.level) + "请按时到场参加调解。")
    doc.add_numbered("请于调解时携带以下材料（原件及复印件）：")
    items = rules.what_to_bring(case.subcategory)
    for i, item in enumerate(items, start=1):
        doc.add(f"{item}{'。' if i == len(items) else '；'}", number=f"{i}.", indent=True)
    doc.add_numbered("调解遵循自愿、合法原则。调解期间，你方可以撤回申请；对方当事人不参加调解的，视为调解不成。")
    mediator = _mediator_line(case)
    if mediator:
        doc.add(mediator)
    doc.add("申请人名单：")
    doc.blocks.append(_claimant_grid(claimants, full=False))
    doc.add(_body_contact(case))
    doc.signatures = [f"{issuer}（印章）"]
    doc.copies.append(_respondent_notice(record, case, claimants, issuer))
    return doc


def _respondent_notice(record, case, claimants, issuer) -> Document:
    """The respondent's acceptance notice: the claim against it, the time and place, who should come."""
    me = _self_name(case.level)
    doc = Document(DocumentKind.ACCEPTANCE_NOTICE, "受理通知书", record.number, issuer,
                   addressee=f"{case.respondent.name}：", dated=case.accepted_on)
    names = _names(claimants)
    if case.is_court_referral:
        doc.add_numbered(_court_referral_text(case, f"申请人{names}与你单位之间的劳动争议")
                         + f"，{me}已于{chinese_date(case.accepted_on)}决定受理。")
    else:
        doc.add_numbered(
            f"申请人{names}于{chinese_date(case.received_on)}向{me}申请调解与你单位之间的劳动争议"
            f"（案件编号：{case.number}），经审查符合受理条件，{me}已于{chinese_date(case.accepted_on)}决定受理。")
    claimed = f"；请求金额人民币{yuan(case.amount_claimed)}元" if case.amount_claimed is not None else ""
    doc.add_numbered(f"争议类别：{case.get_category_display()}；申请人的请求和理由：{case.facts}{claimed}。")
    doc.add_numbered(_deadline_text(case))
    _add_provisional_note(doc, case.deadline)
    doc.add_numbered(
        _session_text(case, case.level) + "请你单位法定代表人（主要负责人）或者持授权委托书的委托代理人按时到场参加调解，"
        "并携带营业执照复印件、法定代表人身份证明以及与争议有关的劳动合同、考勤记录、工资支付记录等材料。")
    doc.add_numbered("调解遵循自愿、合法原则。你单位不参加调解的，视为调解不成。")
    mediator = _mediator_line(case)
    if mediator:
        doc.add(mediator)
    doc.add(_body_contact(case))
    doc.signatures = [f"{issuer}（印章）"]
    return doc


SEX = {"M": "男", "F": "女"}


def _party_line(claimant) -> str:
    """A claimant as the standard agreement names a party: name, sex, ethnicity, birth date, ID number,
    address, telephone. Sex and birth date come from the ID number; ethnicity and address from the
    registry's worker record (a claimant not in the registry leaves them to be written in)."""
    worker = claimant.worker
    ethnicity = registry_codes.ETHNICITY_NAMES.get(worker.ethnicity, "") if worker else ""
    address = worker.address if worker else ""
    phone = claimant.phone or (worker.phone if worker else "")
    valid = registry_rules.id_number_valid(claimant.id_number)
    sex = SEX[registry_rules.sex_from_id(claimant.id_number)] if valid else GAP
    born = chinese_date(registry_rules.birth_date_from_id(claimant.id_number)) if valid else chinese_date(None)
    name = claimant.name + ("（代表）" if claimant.is_representative else "")
    return (f"申请人：{name}，{sex}，{ethnicity or GAP}，{born}出生，公民身份号码：{claimant.id_number}，"
            f"住址：{address or GAP}，联系电话：{phone or GAP}。")


def _respondent_lines(case) -> list[str]:
    ent = case.respondent
    return [
        f"被申请人：{ent.name}，统一社会信用代码：{ent.credit_code}，住所：{ent.address or GAP}。",
        f"法定代表人：{ent.legal_representative or GAP}，职务：{ent.legal_representative_title or GAP}，"
        f"联系电话：{ent.contact_phone or GAP}。",
    ]


def mediation_agreement(record, case, claimants) -> Document:
    agreement = case.agreement
    installments = list(agreement.installments.all())
    level = case.resolved_level or case.level
    issuer = issuer_name(case, level)
    doc = Document(DocumentKind.MEDIATION_AGREEMENT, "调解协议书", record.number, issuer,
                   dated=agreement.signed_on, full_id_numbers=True)
    doc.add(f"案件编号：{case.number}")
    for claimant in claimants:
        doc.add(_party_line(claimant))
    for line in _respondent_lines(case):
        doc.add(line)
    doc.add_numbered(f"争议事实和请求：{case.facts}")
    if agreement.facts_found:
        doc.add_numbered(f"经调解查明的事实：{agreement.facts_found}")
    if agreement.responsibility:
        doc.add_numbered(f"双方当事人的责任：{agreement.responsibility}")
    doc.add_numbered(f"经{issuer}主持调解，双方当事人在自愿、平等的基础上达成如下协议：{agreement.terms}")
    if installments:  # an agreement without money (e.g. reinstatement) has no schedule
        doc.add_numbered(
            f"被申请人同意支付申请人人民币{yuan(agreement.amount)}元（大写：{amount_in_words(agreement.amount)}），"
            "按下列期限、金额、方式和地点履行：")
        rows = tuple((str(i), chinese_date(item.due_on), yuan(item.amount), item.method or "/", item.place or "/")
                     for i, item in enumerate(installments, start=1))
        total = sum((item.amount for item in installments), Decimal("0"))
        doc.blocks.append(Grid(("期次", "履行期限", "金额（元）", "履行方式", "履行地点"),
                               rows + (("合计", "", yuan(total), "", ""),), (2, 5, 4, 5, 6)))
    doc.add_numbered(
        f"本协议于{chinese_date(agreement.signed_on)}签订，经双方当事人签名或者盖章、调解员签名并经"
        f"调解组织盖章后，自{chinese_date(agreement.effective_on)}起生效，对双方当事人具有约束力，当事人应当履行。")
    doc.add_numbered(_review_text(case, agreement))
    _add_provisional_note(doc, *_review_days(case, agreement))
    if case.category == rules.PAY_COMPENSATION:
        doc.add_numbered(
            "被申请人在协议约定期限内不履行支付劳动报酬、工伤医疗费、经济补偿或者赔偿金事项的，"
            "申请人可以持本协议书依法向人民法院申请支付令。")
    copies = len(claimants) + 2
    doc.add_numbered(f"本协议一式{copies}份，申请人各执一份，被申请人执一份，调解组织存档一份，具有同等效力。")
    doc.add(END_OF_BODY)
    # A collective case's elected representatives sign for everyone.
    signers = [c for c in claimants if c.is_representative] if case.is_collective else []
    if signers:
        doc.signatures += [f"申请人代表：{c.name}　签名：{BLANK}" for c in signers]
    else:
        doc.signatures += [f"申请人：{c.name}　签名：{BLANK}" for c in claimants]
    mediator = _mediator_name(case)
    doc.signatures += [
        f"被申请人：{case.respondent.name}　盖章：{BLANK}",
        f"法定代表人或者委托代理人签名：{BLANK}",
        f"调解员：{mediator or BLANK}　签名：{BLANK}",
        f"{issuer}（印章）",
    ]
    return doc


def _add_provisional_note(doc, *days):
    """A date counted on the provisional calendar (its year's holiday schedule not yet published)
    says so on the paper (core/workdays.py)."""
    note = provisional_note_zh(*days)
    if note:
        doc.add(note)


def _review_days(case, agreement):
    try:
        windows = rules.review_windows(agreement.effective_on, table=services.legal_table(case.region),
                                       holiday_extends=services.holiday_extends)
    except ParameterNotInForce:
        return ()
    return tuple(windows.values())


END_OF_BODY = "（以下无正文）"


def _review_text(case, agreement) -> str:
    table = services.legal_table(case.region)
    day = agreement.effective_on
    try:
        windows = rules.review_windows(day, table=table, holiday_extends=services.holiday_extends)
        review_days = rules.parameter("arbitration_review_days", day, table)
        confirm_days = rules.parameter("judicial_confirmation_days", day, table)
    except ParameterNotInForce:
        return "双方当事人可以依法共同向劳动人事争议仲裁委员会申请仲裁审查，或者共同向人民法院申请司法确认。"
    return (
        f"双方当事人可以自本协议生效之日起{review_days}日内（至{chinese_date(windows['arbitration_review'])}）"
        f"共同向劳动人事争议仲裁委员会提出仲裁审查申请；也可以自本协议生效之日起{confirm_days}日内"
        f"（至{chinese_date(windows['judicial_confirmation'])}）共同向人民法院申请司法确认。")


REFERRAL_TITLE = "劳动争议案件转办函"


def _referral_title(case) -> str:
    if case.outcome == Outcome.RETURNED_TO_COURT:
        return f"{_court_verb(case)}调解案件退回函"
    return REFERRAL_TITLE


def _court_verb(case) -> str:
    # Before filing the court delegates (委派) a case; after filing it entrusts (委托) it.
    return "委派" if case.court_referral_kind == rules.PRE_FILING else "委托"


def _referral_addressee(case) -> str:
    county = county_region(case).name
    return {
        Outcome.ARBITRATION: f"{county}劳动人事争议仲裁委员会",
        Outcome.LITIGATION: f"{county}人民法院",
        Outcome.LEGAL_AID: f"{county}法律援助中心",
        Outcome.RETURNED_TO_COURT: f"{county}人民法院",
    }.get(case.outcome, county)


def referral_letter(record, case, claimants) -> Document:
    issuer = issuer_name(case)
    me = _self_name(case.level)
    doc = Document(DocumentKind.REFERRAL_LETTER, _referral_title(case), record.number,
                   issuer, addressee=f"{_referral_addressee(case)}：", dated=_issued_on(record))
    parties = f"申请人{_names(claimants)}与被申请人{case.respondent.name}劳动争议一案（案件编号：{case.number}）"
    if case.outcome == Outcome.RETURNED_TO_COURT:
        referred = _court_verb(case)
        doc.add_numbered(
            f"贵院于{chinese_date(case.court_received_on)}{referred}{me}调解的{parties}"
            f"（贵院案号：{case.court_case_number or '（未填写）'}），经调解，双方未能达成调解协议。"
            f"现将本案退回贵院，请依法处理。")
    else:
        accepted = f"于{chinese_date(case.accepted_on)}受理，" if case.accepted_on else ""
        doc.add_numbered(f"{parties}，{me}{accepted}经调解，双方未能达成调解协议。")
        doc.add_numbered({
            Outcome.ARBITRATION: "申请人可以依法向贵委申请劳动争议仲裁。现将本案有关情况函告贵委，请依法处理。",
            Outcome.LITIGATION: "申请人可以依法向贵院提起诉讼。现将本案移送贵院，请依法处理。",
            Outcome.LEGAL_AID: "申请人申请法律援助。现将本案转介贵中心，请依法审查并提供法律援助。",
        }.get(case.outcome, "现将本案有关情况函告，请依法处理。"))
    claimed = f"；请求金额人民币{yuan(case.amount_claimed)}元" if case.amount_claimed is not None else ""
    doc.add_numbered(f"争议类别：{case.get_category_display()}；争议事实和请求：{case.facts}{claimed}。")
    if case.limitation_date:
        doc.add_numbered(
            f"依照《中华人民共和国劳动争议调解仲裁法》第二十七条，本案申请劳动争议仲裁的时效期间至"
            f"{chinese_date(case.limitation_date)}届满，请申请人及时主张权利。")
    elif case.subcategory == "wage_arrears" and not case.employment_ended_on:
        doc.add_numbered("劳动关系存续期间因拖欠劳动报酬发生争议的，申请仲裁不受一年仲裁时效期间的限制。")
    mediator = _mediator_line(case)
    if mediator:
        doc.add(mediator)
    doc.add("申请人名单：")
    doc.blocks.append(_claimant_grid(claimants, full=False))
    evidence = list(case.evidence.all())
    if evidence:
        doc.add("附：证据材料目录")
        for i, item in enumerate(evidence, start=1):
            text = item.file_name + (f"（{item.description}）" if item.description else "")
            doc.add(text, number=f"{i}.", indent=True)
    doc.signatures = [f"{issuer}（印章）"]
    return doc


BUILDERS = {
    DocumentKind.ACCEPTANCE_NOTICE: acceptance_notice,
    DocumentKind.MEDIATION_AGREEMENT: mediation_agreement,
    DocumentKind.REFERRAL_LETTER: referral_letter,
}


def build(record) -> Document:
    """The document of ``record`` (a CaseDocument) as a neutral structure, from the case as recorded now."""
    from .models import Case

    case = Case.objects.select_related("respondent", "region__parent", "mediator").get(pk=record.case_id)
    claimants = list(case.claimants.select_related("worker"))
    with translation.override(DOCUMENT_LANGUAGE):
        return BUILDERS[record.kind](record, case, claimants)


# --- renderers ------------------------------------------------------------------------------------

KEEP_WITH_SIGNATURES = 2  # body paragraphs kept on the signatures' page


def _tail_start(blocks) -> int:
    """Index of the first block kept together with the signatures: the last paragraphs of the body
    (up to KEEP_WITH_SIGNATURES, not reaching back past a table), so no page holds signatures alone."""
    start = len(blocks)
    while start > 0 and len(blocks) - start < KEEP_WITH_SIGNATURES and isinstance(blocks[start - 1], Para):
        start -= 1
    return start


def render(record, fmt: str, *, actor=None) -> tuple[bytes, str, str]:
    """``(content, content type, file name)`` of ``record`` in ``fmt`` ("docx" or "pdf"). A render that
    shows full ID numbers is logged as an access by ``actor`` (default: who issued the document)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown document format {fmt!r}")
    doc = build(record)
    content = to_docx(doc) if fmt == "docx" else to_pdf(doc)
    if doc.full_id_numbers:
        for shown in ("id_number", "phone"):
            record_access(actor=actor or record.created_by or None, target=record.case, field=shown,
                          purpose=f"document:{record.kind}")
    return content, FORMATS[fmt], f"{doc.title}-{record.case.number}.{fmt}"


def to_docx(doc: Document) -> bytes:
    from docx import Document as WordDocument
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    word = WordDocument()
    section = word.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(26)
    section.top_margin, section.bottom_margin = Mm(30), Mm(25)
    normal = word.styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.font.size = Pt(12)
    # Word picks the font of Chinese characters from the East Asian slot, which font.name leaves alone.
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), DOCX_FONT)
    word.core_properties.title = doc.title
    word.core_properties.author = doc.issuer

    def line(text, *, size=None, bold=False, align=None, first_indent=None, left_indent=None, space_after=None):
        para = word.add_paragraph()
        run = para.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        fmt = para.paragraph_format
        if align is not None:
            para.alignment = align
        if first_indent is not None:
            fmt.first_line_indent = first_indent
        if left_indent is not None:
            fmt.left_indent = left_indent
        if space_after is not None:
            fmt.space_after = Pt(space_after)
        return para

    def write(part, first):
        if not first:
            word.add_page_break()
        line(part.issuer, size=16, align=WD_ALIGN_PARAGRAPH.CENTER)
        line(part.title, size=22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        line(part.number, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
        if part.addressee:
            line(part.addressee)
        tail = _tail_start(part.blocks)
        for index, block in enumerate(part.blocks):
            if isinstance(block, Grid):
                table = word.add_table(rows=1, cols=len(block.header))
                table.style = "Table Grid"
                table.alignment = WD_TABLE_ALIGNMENT.CENTER
                for cell, text in zip(table.rows[0].cells, block.header):
                    cell.text = ""
                    cell.paragraphs[0].add_run(text).bold = True
                for row in block.rows:
                    for cell, text in zip(table.add_row().cells, row):
                        cell.text = text
                total = sum(block.widths)
                usable = section.page_width - section.left_margin - section.right_margin
                for column, weight in zip(table.columns, block.widths):
                    for cell in column.cells:
                        cell.width = int(usable * weight / total)
                word.add_paragraph()
                continue
            if block.indent:
                para = line(f"{block.number}{block.text}", left_indent=Pt(48))
            else:
                para = line(f"{block.number}{block.text}", first_indent=Pt(24))
            # The last lines of the body go to the signatures' page with them.
            para.paragraph_format.keep_with_next = index >= tail
        word.add_paragraph().paragraph_format.keep_with_next = True
        for signature in part.signatures:
            # Kept with the next line down to the date, so the signatures never split across pages.
            line(signature, align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=10).paragraph_format.keep_with_next = True
        line(chinese_date(part.dated), align=WD_ALIGN_PARAGRAPH.RIGHT)

    for i, part in enumerate([doc, *doc.copies]):
        write(part, i == 0)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


_FONT_READY = False
NO_LINE_START = "，；：！？）》」』】〕”’"


def _pdf_font():
    global _FONT_READY
    if not _FONT_READY:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
        # ReportLab's CJK line breaking keeps 、。） off the start of a line but not the other
        # full-width marks; Chinese typesetting (GB/T 15834) keeps them all at the end of the line.
        # Both line breakers (plain text and marked-up text) read their own copy of the list.
        from reportlab.lib import textsplit
        from reportlab.platypus import paragraph

        for module in (textsplit, paragraph):
            module.ALL_CANNOT_START += "".join(c for c in NO_LINE_START if c not in module.ALL_CANNOT_START)
        _FONT_READY = True


def to_pdf(doc: Document) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _pdf_font()
    # wordWrap="CJK" breaks lines between any two Chinese characters, as Chinese text is set.
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=12, leading=20, wordWrap="CJK", firstLineIndent=24)
    item = ParagraphStyle("item", parent=body, firstLineIndent=0, leftIndent=48)
    plain = ParagraphStyle("plain", parent=body, firstLineIndent=0)
    cell = ParagraphStyle("cell", parent=plain, fontSize=10.5, leading=15)
    issuer = ParagraphStyle("issuer", parent=plain, fontSize=16, leading=24, alignment=TA_CENTER)
    title = ParagraphStyle("title", parent=plain, fontSize=22, leading=32, alignment=TA_CENTER, spaceBefore=6)
    number = ParagraphStyle("number", parent=plain, alignment=TA_CENTER, spaceAfter=12)
    right = ParagraphStyle("right", parent=plain, alignment=TA_RIGHT, spaceAfter=6)

    def p(text, style):
        # Paragraph reads a small markup language: the case's own text must not be taken for tags.
        return Paragraph(escape(text), style)

    width = A4[0] - 52 * mm
    story = []
    for i, part in enumerate([doc, *doc.copies]):
        if i:
            story.append(PageBreak())
        story += [p(part.issuer, issuer), p(part.title, title), p(part.number, number)]
        if part.addressee:
            story.append(p(part.addressee, plain))
        tail = _tail_start(part.blocks)
        flowables = []
        for block in part.blocks:
            if isinstance(block, Grid):
                total = sum(block.widths)
                data = [[p(text, cell) for text in block.header]] + [[p(text, cell) for text in row] for row in block.rows]
                table = Table(data, colWidths=[width * w / total for w in block.widths], repeatRows=1)
                table.setStyle(TableStyle([
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]))
                flowables.append([Spacer(1, 4), table, Spacer(1, 8)])
            else:
                flowables.append([p(f"{block.number}{block.text}", item if block.indent else body)])
        for group in flowables[:tail]:
            story += group
        # The last lines of the body, the signatures and the date stay on one page, so no page is
        # signed without the others and no signature sits alone on a page.
        kept = [f for group in flowables[tail:] for f in group]
        kept += [Spacer(1, 18)] + [p(signature, right) for signature in part.signatures] + [p(chinese_date(part.dated), right)]
        story.append(KeepTogether(kept))

    def footer(canvas, template):
        canvas.saveState()
        canvas.setFont(PDF_FONT, 9)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"{doc.number}　第{template.page}页")
        canvas.restoreState()

    out = io.BytesIO()
    template = SimpleDocTemplate(out, pagesize=A4, leftMargin=26 * mm, rightMargin=26 * mm, topMargin=30 * mm,
                                 bottomMargin=25 * mm, title=doc.title, author=doc.issuer, subject=doc.number)
    template.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
