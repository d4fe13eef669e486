from django.urls import path

from libdesk.catalog import views
from libdesk.core import bounds  # noqa: F401 - registers the <id:...> and <segment:...> converters

app_name = "catalog"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("records/<id:record_id>/", views.record, name="record"),
    path("staff/catalog/records/<id:record_id>/", views.staff_record, name="staff-record"),
    path("staff/catalog/items/<id:item_id>/", views.staff_item, name="staff-item"),
    path("staff/catalog/items/<id:item_id>/withdraw/", views.withdraw_item, name="withdraw-item"),
    path(
        "staff/catalog/items/<id:item_id>/borrower/",
        views.reveal_borrower,
        name="reveal-borrower",
    ),
]
