from django.urls import path

from soket.people import views

urlpatterns = [
    path("", views.people_list, name="people_list"),
    path("them/", views.person_add, name="person_add"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/cap-vai-tro/", views.role_grant, name="role_grant"),
    path("<int:pk>/vai-tro/<int:role_pk>/bo/", views.role_take, name="role_take"),
    path("<int:pk>/khoa/", views.person_deactivate, name="person_deactivate"),
    path("<int:pk>/mo-khoa/", views.person_reactivate, name="person_reactivate"),
    path("<int:pk>/gui-duong-dan/", views.person_send_link, name="person_send_link"),
    path("nhap/", views.people_import, name="people_import"),
    path("nhap/mau.<str:fmt>", views.people_import_template, name="people_import_template"),
    path("dat-mat-khau/<uidb64>/<token>/", views.set_password, name="people_set_password"),
]
