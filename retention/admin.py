from django.contrib import admin

from retention.models import RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    """Administrators keep the retention periods the programme's data protection rules set."""

    list_display = ("data_class", "keep_years", "basis")
