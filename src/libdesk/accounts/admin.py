"""Administrators register workstations here (reference data). Staff accounts are managed
on the staff client's own page, and no patron-linked model is ever shown in this admin."""

from django.contrib import admin

from libdesk.accounts.models import Workstation


@admin.register(Workstation)
class WorkstationAdmin(admin.ModelAdmin):
    list_display = ["name", "branch", "active"]
    list_filter = ["branch", "active"]
