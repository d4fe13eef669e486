from django.urls import path

from libdesk.policies import question_views

app_name = "questions"

urlpatterns = [
    path("<int:question_id>/", question_views.question_detail, name="detail"),
    path("<int:question_id>/<slug:action>/", question_views.question_act, name="act"),
]
