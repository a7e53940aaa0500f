from django.urls import path

from soket.lessons import views

urlpatterns = [
    path("dot/<int:campaign_pk>/bai-hoc/", views.lessons, name="lessons"),
    path("dot/<int:campaign_pk>/bai-hoc/trich/", views.lesson_quote, name="lesson_quote"),
]
