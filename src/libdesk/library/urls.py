from django.urls import path

from libdesk.library import views

app_name = "library"

urlpatterns = [
    path("staff/calendar/", views.calendar, name="calendar"),
    path("staff/calendar/<slug:kind>/<int:pk>/remove/", views.remove, name="remove"),
]
