"""The consumer-information directory, kept by staff in the admin: reference data only (no
question, answer or anything about who asked is ever shown here)."""

from django.contrib import admin

from libdesk.reference.models import ConsumerSource


@admin.register(ConsumerSource)
class ConsumerSourceAdmin(admin.ModelAdmin):
    list_display = ("name_en", "topic", "kind", "active")
    list_filter = ("topic", "kind", "active")
    search_fields = ("name_en", "name_fr")
