from django.urls import path

from libdesk.core import bounds  # noqa: F401 - registers the <id:...> and <segment:...> converters
from libdesk.feedback import account_views, desk_views, views

app_name = "feedback"

urlpatterns = [
    path("comments/", views.comment, name="comment"),
    path("account/comments/", account_views.my_comments, name="my-comments"),
    path("staff/comments/", desk_views.queue, name="queue"),
    path("staff/comments/figures/", desk_views.figures, name="figures"),
    path("staff/comments/figures.csv", desk_views.figures_csv, name="figures-csv"),
    path("staff/comments/<id:comment_id>/", desk_views.comment, name="comment-staff"),
    path("staff/comments/<id:comment_id>/<slug:action>/", desk_views.act, name="act"),
]
