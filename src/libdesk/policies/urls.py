from django.urls import path

from libdesk.policies import views

app_name = "policies"

urlpatterns = [
    path("", views.policy_list, name="list"),
    path("<str:number>/", views.policy_detail, name="detail"),
    path("<str:number>/v<int:version>/", views.policy_detail, name="version"),
]
