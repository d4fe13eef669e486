from django.contrib.auth import views as auth_views
from django.urls import path

from libdesk.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("branches/", views.branches, name="branches"),
    path("ask-why/", views.ask_why, name="ask-why"),
    path("account/sign-in/", views.patron_sign_in, name="patron-sign-in"),
    path("staff/", views.staff_home, name="staff-home"),
    path("staff/sign-in/", views.StaffSignInView.as_view(), name="staff-sign-in"),
    path("staff/sign-out/", auth_views.LogoutView.as_view(), name="staff-sign-out"),
]
