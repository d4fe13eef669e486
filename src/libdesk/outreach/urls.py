from django.urls import path

from libdesk.core import bounds  # noqa: F401 - registers the <id:...> and <segment:...> converters
from libdesk.outreach import desk_views, views

app_name = "outreach"

urlpatterns = [
    path("news/", views.news, name="news"),
    path("new-arrivals/", views.new_arrivals, name="new-arrivals"),
    path("new-arrivals/rss/", views.ArrivalsFeed(), name="rss"),
    path("new-arrivals/atom/", views.ArrivalsAtomFeed(), name="atom"),
    path("newsletter/unsubscribe/<segment:token>/", views.unsubscribe, name="unsubscribe"),
    path("staff/outreach/news/", desk_views.announcements, name="announcements"),
    path("staff/outreach/newsletters/", desk_views.newsletters, name="newsletters"),
    path("staff/outreach/newsletters/<id:issue_id>/", desk_views.newsletter, name="newsletter"),
    path("staff/outreach/newsletters/<id:issue_id>/send/", desk_views.send, name="send"),
    path(
        "staff/serving/<uuid:context_id>/organization/contact/",
        desk_views.organization_contact,
        name="organization-contact",
    ),
]
