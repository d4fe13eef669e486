from django.urls import path

from libdesk.core import bounds  # noqa: F401 - registers the <id:...> and <segment:...> converters
from libdesk.policies import question_views

app_name = "questions"

urlpatterns = [
    path("<id:question_id>/", question_views.question_detail, name="detail"),
    path("<id:question_id>/<slug:action>/", question_views.question_act, name="act"),
]
