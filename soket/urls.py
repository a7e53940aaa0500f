from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from soket.notices import views as notice_views
from soket.reports import views as report_views

urlpatterns = [
    path("", report_views.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("don-vi/", include("soket.orgs.urls")),
    path("nguoi-dung/", include("soket.people.urls")),
    path("nghi-quyet/", include("soket.resolutions.urls")),
    path("dot/", include("soket.campaigns.urls")),
    path("bao-cao/", include("soket.reports.urls")),
    path("bao-cao/", include("soket.analysis.urls")),
    path("bao-cao/", include("soket.lessons.urls")),
    path("bao-cao/", include("soket.drafting.urls")),
    path("khao-sat/", include("soket.surveys.urls")),
    path("van-ban/", include("soket.documents.urls")),
    path("thong-bao/", notice_views.notice_list, name="notice_list"),
    path("thong-bao/da-doc/", notice_views.notices_read, name="notices_read"),
    path("quan-tri/", admin.site.urls),
]
