from django.urls import path

from soket.documents import views

urlpatterns = [
    path(
        "dot/<int:pk>/<str:kind>.<str:file_format>",
        views.campaign_document,
        name="campaign_document",
    ),
    path(
        "dot/<int:pk>/bang-tong-hop/<int:unit_pk>.xlsx",
        views.consolidated_table,
        name="consolidated_table",
    ),
    path(
        "bao-cao/<int:pk>/van-ban.<str:file_format>", views.report_document, name="report_document"
    ),
    path("bao-cao/<int:pk>/bieu-mau.xlsx", views.report_form_download, name="report_form_download"),
    path("bao-cao/<int:pk>/tai-len-bieu-mau/", views.report_form_upload, name="report_form_upload"),
    path("mau/", views.template_list, name="template_list"),
    path("mau/mac-dinh.docx", views.template_builtin, name="template_builtin"),
    path("mau/tai-len/", views.template_upload, name="template_upload"),
    path("mau/<int:pk>/xoa/", views.template_remove, name="template_remove"),
]
