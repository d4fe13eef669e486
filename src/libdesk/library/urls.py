from django.urls import path

from libdesk.core import bounds  # noqa: F401 - registers the <id:...> and <segment:...> converters
from libdesk.library import views

app_name = "library"

urlpatterns = [
    path("staff/calendar/", views.calendar, name="calendar"),
    path("staff/calendar/<slug:kind>/<id:pk>/remove/", views.remove, name="remove"),
]
