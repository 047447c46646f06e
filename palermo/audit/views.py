from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from palermo.accounts import access
from palermo.accounts.models import Organisation
from palermo.audit import selectors


class EventFilterForm(forms.Form):
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=64)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=_("Organisation"),
        empty_label=_("All"),
    )


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    if not access.can_view_audit(request.user):
        raise PermissionDenied
    filters = EventFilterForm(request.GET or None)
    scope = access.audit_scope(request.user)
    organisation_field = filters.fields["organisation"]
    assert isinstance(organisation_field, forms.ModelChoiceField)  # noqa: S101
    organisation_field.queryset = scope if scope is not None else Organisation.objects.all()
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    events = selectors.events_visible_to(request.user, cleaned)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {"page": page, "filters": filters, "query": query.urlencode()},
    )
