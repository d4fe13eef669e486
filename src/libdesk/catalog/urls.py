from django.urls import path

from libdesk.catalog import account_views, views
from libdesk.core import bounds  # noqa: F401 - registers the <id:...> and <segment:...> converters

app_name = "catalog"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("records/<id:record_id>/", views.record, name="record"),
    path("account/lists/", account_views.lists, name="lists"),
    path("account/lists/new/", account_views.new_list, name="new-list"),
    path("account/lists/add/", account_views.add_to_list, name="add-to-list"),
    path("account/lists/<id:list_id>/", account_views.saved_list, name="saved-list"),
    path("account/lists/<id:list_id>/<slug:action>/", account_views.list_act, name="list-act"),
    path("staff/catalog/records/<id:record_id>/", views.staff_record, name="staff-record"),
    path("staff/catalog/items/<id:item_id>/", views.staff_item, name="staff-item"),
    path("staff/catalog/items/<id:item_id>/withdraw/", views.withdraw_item, name="withdraw-item"),
    path(
        "staff/catalog/items/<id:item_id>/borrower/",
        views.reveal_borrower,
        name="reveal-borrower",
    ),
]
