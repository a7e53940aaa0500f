from django.urls import path

from soket.reports import views

urlpatterns = [
    path("dot/<int:campaign_pk>/", views.campaign_reports, name="campaign_reports"),
    path("dot/<int:campaign_pk>/bat-dau/", views.report_start, name="report_start"),
    path("dot/<int:campaign_pk>/chap-nhan/", views.reports_accept, name="reports_accept"),
    path("dot/<int:campaign_pk>/nhac/<int:unit_pk>/", views.remind_missing, name="remind_missing"),
    path("dot/<int:campaign_pk>/nhac-don-vi/<int:unit_pk>/", views.remind_unit, name="remind_unit"),
    path(
        "dot/<int:campaign_pk>/tien-do/<int:unit_pk>/",
        views.completeness_branch,
        name="completeness_branch",
    ),
    path("dot/<int:campaign_pk>/quy-tac/", views.validation_rules, name="validation_rules"),
    path(
        "dot/<int:campaign_pk>/quy-tac/them/",
        views.validation_rule_add,
        name="validation_rule_add",
    ),
    path(
        "dot/<int:campaign_pk>/quy-tac/<int:pk>/xoa/",
        views.validation_rule_remove,
        name="validation_rule_remove",
    ),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/luu/", views.report_save, name="report_save"),
    path("<int:pk>/so-van-ban/", views.report_reference, name="report_reference"),
    path("<int:pk>/tong-hop/", views.report_draft, name="report_draft"),
    path("<int:pk>/tong-hop/chon/", views.report_draft_choice, name="report_draft_choice"),
    path("<int:pk>/chuyen/<str:action>/", views.report_move, name="report_move"),
    path("<int:pk>/tep/", views.attachment_add, name="attachment_add"),
    path(
        "<int:pk>/tep/<int:attachment_pk>/", views.attachment_download, name="attachment_download"
    ),
    path(
        "<int:pk>/tep/<int:attachment_pk>/xoa/", views.attachment_remove, name="attachment_remove"
    ),
]
