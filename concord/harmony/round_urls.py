from django.urls import path

from . import views

urlpatterns = [
    path("rounds/", views.RoundList.as_view(), name="round_list"),
    path("rounds/add/", views.RoundAdd.as_view(), name="round_add"),
    path("rounds/<int:pk>/", views.RoundDetail.as_view(), name="round_detail"),
    path("rounds/<int:pk>/edit/", views.RoundEdit.as_view(), name="round_edit"),
    path("rounds/<int:pk>/apply/", views.RoundApply.as_view(), name="round_apply"),
    path("evaluations/", views.EvaluationList.as_view(), name="evaluation_list"),
    path("evaluations/apply/", views.EvaluationApply.as_view(), name="evaluation_apply"),
    path("evaluations/<int:pk>/", views.EvaluationDetail.as_view(), name="evaluation_detail"),
    path("evaluations/<int:pk>/assess/", views.EvaluationAssess.as_view(), name="evaluation_assess"),
    path("evaluations/<int:pk>/refresh/", views.EvaluationRefresh.as_view(), name="evaluation_refresh"),
    path("evaluations/<int:pk>/review/", views.EvaluationReview.as_view(), name="evaluation_review"),
    path("evaluations/<int:pk>/return/", views.EvaluationReturn.as_view(), name="evaluation_return"),
    path("evaluations/<int:pk>/approve/", views.EvaluationApprove.as_view(), name="evaluation_approve"),
    path("evaluations/<int:pk>/reject/", views.EvaluationReject.as_view(), name="evaluation_reject"),
    path("evaluations/<int:pk>/certify/", views.EvaluationCertify.as_view(), name="evaluation_certify"),
    path("evaluations/<int:pk>/answer/", views.EvaluationAnswer.as_view(), name="evaluation_answer"),
    path("evaluations/<int:pk>/evidence/", views.EvaluationEvidenceAdd.as_view(), name="evaluation_evidence"),
    path("evidence/<int:pk>/", views.EvidenceDownload.as_view(), name="evidence_download"),
    path("evidence/<int:pk>/remove/", views.EvidenceRemove.as_view(), name="evidence_remove"),
    # Public: no login (the view is marked login_not_required); publicity notices carry no personal data.
    path("publicity/", views.Publicity.as_view(), name="publicity"),
    path("certifications/", views.CertificationList.as_view(), name="certification_list"),
    path("certifications/<int:pk>/", views.CertificationDetail.as_view(), name="certification_detail"),
    path("certifications/<int:pk>/pdf/", views.CertificationPdf.as_view(), name="certification_pdf"),
    path("certifications/<int:pk>/recheck/", views.CertificationRecheck.as_view(), name="certification_recheck"),
]
