from django.urls import path

from libdesk.accounts import views

app_name = "accounts"

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/<int:user_id>/", views.change_person, name="change-person"),
]
