from django.urls import path

from soket.documents import views

urlpatterns = [
    path("dot/<int:pk>/<str:kind>.docx", views.campaign_document, name="campaign_document"),
    path("bao-cao/<int:pk>/van-ban.docx", views.report_document, name="report_document"),
    path("tao/", views.document_request, name="document_request"),
    path("viec/<uuid:pk>/", views.document_job, name="document_job"),
    path("viec/<uuid:pk>/trang-thai/", views.document_job_status, name="document_job_status"),
    path("viec/<uuid:pk>/tai-cho/", views.document_job_inline, name="document_job_inline"),
    path("viec/<uuid:pk>/tep", views.document_job_file, name="document_job_file"),
    path("bao-cao/<int:pk>/bieu-mau.xlsx", views.report_form_download, name="report_form_download"),
    path("bao-cao/<int:pk>/tai-len-bieu-mau/", views.report_form_upload, name="report_form_upload"),
    path("bao-cao/<int:pk>/bieu-do/", views.report_charts, name="report_charts"),
    path("mau/", views.template_list, name="template_list"),
    path("mau/mac-dinh.docx", views.template_builtin, name="template_builtin"),
    path("mau/tai-len/", views.template_upload, name="template_upload"),
    path("mau/<int:pk>/xoa/", views.template_remove, name="template_remove"),
]
