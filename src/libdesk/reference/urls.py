from django.urls import path

from libdesk.core import bounds  # noqa: F401 - registers the <id:...> and <segment:...> converters
from libdesk.reference import account_views, desk_views, views

app_name = "reference"

urlpatterns = [
    path("ask-a-librarian/", views.ask, name="ask"),
    path("ask-a-librarian/answer/<segment:asker_key>/", views.asked, name="asked"),
    path("account/questions/", account_views.my_questions, name="my-questions"),
    path("staff/reference/", desk_views.queue, name="queue"),
    path("staff/reference/claim-next/", desk_views.claim_next, name="claim-next"),
    path("staff/reference/new/", desk_views.enter, name="enter"),
    path("staff/reference/sources/", desk_views.sources, name="sources"),
    path("staff/reference/sources/new/", desk_views.edit_source, name="new-source"),
    path("staff/reference/sources/<id:source_id>/", desk_views.edit_source, name="edit-source"),
    path("staff/reference/figures/", desk_views.figures, name="figures"),
    path("staff/reference/figures.csv", desk_views.figures_csv, name="figures-csv"),
    path("staff/reference/<id:reference_id>/", desk_views.question, name="question"),
    path("staff/reference/<id:reference_id>/<slug:action>/", desk_views.act, name="act"),
]
