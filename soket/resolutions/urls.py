from django.urls import path

from soket.resolutions import views

urlpatterns = [
    path("", views.resolution_list, name="resolution_list"),
    path("<int:pk>/", views.resolution_detail, name="resolution_detail"),
    path("<int:pk>/nhap-chi-tieu/", views.target_import, name="target_import"),
    path(
        "<int:pk>/nhap-chi-tieu/mau.<str:fmt>",
        views.target_import_template,
        name="target_import_template",
    ),
]
