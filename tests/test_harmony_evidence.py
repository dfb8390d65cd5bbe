"""Evidence files of an evaluation's manual indicators: the applicant attaches them while the
application is in draft or returned (checked by the dispute evidence rules: type by name and first
bytes, at most 10 MB; nothing stored when refused), every viewer of the evaluation downloads them,
another town gets 404, and they are removed only while the application may still change."""
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.conf import settings as django_settings
from django.utils import timezone, translation
from django.utils.html import escape

from concord.core.models import Event
from concord.disputes import evidence as evidence_rules
from concord.harmony import services
from concord.harmony.models import EvaluationEvidence, Indicator, Round, Standard, Tier
from concord.registry.models import Enterprise

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% evidence\n"


def pdf(name="集体合同.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def setup(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_calendar", from_package=True, stdout=StringIO())
    today = timezone.localdate()
    world.round = Round.objects.create(year=today.year, name="年度创建", standard=Standard.objects.get(),
                                       opens_on=today - timedelta(days=30), self_assessment_due=today + timedelta(days=30),
                                       review_due=today + timedelta(days=60), approval_due=today + timedelta(days=90))
    Enterprise.objects.filter(pk=world.ent_a.pk).update(head_count=120, has_union=True, has_workers_congress=True)
    world.ent_a.refresh_from_db()
    world.ev = services.evaluation_start(actor=world.union_a, round=world.round, enterprise=world.ent_a,
                                         tier=Tier.objects.get(code="county"))
    scores = list(world.ev.scores.select_related("indicator"))
    world.manual = next(s.indicator for s in scores if not s.indicator.is_computed)
    world.computed = next(s.indicator for s in scores if s.indicator.is_computed)
    world.media = tmp_path
    return world


def shown(text_of):
    """A message as the page shows it (in the site's language)."""
    with translation.override(django_settings.LANGUAGE_CODE):
        return escape(text_of())


CLOSED = "Evidence files can only change before submission."


def stored_files(w):
    return [p for p in w.media.rglob("*") if p.is_file()]


def upload(client, w, file, indicator=None, description="2025年集体合同文本"):
    return client.post(f"/harmony/evaluations/{w.ev.pk}/evidence/",
                       {"indicator": (indicator or w.manual).pk, "file": file, "description": description})


def test_the_applicant_attaches_a_file_that_every_viewer_downloads(setup, login):
    w = setup
    client = login(w.union_a)
    page = client.get(w.ev.get_absolute_url()).content.decode()
    assert f'id="attach-{w.manual.pk}"' in page and 'enctype="multipart/form-data"' in page
    assert f'id="attach-{w.computed.pk}"' not in page  # computed indicators take no files
    response = upload(client, w, pdf())
    assert response.status_code == 302 and response["Location"].endswith(f"#indicator-{w.manual.pk}")
    item = EvaluationEvidence.objects.get()
    assert (item.file_name, item.content_type, item.size, item.indicator, item.uploaded_by) == (
        "集体合同.pdf", "application/pdf", len(PDF), w.manual, w.union_a)
    assert item.file.name.startswith("harmony/evidence/") and len(stored_files(w)) == 1
    assert Event.objects.filter(verb="evaluation.evidence_add", object_id=str(w.ev.pk)).exists()
    page = client.get(w.ev.get_absolute_url()).content.decode()
    assert f"/harmony/evidence/{item.pk}/" in page and "集体合同.pdf" in page and "2025年集体合同文本" in page
    assert f'id="evidence-remove-{item.pk}"' in page
    # The town and the county read the page and download the file; neither may remove it on a
    # submitted application, but a viewer's download is the file itself, as an attachment.
    for user in (w.union_a, w.officer_a, w.admin):
        response = login(user).get(f"/harmony/evidence/{item.pk}/")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("name,content", [
    ("病毒.exe", b"MZ\x90\x00" + b"\x00" * 60),          # type not accepted
    ("改名.pdf", b"MZ\x90\x00" + b"\x00" * 60),          # a PDF by name only
    ("太大.pdf", b"%PDF-1.4" + b"\x00" * (10 * 1024 * 1024)),  # over 10 MB
])
def test_refused_files_are_named_in_their_row_and_nothing_is_stored(setup, login, name, content):
    w = setup
    response = upload(login(w.union_a), w, SimpleUploadedFile(name, content))
    assert response.status_code == 400
    body = response.content.decode()
    problem = shown(lambda: evidence_rules.problem(name, len(content), content[:16]))
    assert name in problem and f'<div class="invalid-feedback d-block">{problem}</div>' in body
    assert f'id="evidence-{w.manual.pk}"' in body
    assert not EvaluationEvidence.objects.exists() and stored_files(w) == []
    assert not Event.objects.filter(verb="evaluation.evidence_add").exists()


