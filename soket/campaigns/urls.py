from django.urls import path

from soket.campaigns import views

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path(
        "<int:pk>/don-vi/<int:unit_pk>/con/",
        views.campaign_unit_children,
        name="campaign_unit_children",
    ),
]
