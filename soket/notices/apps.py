from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "soket.notices"
