from django.urls import path

from soket.campaigns import views

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
]
