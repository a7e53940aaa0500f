from django.urls import path

from soket.orgs import views

urlpatterns = [
    path("", views.unit_index, name="unit_index"),
    path("<int:pk>/", views.unit_detail, name="unit_detail"),
    path("<int:pk>/con/", views.unit_children, name="unit_children"),
    path("nhap/", views.unit_import, name="unit_import"),
    path("nhap/mau.<str:fmt>", views.unit_import_template, name="unit_import_template"),
]
