from django.urls import include, path

from concord.core import generic

from . import views as v
from .models import Claimant

app_name = "disputes"
urlpatterns = [
    path("cases/", v.CaseList.as_view(), name="case_list"),
    path("cases/add/", v.CaseAdd.as_view(), name="case_add"),
    path("cases/online/", v.CaseOnline.as_view(), name="case_online"),
    path("cases/<int:pk>/", v.CaseDetail.as_view(), name="case_detail"),
    path("cases/<int:pk>/act/", v.CaseAct.as_view(), name="case_act"),
    path("cases/<int:pk>/sessions/", v.CaseSessionAdd.as_view(), name="case_session"),
    path("cases/<int:pk>/evidence/", v.CaseEvidenceAdd.as_view(), name="case_evidence"),
    path("cases/<int:pk>/document/", v.CaseDocumentView.as_view(), name="case_document"),
    path("evidence/<int:pk>/", v.EvidenceDownload.as_view(), name="evidence_download"),
    path("payments/<int:pk>/pay/", v.InstallmentPay.as_view(), name="installment_pay"),
    path("measures/", v.Measures.as_view(), name="measures"),
    path("", include("concord.disputes.meeting_urls")),
] + generic.model_urls(Claimant, reveal=generic.RevealView)
