"""Administrators configure the library, its branches, hours, closed days and the names of
its shelf locations here."""

from django.contrib import admin

from libdesk.library.models import Branch, ClosedDay, Library, OpeningHours, ShelfLocation


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


@admin.register(ShelfLocation)
class ShelfLocationAdmin(admin.ModelAdmin):
    list_display = ["name", "name_fr"]
    search_fields = ["name", "name_fr"]
