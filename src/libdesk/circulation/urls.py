from django.urls import path

from libdesk.circulation import account_views, desk_views
from libdesk.core import bounds  # noqa: F401 - registers the <id:...> and <segment:...> converters

app_name = "circulation"

urlpatterns = [
    path("staff/serving/<uuid:context_id>/checkout/", desk_views.checkout, name="checkout"),
    path(
        "staff/serving/<uuid:context_id>/loans/<slug:action>/",
        desk_views.loan_action,
        name="loan-action",
    ),
    path("staff/serving/<uuid:context_id>/receipt/", desk_views.receipt, name="receipt"),
    path("staff/checkin/", desk_views.checkin, name="checkin"),
    path("staff/checkin/damaged/", desk_views.damaged, name="damaged"),
    path("staff/checkin/slip/<segment:copy>/", desk_views.slip, name="slip"),
    path("staff/holds/", desk_views.holds_desk, name="holds-desk"),
    path("staff/requests/", desk_views.requests_queue, name="requests"),
    path("staff/requests/<id:request_id>/", desk_views.update_request, name="update-request"),
    path("staff/reports/", desk_views.board_reports, name="reports"),
    path("staff/reports/figures.csv", desk_views.board_reports_csv, name="reports-csv"),
    path("staff/call-list/", desk_views.call_list, name="call-list"),
    path("staff/rules/", desk_views.rules, name="rules"),
    path("staff/rules/new/", desk_views.edit_rule, name="new-rule"),
    path("staff/rules/<id:rule_id>/", desk_views.edit_rule, name="edit-rule"),
    path("account/loans/<slug:action>/", account_views.act, name="account-act"),
    path("account/holds/new/", account_views.place_hold, name="place-hold"),
    path("account/requests/new/", account_views.new_request, name="new-request"),
]
