from django.urls import path

from libdesk.privacy import account_views, desk_views, views

app_name = "privacy"

urlpatterns = [
    path("account/children/", account_views.children, name="children"),
    path("account/children/<id:child_id>/", account_views.child, name="child"),
    path("staff/third-party-requests/new/", desk_views.record_request, name="record-request"),
    path("staff/privacy/register/", views.register, name="register"),
    path("staff/privacy/register/<id:entry_id>/", views.entry, name="register-entry"),
]
