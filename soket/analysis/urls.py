from django.urls import path

from soket.analysis import views

urlpatterns = [
    path("dot/<int:campaign_pk>/phan-tich/", views.target_analysis, name="target_analysis"),
    path(
        "dot/<int:campaign_pk>/phan-tich/<int:target_pk>/",
        views.target_analysis_units,
        name="target_analysis_units",
    ),
    path("dot/<int:campaign_pk>/tong-quan/", views.dashboard, name="dashboard"),
    path(
        "dot/<int:campaign_pk>/tong-quan/<slug:chart>.svg",
        views.dashboard_chart,
        {"file_format": "svg"},
        name="dashboard_chart_svg",
    ),
    path(
        "dot/<int:campaign_pk>/tong-quan/<slug:chart>.png",
        views.dashboard_chart,
        {"file_format": "png"},
        name="dashboard_chart_png",
    ),
]
