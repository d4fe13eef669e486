from django.urls import path

from libdesk.accounts import views
from libdesk.core import bounds  # noqa: F401 - registers the <id:...> and <segment:...> converters

app_name = "accounts"

urlpatterns = [
    path("sign-in/code/", views.sign_in_code, name="sign-in-code"),
    path("second-factor/", views.second_factor_page, name="second-factor"),
    path("password/", views.change_password, name="password"),
    path("people/", views.people, name="people"),
    path("people/<id:user_id>/", views.change_person, name="change-person"),
]
