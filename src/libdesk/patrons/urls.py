from django.urls import path

from libdesk.patrons import account_views, desk_views

app_name = "patrons"

urlpatterns = [
    path("staff/desk/", desk_views.desk, name="desk"),
    path("staff/desk/card/", desk_views.open_by_card, name="open-by-card"),
    path("staff/desk/identity/", desk_views.open_by_identity, name="open-by-identity"),
    path("staff/desk/guardian/", desk_views.open_for_guardian, name="open-for-guardian"),
    path("staff/patrons/new/", desk_views.register, name="register"),
    path("staff/serving/<uuid:context_id>/", desk_views.serving, name="serving"),
    path("staff/serving/<uuid:context_id>/edit/", desk_views.edit, name="edit"),
    path("staff/serving/<uuid:context_id>/<slug:action>/", desk_views.act, name="act"),
    path("account/", account_views.account, name="account"),
    path("account/sign-out/", account_views.sign_out, name="sign-out"),
]
