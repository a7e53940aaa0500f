from django.urls import path

from soket.campaigns import views

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("moi/", views.campaign_new, name="campaign_new"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/sua/<str:part>/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/ban-hanh/", views.campaign_issue, name="campaign_issue"),
    path("<int:pk>/trien-khai/", views.campaign_deploy, name="campaign_deploy"),
    path("<int:pk>/nhiem-vu/", views.campaign_tasks, name="campaign_tasks"),
    path("<int:pk>/nhiem-vu/chuan/", views.campaign_tasks_draw, name="campaign_tasks_draw"),
    path(
        "<int:pk>/nhiem-vu/<int:task_pk>/trang-thai/",
        views.campaign_task_status,
        name="campaign_task_status",
    ),
    path(
        "<int:pk>/dem-don-vi/",
        views.campaign_participants_count,
        name="campaign_participants_count",
    ),
    path(
        "<int:pk>/don-vi/<int:unit_pk>/con/",
        views.campaign_unit_children,
        name="campaign_unit_children",
    ),
]
