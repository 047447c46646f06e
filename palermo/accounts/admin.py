"""Django admin: for platform operators to look, not to change.

Memberships, organisations and tokens change only through the pages and the API, whose services
check permissions and write the audit log. The admin shows them read-only.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from palermo.accounts.models import ApiToken, Membership, Organisation, User


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(ReadOnlyMixin, admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class PalermoUserAdmin(UserAdmin):
    inlines = [MembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "acronym", "type", "country", "is_host", "is_active"]
    list_filter = ["type", "is_active"]
    search_fields = ["name", "acronym"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "revoked_at"]
    exclude = ["key_hash"]
