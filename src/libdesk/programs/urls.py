from django.urls import path

from libdesk.core import bounds  # noqa: F401 - registers the <id:...> and <segment:...> converters
from libdesk.programs import account_views, desk_views, views

app_name = "programs"

urlpatterns = [
    path("events/", views.events, name="events"),
    path("events.ics", views.feed, name="feed"),
    path("events/<id:event_id>/", views.event, name="event"),
    path("events/<id:event_id>.ics", views.event_ics, name="event-ics"),
    path("events/<id:event_id>/register/", views.register, name="register"),
    path("events/cancel/<segment:cancel_token>/", views.cancel, name="cancel"),
    path("account/events/", account_views.my_registrations, name="my-registrations"),
    path(
        "account/events/<id:registration_id>/withdraw/",
        account_views.withdraw,
        name="withdraw",
    ),
    path("staff/events/", desk_views.staff_events, name="staff-events"),
    path("staff/events/new/", desk_views.new_event, name="new-event"),
    path("staff/events/<id:event_id>/", desk_views.edit_event, name="edit-event"),
    path("staff/events/<id:event_id>/cancel/", desk_views.cancel_event, name="cancel-event"),
    path("staff/events/<id:event_id>/attendance/", desk_views.attendance, name="attendance"),
]
