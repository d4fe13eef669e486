from django.urls import path

from libdesk.core import bounds  # noqa: F401 - registers the <id:...> and <segment:...> converters
from libdesk.policies import views

app_name = "policies"

urlpatterns = [
    path("", views.policy_list, name="list"),
    path("<segment:number>/", views.policy_detail, name="detail"),
    path("<segment:number>/v<id:version>/", views.policy_detail, name="version"),
]
