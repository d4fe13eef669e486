from django.urls import path

from libdesk.rights import views

app_name = "rights"

urlpatterns = [
    path("account/privacy/", views.privacy, name="privacy"),
    path("account/privacy/history/", views.history, name="history"),
    path("account/privacy/export/", views.export, name="export"),
    path("account/privacy/close/", views.close, name="close"),
    path("account/privacy/<slug:action>/", views.act, name="privacy-act"),
    path(
        "staff/serving/<uuid:context_id>/privacy/corrections/",
        views.corrections,
        name="corrections",
    ),
]
