from django.urls import path

from libdesk.accounts import views as staff_views
from libdesk.core import bounds  # noqa: F401 - registers the <id:...> and <segment:...> converters
from libdesk.patrons import account_views
from libdesk.policies import question_views
from libdesk.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("branches/", views.branches, name="branches"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("how-long-we-keep-information/", views.retention, name="retention"),
    path("ask-why/", views.ask_why, name="ask-why"),
    path("ask-why/ask/", question_views.ask, name="ask-why-submit"),
    path("ask-why/answer/<segment:key>/", question_views.asker_view, name="ask-why-answer"),
    path("account/sign-in/", account_views.sign_in, name="patron-sign-in"),
    path("staff/", views.staff_home, name="staff-home"),
    path("staff/sign-in/", staff_views.sign_in, name="staff-sign-in"),
    path("staff/sign-out/", staff_views.sign_out, name="staff-sign-out"),
]
