from django.urls import path

from soket.analysis import views

urlpatterns = [
    path("dot/<int:campaign_pk>/phan-tich/", views.target_analysis, name="target_analysis"),
    path(
        "dot/<int:campaign_pk>/phan-tich/<int:target_pk>/",
        views.target_analysis_units,
        name="target_analysis_units",
    ),
]
