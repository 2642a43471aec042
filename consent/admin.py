from django.contrib import admin
from django.http import HttpRequest

from consent.models import ConsentStatement


@admin.register(ConsentStatement)
class ConsentStatementAdmin(admin.ModelAdmin):
    """The wording read to persons before they answer: programme reference data, no personal data.

    A statement already read to someone is never edited: add a new version and retire the old one (`active`).
    """

    list_display = ("title", "language", "version", "active")
    list_filter = ("language", "active")

    def get_readonly_fields(self, request: HttpRequest, obj: ConsentStatement | None = None) -> tuple[str, ...]:
        if obj is not None and obj.records.exists():
            return ("language", "version", "title", "text", "responsibility_clause")
        return ()
