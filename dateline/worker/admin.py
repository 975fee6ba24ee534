"""Dead letters in the admin: what failed, why, and a retry (action and button)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from . import services
from .models import DeadLetter


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    list_display = ["task_path", "error_line", "attempts", "failed_at", "retried_at", "retried_by"]
    list_filter = ["task_path", ("retried_at", admin.EmptyFieldListFilter)]
    search_fields = ["task_path", "error"]
    date_hierarchy = "failed_at"
    actions = ["retry"]
    readonly_fields = [
        "task_path", "queue_name", "task_id", "args", "kwargs", "attempts", "error",
        "failed_at", "retried_at", "retried_by", "retry_task_id", "traceback_block",
    ]  # fmt: skip
    exclude = ["traceback"]
    change_form_template = "admin/worker/deadletter/change_form.html"

    @admin.display(description="error")
    def error_line(self, letter):
        return letter.error.splitlines()[0][:120] if letter.error else ""

    @admin.display(description="traceback")
    def traceback_block(self, letter):
        return format_html("<pre>{}</pre>", letter.traceback)

    def has_add_permission(self, request):
        return False  # letters come from the worker only

    def has_change_permission(self, request, obj=None):
        return False  # read-only; retry has its own permission

    def has_retry_permission(self, request):
        return request.user.has_perm("worker.retry_deadletter")

    def get_urls(self):
        retry = self.admin_site.admin_view(require_POST(self.retry_view))
        return [
            path("<int:letter_id>/retry/", retry, name="worker_deadletter_retry"),
            *super().get_urls(),
        ]

    def _retry(self, request, letter) -> bool:
        try:
            task_id = services.dead_letter_retry(letter=letter, by=request.user.get_username())
        except services.RetryRefused as refusal:
            self.message_user(request, f"{letter}: not retried: {refusal}", messages.WARNING)
            return False
        self.message_user(request, f"{letter}: queued again as task {task_id}", messages.SUCCESS)
        return True

    def retry_view(self, request, letter_id):
        """The button on a letter's page (POST, CSRF-protected)."""
        if not self.has_retry_permission(request):
            raise PermissionDenied
        self._retry(request, get_object_or_404(DeadLetter, pk=letter_id))
        return HttpResponseRedirect(reverse("admin:worker_deadletter_changelist"))

    @admin.action(description="Retry the selected tasks", permissions=["retry"])
    def retry(self, request, queryset):
        for letter in queryset:
            self._retry(request, letter)

    def render_change_form(self, request, context, *args, **kwargs):
        context["can_retry"] = self.has_retry_permission(request)
        return super().render_change_form(request, context, *args, **kwargs)
