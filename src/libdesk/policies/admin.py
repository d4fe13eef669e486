"""Policies are registered from their documents (`libdesk policies import`), so the admin
only shows them: editing an adopted text in place would rewrite the board's record."""

from django.contrib import admin

from libdesk.policies.models import Policy


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["number", "version", "title", "status", "adopted_on", "next_review"]
    list_filter = ["status"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
