from django.contrib import admin

from .models import ImportLog


@admin.register(ImportLog)
class ImportLogAdmin(admin.ModelAdmin):
    """Read-only: the log records what happened."""

    list_display = [
        "started_at",
        "target",
        "file_name",
        "user",
        "mode",
        "status",
        "new",
        "updated",
        "unchanged",
        "invalid",
        "duration",
    ]
    list_filter = ["status", "target", "mode"]
    search_fields = ["file_name", "sha256", "user__username", "message"]
    date_hierarchy = "started_at"
    list_select_related = ["user"]
    exclude = ["content"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
