"""Administrators configure the library, its branches, hours and closed days here."""

from django.contrib import admin

from libdesk.library.models import Branch, ClosedDay, Library, OpeningHours


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "phone"]
    inlines = [OpeningHoursInline]


@admin.register(Library)
class LibraryAdmin(admin.ModelAdmin):
    list_display = ["name", "is_demo"]
    readonly_fields = ["is_demo"]


@admin.register(ClosedDay)
class ClosedDayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "branch"]
    list_filter = ["branch"]