def test_the_service_names_the_field_at_fault(setup):
    w = setup
    with pytest.raises(ValidationError) as err:
        services.evidence_add(w.ev, actor=w.union_a, indicator=w.computed, upload=pdf())
    assert set(err.value.message_dict) == {"indicator"}
    other = Indicator.objects.exclude(pk__in=w.ev.scores.values("indicator")).first()
    with pytest.raises(ValidationError) as err:
        services.evidence_add(w.ev, actor=w.union_a, indicator=other, upload=SimpleUploadedFile("a.pdf", b"MZ"))
    assert set(err.value.message_dict) == {"indicator", "file"}
    with pytest.raises(PermissionDenied):  # another town's officer, even through the service
        services.evidence_add(w.ev, actor=w.officer_b, indicator=w.manual, upload=pdf())
    with pytest.raises(PermissionDenied):  # the auditor reads but never writes
        services.evidence_add(w.ev, actor=w.auditor, indicator=w.manual, upload=pdf())
    assert not EvaluationEvidence.objects.exists() and stored_files(w) == []


def test_another_town_gets_404_and_changes_nothing(setup, login):
    w = setup
    item = services.evidence_add(w.ev, actor=w.union_a, indicator=w.manual, upload=pdf())
    other = login(w.officer_b)
    assert other.get(f"/harmony/evidence/{item.pk}/").status_code == 404
    assert other.get(w.ev.get_absolute_url()).status_code == 404
    assert other.post(f"/harmony/evidence/{item.pk}/remove/").status_code == 404
    assert upload(other, w, pdf("别人的.pdf")).status_code == 404
    assert login(w.worker_user).get(f"/harmony/evidence/{item.pk}/").status_code == 404
    assert list(EvaluationEvidence.objects.values_list("file_name", flat=True)) == ["集体合同.pdf"]
    assert len(stored_files(w)) == 1


def test_files_are_fixed_after_submission_and_open_again_when_returned(setup, login):
    w = setup
    item = services.evidence_add(w.ev, actor=w.union_a, indicator=w.manual, upload=pdf())
    services.self_assess(w.ev, actor=w.union_a, points={s.indicator_id: s.indicator.max_points
                                                         for s in w.ev.scores.select_related("indicator")
                                                         if not s.indicator.is_computed})
    ev = services.evaluation_submit(w.ev, actor=w.union_a)
    client = login(w.union_a)
    page = client.get(ev.get_absolute_url()).content.decode()
    assert "集体合同.pdf" in page and 'id="evidence-add-' not in page and 'id="evidence-remove-' not in page
    response = upload(client, w, pdf("补充.pdf"))
    assert response.status_code == 400 and shown(lambda: translation.gettext(CLOSED)) in response.content.decode()
    response = client.post(f"/harmony/evidence/{item.pk}/remove/")
    assert response.status_code == 400 and shown(lambda: translation.gettext(CLOSED)) in response.content.decode()
    with pytest.raises(ValidationError) as err:
        services.evidence_add(ev, actor=w.officer_a, indicator=w.manual, upload=pdf("补充.pdf"))
    assert "status" in err.value.message_dict
    assert EvaluationEvidence.objects.count() == 1 and len(stored_files(w)) == 1
    # Returned for correction: the applicant attaches again.
    ev = services.evaluation_return(ev, actor=w.officer_a, note="补充集体合同签字页")
    assert upload(client, w, pdf("签字页.pdf")).status_code == 302
    assert EvaluationEvidence.objects.count() == 2


def test_the_applicant_removes_a_file_and_it_leaves_the_storage(setup, login, django_capture_on_commit_callbacks):
    w = setup
    item = services.evidence_add(w.ev, actor=w.union_a, indicator=w.manual, upload=pdf())
    assert len(stored_files(w)) == 1
    client = login(w.officer_a)  # the town may change the application while it is in draft
    assert client.get(f"/harmony/evidence/{item.pk}/remove/").status_code == 200  # GET: the evaluation page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/harmony/evidence/{item.pk}/remove/")
    assert response.status_code == 302 and response["Location"].endswith(f"#indicator-{w.manual.pk}")
    assert not EvaluationEvidence.objects.exists() and stored_files(w) == []
    assert Event.objects.filter(verb="evaluation.evidence_remove", object_id=str(w.ev.pk)).exists()
    assert client.get(f"/harmony/evidence/{item.pk}/").status_code == 404


def test_the_api_lists_the_files_with_their_download_link(setup, login):
    w = setup
    item = services.evidence_add(w.ev, actor=w.union_a, indicator=w.manual, upload=pdf())
    body = login(w.officer_a).get(f"/api/harmony/evaluations/{w.ev.pk}/").json()
    assert body["evidence_files"] == [{"id": item.pk, "name": "集体合同.pdf", "size": len(PDF), "indicator": w.manual.pk,
                                       "download_url": f"http://testserver/harmony/evidence/{item.pk}/"}]


def test_the_page_query_count_does_not_grow_with_files(setup, login):
    w = setup
    services.evidence_add(w.ev, actor=w.union_a, indicator=w.manual, upload=pdf())
    client = login(w.union_a)
    client.get(w.ev.get_absolute_url())
    with CaptureQueriesContext(connection) as small:
        client.get(w.ev.get_absolute_url())
    for i in range(4):
        services.evidence_add(w.ev, actor=w.union_a, indicator=w.manual, upload=pdf(f"附件{i}.pdf"))
    with CaptureQueriesContext(connection) as large:
        client.get(w.ev.get_absolute_url())
    assert len(large) == len(small)
