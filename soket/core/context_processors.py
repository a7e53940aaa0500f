from django.http import HttpRequest

from soket.core import clock


def soket(request: HttpRequest) -> dict:
    return {"today": clock.today(), "today_is_simulated": clock.is_simulated()}
