from django.urls import path

from soket.drafting import views

urlpatterns = [
    path("<int:pk>/du-thao/", views.drafting_detail, name="drafting_detail"),
    path("<int:pk>/du-thao/giu-ban/", views.draft_version_keep, name="draft_version_keep"),
    path("<int:pk>/du-thao/gui-gop-y/", views.comment_round_open, name="comment_round_open"),
    path("<int:pk>/du-thao/trinh-hoi-nghi/", views.draft_presented, name="draft_presented"),
    path("<int:pk>/du-thao/thong-qua/", views.draft_adopted, name="draft_adopted"),
    path("<int:pk>/phien-ban/", views.draft_compare, name="draft_compare"),
    path("gop-y/<int:pk>/", views.comment_round, name="comment_round"),
    path("gop-y/<int:pk>/y-kien/", views.comment_add, name="comment_add"),
    path("y-kien/<int:pk>/tra-loi/", views.comment_answer, name="comment_answer"),
]
