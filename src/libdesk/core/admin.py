from django.contrib import admin

from libdesk.core.models import RateLimitRule


@admin.register(RateLimitRule)
class RateLimitRuleAdmin(admin.ModelAdmin):
    list_display = ["form", "attempts", "window_seconds", "clause"]
