"""The knowledge base's pages. Views read and check the request, then call selectors and
services. A resource or claim the reader may not see is a 404, as a missing one is."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palermo.accounts import access
from palermo.accounts.models import User
from palermo.core.pagination import CappedPaginator
from palermo.knowledge import search, selectors, services, vocabulary
from palermo.knowledge.forms import (
    ClaimForm,
    ResourceForm,
    ReviewForm,
    claim_initial,
    initial_for,
)
from palermo.knowledge.models import Claim, Kind, Party, Resource, Status, Validity

PAGE_SIZE = 20
logger = logging.getLogger(__name__)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    return user


def _resource(request: HttpRequest, uid: Any) -> Resource:
    return get_object_or_404(
        selectors.visible(request.user).select_related("case_law", "assessment"), uid=uid
    )


def _claim(request: HttpRequest, claim_id: Any) -> Claim:
    return get_object_or_404(selectors.visible_claims(request.user), pk=claim_id)


FILTER_OF_KIND = {kind: name for name, kind in selectors.CODE_FILTERS.items()}


def _facet_title(kind: str) -> str:
    titles = {
        vocabulary.COUNTRY: _("Country"),
        vocabulary.REGION: _("Region"),
        vocabulary.THEME: _("Theme"),
        vocabulary.EXPLOITATION: _("Form of exploitation"),
        vocabulary.TARGET_GROUP: _("Target group"),
        vocabulary.LANGUAGE: _("Language"),
        vocabulary.ARTICLE: _("Protocol article"),
        vocabulary.PUBLISHER: _("Publisher"),
        vocabulary.AUTHOR: _("Author"),
        vocabulary.LICENCE: _("Licence"),
        vocabulary.TEXT_LANGUAGE: _("Language of the full text"),
        vocabulary.EVIDENCE: _("Evidence level"),
        vocabulary.ACT: _("Act"),
        vocabulary.MEANS_KIND: _("Means"),
        vocabulary.CASE_FORM: _("Form of trafficking"),
        vocabulary.VERDICT: _("Verdict"),
    }
    return titles[kind]


def _link(params: dict[str, str], **change: str | None) -> str:
    """The query string of the current search with some parameters changed (None removes)."""
    merged = {k: v for k, v in params.items() if k != "page"}
    for key, value in change.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return urlencode(merged)


def _facet_groups(facets: selectors.Facets, filters: selectors.Filters) -> list[dict[str, Any]]:
    """Facets as the template shows them: per group, (label, count, link, chosen)."""
    params = filters.as_params()
    groups: list[dict[str, Any]] = [
        {
            "title": _("Kind"),
            "items": [
                (
                    label,
                    n,
                    _link(params, kind=None if filters.kind == code else code),
                    filters.kind == code,
                )
                for code, label, n in facets.kinds
            ],
        }
    ]
    for kind in vocabulary.FACET_KINDS:
        name = FILTER_OF_KIND[kind]
        chosen = getattr(filters, name)
        items = [
            (
                vocabulary.label(kind, code),
                n,
                _link(params, **{name: None if chosen == code else code}),
                chosen == code,
            )
            for code, n in facets.codes.get(kind, [])
        ]
        if items:
            groups.append({"title": _facet_title(kind), "items": items})
    years = [
        (
            str(year),
            n,
            _link(
                params,
                year_from=None if filters.year_from == year else str(year),
                year_to=None if filters.year_to == year else str(year),
            ),
            filters.year_from == year and filters.year_to == year,
        )
        for year, n in facets.years
    ]
    if years:
        groups.append({"title": _("Year"), "items": years})
    return groups


def excerpt(resource: Resource, query: search.Query) -> list[search.Segment]:
    """The passage a result shows: from the abstract in the reader's language first, then the
    other abstracts, the beginning of the full text (``text_head``), then the titles. The
    words marked are those searched for (``search.searched``: no stop word on PostgreSQL)."""
    language = get_language() or "en"
    texts = sorted(resource.abstract.items(), key=lambda pair: pair[0] != language)
    head = getattr(resource, "text_head", "")
    if head:
        texts.append((resource.text_language or "en", head))
    if query:
        texts += list(resource.title.items())
    return search.snippet(texts, search.searched(query))


def index(request: HttpRequest) -> HttpResponse:
    """Search: words, filters, facets with counts, sorting, highlighted passages, pages."""
    filters = selectors.Filters.from_query(request.GET.dict())
    base = selectors.published(request.user)
    found = selectors.results(selectors.find(base, filters))
    paginator = CappedPaginator(found, PAGE_SIZE, cap=10_000)
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    query = search.searched(search.parse(filters.q))
    for resource in rows:
        resource.excerpt = excerpt(resource, query)
    facets = selectors.facets(base, filters)
    choices = _filter_choices()
    params = filters.as_params()
    return render(
        request,
        "knowledge/index.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "facets": _facet_groups(facets, filters),
            "total": facets.total,
            "query": urlencode(params),
            "sort": filters.effective_sort,
            "sort_links": {
                name: _link(params, sort=name)
                for name in selectors.SORTS
                if name != "relevance" or filters.q.strip()
            },
            "kinds": Kind.choices,
            "choices": choices,
            "more_filters": _more_filters(filters),
            "more_chosen": any(getattr(filters, name) for name in MORE_FILTERS),
            "contributors": access.knowledge_contributors(request.user),
            "queue": selectors.review_queue(request.user).count()
            if access.can_review_knowledge(request.user)
            else None,
        },
    )


def _filter_choices() -> dict[str, Any]:
    """The search form's lists: every country, region and code, not only the facets' top."""
    english = vocabulary.names(vocabulary.COUNTRY, "en")  # countries in the English order
    return {
        "countries": sorted(
            vocabulary.names(vocabulary.COUNTRY).items(), key=lambda pair: english[pair[0]]
        ),
        "regions": sorted(vocabulary.names(vocabulary.REGION).items()),
        "themes": list(vocabulary.names(vocabulary.THEME).items()),
        "exploitation": list(vocabulary.names(vocabulary.EXPLOITATION).items()),
        "groups": list(vocabulary.names(vocabulary.TARGET_GROUP).items()),
        "languages": list(vocabulary.names(vocabulary.LANGUAGE).items()),
        "articles": list(vocabulary.names(vocabulary.ARTICLE).items()),
    }


# The search form's further lists: the full text's language, assessments and case law.
MORE_FILTERS = ("text_language", "evidence", "act", "means", "case_form", "verdict")


def _more_filters(filters: selectors.Filters) -> list[tuple[str, str, list[Any], str]]:
    """(parameter, label, its choices, the chosen value) for each further list."""
    return [
        (
            name,
            _facet_title(selectors.CODE_FILTERS[name]),
            list(vocabulary.names(selectors.CODE_FILTERS[name]).items()),
            getattr(filters, name),
        )
        for name in MORE_FILTERS
    ]


def _codes_by_kind(resource: Resource) -> dict[str, list[str]]:
    """The codes chosen for a resource, named, under their kind's title (the API's ``codes``);
    the derived ones are shown with the fields they come from."""
    found: dict[str, list[str]] = {}
    for code in resource.codes.all():
        if code.kind not in vocabulary.DERIVED_KINDS:
            found.setdefault(code.kind, []).append(vocabulary.label(code.kind, code.code))
    return {_facet_title(kind): sorted(labels) for kind, labels in found.items()}


def _languages(resource: Resource) -> list[str]:
    """The languages of the resource's titles, abstracts and full text, named."""
    codes = [c.code for c in resource.codes.all() if c.kind == vocabulary.LANGUAGE]
    return sorted(vocabulary.label(vocabulary.LANGUAGE, code) for code in codes)


def detail(request: HttpRequest, uid: Any) -> HttpResponse:
    resource = _resource(request, uid)
    user = request.user
    claims = list(selectors.visible_claims(user).filter(stated_in=resource))
    cited = list(selectors.claims_citing(resource, user))
    cites = selectors.sources_cited(claims, user)
    case = getattr(resource, "case_law", None) if resource.kind == Kind.CASE_LAW else None
    parties: list[Party] = list(case.parties.all()) if case is not None else []
    editable = user.is_authenticated and access.can_edit_resource(user, resource.contributor)
    reviewable = (
        resource.status == Status.SUBMITTED
        and access.can_review_knowledge(user)
        and user.pk not in (resource.submitted_by_id, resource.created_by_id)
    )
    return render(
        request,
        "knowledge/detail.html",
        {
            "resource": resource,
            "codes": _codes_by_kind(resource),
            "title_languages": _languages(resource),
            "claims": claims,
            "cited": cited,
            "cites": cites,
            "case": case,
            "parties": parties,
            "acts": [vocabulary.ACTS.get(c, c) for c in (case.acts if case else [])],
            "means": [vocabulary.MEANS.get(c, c) for c in (case.means if case else [])],
            "purposes": [vocabulary.PURPOSES.get(c, c) for c in (case.purposes if case else [])],
            "assessment": getattr(resource, "assessment", None),
            "editable": editable,
            "reviewable": reviewable,
            "review_form": ReviewForm() if reviewable else None,
            "can_add_claim": bool(access.knowledge_contributors(user)),
        },
    )


def download(request: HttpRequest, uid: Any) -> FileResponse:
    resource = _resource(request, uid)
    if not resource.file:
        raise Http404("no file")
    try:
        opened = resource.file.open("rb")
    except FileNotFoundError as error:
        logger.error("The file of resource %s is missing from storage.", resource.uid)
        raise Http404("file missing") from error
    return FileResponse(
        opened,
        as_attachment=True,
        filename=resource.file_name or "document.pdf",
        content_type="application/pdf",
    )


def _contributors(request: HttpRequest) -> list[Any]:
    found = access.knowledge_contributors(request.user)
    if not found:
        raise PermissionDenied(_("Your role does not add resources to the knowledge base."))
    return found


def _save(request: HttpRequest, form: ResourceForm, resource: Resource | None) -> Resource | None:
    try:
        return services.save_resource(
            actor=_user(request),
            organisation=resource.contributor if resource else form.cleaned_data["contributor"],
            data=form.to_data(),
            resource=resource,
            pdf=form.pdf,
            remove_file=bool(form.cleaned_data.get("remove_file")),
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            form.add_error(None, error.messages)
    except PermissionDenied as error:
        form.add_error(None, str(error))
    return None


@login_required
def new(request: HttpRequest) -> HttpResponse:
    contributors = _contributors(request)
    form = ResourceForm(
        request.POST or None,
        request.FILES or None,
        contributors=contributors,
        initial={"kind": request.GET.get("kind") or Kind.RESEARCH, "is_public": True},
    )
    if request.method == "POST" and form.is_valid():
        resource = _save(request, form, None)
        if resource is not None:
            if form.pdf:
                for warning in form.pdf[2].warnings:
                    messages.warning(request, warning)
            messages.success(
                request, _("The resource is saved as a draft. Submit it for review to publish it.")
            )
            return redirect("knowledge:detail", resource.uid)
    return render(request, "knowledge/form.html", {"form": form, "resource": None})


@login_required
def edit(request: HttpRequest, uid: Any) -> HttpResponse:
    resource = _resource(request, uid)
    if not access.can_edit_resource(request.user, resource.contributor):
        raise PermissionDenied(_("Only the organisation that contributed it edits it."))
    form = ResourceForm(
        request.POST or None,
        request.FILES or None,
        contributors=[resource.contributor],
        resource=resource,
        initial=initial_for(resource),
    )
    if request.method == "POST" and form.is_valid():
        was_published = resource.status == Status.PUBLISHED
        saved = _save(request, form, resource)
        if saved is not None:
            if form.pdf:
                for warning in form.pdf[2].warnings:
                    messages.warning(request, warning)
            if not was_published:
                messages.success(request, _("The resource is saved."))
            elif saved.status == Status.PUBLISHED:
                messages.info(request, _("Nothing was changed: the resource stays published."))
            else:
                messages.success(
                    request,
                    _(
                        "The changes are saved and sent to review. The resource is off the "
                        "public pages until a reviewer publishes it again."
                    ),
                )
            return redirect("knowledge:detail", saved.uid)
    return render(request, "knowledge/form.html", {"form": form, "resource": resource})


def _act(request: HttpRequest, work: Any, done: str) -> None:
    try:
        work()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)


@login_required
@require_POST
def submit(request: HttpRequest, uid: Any) -> HttpResponse:
    resource = _resource(request, uid)
    _act(
        request,
        lambda: services.submit(actor=_user(request), resource=resource),
        _("The resource is waiting for review."),
    )
    return redirect("knowledge:detail", resource.uid)


@login_required
@require_POST
def review(request: HttpRequest, uid: Any) -> HttpResponse:
    resource = _resource(request, uid)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to publish or to return it."))
        return redirect("knowledge:detail", resource.uid)
    approve = form.cleaned_data["decision"] == "approve"
    _act(
        request,
        lambda: services.review(
            actor=_user(request),
            resource=resource,
            approve=approve,
            note=form.cleaned_data.get("note") or "",
        ),
        _("The resource is published.") if approve else _("The resource is returned."),
    )
    return redirect("knowledge:detail", resource.uid)


@login_required
@require_POST
def delete(request: HttpRequest, uid: Any) -> HttpResponse:
    resource = _resource(request, uid)
    try:
        services.delete_resource(actor=_user(request), resource=resource)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("knowledge:detail", resource.uid)
    messages.success(request, _("The resource is deleted."))
    return redirect("knowledge:index")


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """What waits for the reader: submissions to review, and their organisations' drafts."""
    return render(
        request,
        "knowledge/queue.html",
        {
            "reviewer": access.can_review_knowledge(request.user),
            "waiting": selectors.review_queue(request.user).select_related("contributor"),
            "claims": selectors.pending_claims(request.user),
            "own": selectors.own_work(request.user),
        },
    )


# -- Claims -------------------------------------------------------------------------------


def claim_list(request: HttpRequest) -> HttpResponse:
    claims: QuerySet[Claim] = selectors.visible_claims(request.user).order_by("-created_at")
    validity = request.GET.get("validity", "")
    if validity not in Validity.values:
        validity = ""
    if validity:
        claims = claims.filter(validity=validity)
    page = CappedPaginator(claims, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/claims.html",
        {
            "page": page,
            "validity": validity,
            "validities": Claim._meta.get_field("validity").choices,
            "query": urlencode({"validity": validity}) if validity else "",
        },
    )


def claim_detail(request: HttpRequest, claim_id: Any) -> HttpResponse:
    claim = _claim(request, claim_id)
    chain = selectors.chain(claim, request.user)
    repeated_by = list(
        selectors.visible_claims(request.user).filter(derived_from=claim).order_by("created_at")
    )
    editable = request.user.is_authenticated and access.can_edit_resource(
        request.user, claim.organisation
    )
    pending = claim.approved_at is None and claim.organisation_id != claim.stated_in.contributor_id
    return render(
        request,
        "knowledge/claim.html",
        {
            "claim": claim,
            "chain": chain,
            "graph": _graph(chain, repeated_by),
            "repeated_by": repeated_by,
            "editable": editable,
            "pending": pending,
            "approvable": pending
            and access.can_review_knowledge(request.user)
            and claim.created_by_id != request.user.pk,
        },
    )


@login_required
@require_POST
def claim_approve(request: HttpRequest, claim_id: Any) -> HttpResponse:
    claim = _claim(request, claim_id)
    _act(
        request,
        lambda: services.approve_claim(actor=_user(request), claim=claim),
        _("The claim is approved: everyone who sees the resource sees it."),
    )
    return redirect("knowledge:claim", claim.pk)


BOX_W, BOX_H, GAP = 420, 64, 34


def _graph(chain: selectors.Chain, repeated_by: list[Claim]) -> dict[str, Any]:
    """Boxes and arrows of the citation chain, drawn top (the claims that repeat this one) to
    bottom (the origin), for an SVG the template writes out."""
    nodes: list[dict[str, Any]] = []
    for claim in repeated_by[:3]:
        nodes.append({"kind": "repeat", "claim": claim})
    for i, hop in enumerate(chain.hops):
        if hop.claim is not None:
            nodes.append({"kind": "this" if i == 0 else "claim", "claim": hop.claim})
        elif hop.resource is not None or hop.release is not None:
            nodes.append({"kind": "origin", "resource": hop.resource, "release": hop.release})
        else:
            nodes.append({"kind": "hidden"})
    if chain.end in ("untraceable", "no_method"):
        nodes.append({"kind": chain.end})
    elif chain.end == "origin" and nodes[-1].get("claim") is not None and len(chain.hops) > 1:
        nodes[-1]["kind"] = "origin"  # a claim that is its own origin (data, published method)
    for i, node in enumerate(nodes):
        node["x"], node["y"] = 10, 10 + i * (BOX_H + GAP)
        node["text_y"] = node["y"] + 26
        node["sub_y"] = node["y"] + 48
    arrows = [
        {"x": 10 + BOX_W // 2, "y1": n["y"] + BOX_H, "y2": n["y"] + BOX_H + GAP - 4}
        for n in nodes[:-1]
    ]
    return {
        "nodes": nodes,
        "arrows": arrows,
        "width": BOX_W + 20,
        "height": 20 + len(nodes) * (BOX_H + GAP) - GAP,
        "box_w": BOX_W,
        "box_h": BOX_H,
    }


def _claim_form_page(request: HttpRequest, resource: Resource, claim: Claim | None) -> HttpResponse:
    contributors = _contributors(request)
    form = ClaimForm(
        request.POST or None,
        user=_user(request),
        stated_in=resource,
        organisations=[claim.organisation] if claim else contributors,
        initial=claim_initial(claim) if claim else {"language": get_language() or "en"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_claim(
                actor=_user(request),
                organisation=claim.organisation if claim else form.cleaned_data["organisation"],
                data=form.to_data(),
                claim=claim,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                form.add_error(None, error.messages)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The claim is saved."))
            return redirect("knowledge:claim", saved.pk)
    return render(
        request, "knowledge/claim_form.html", {"form": form, "resource": resource, "claim": claim}
    )


@login_required
def claim_new(request: HttpRequest, uid: Any) -> HttpResponse:
    return _claim_form_page(request, _resource(request, uid), None)


@login_required
def claim_edit(request: HttpRequest, claim_id: Any) -> HttpResponse:
    claim = _claim(request, claim_id)
    if not access.can_edit_resource(request.user, claim.organisation):
        raise PermissionDenied(_("Only the organisation that recorded it edits a claim."))
    return _claim_form_page(request, claim.stated_in, claim)


@login_required
@require_POST
def claim_delete(request: HttpRequest, claim_id: Any) -> HttpResponse:
    claim = _claim(request, claim_id)
    resource = claim.stated_in
    try:
        services.delete_claim(actor=_user(request), claim=claim)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("knowledge:claim", claim.pk)
    messages.success(request, _("The claim is deleted."))
    return redirect("knowledge:detail", resource.uid)
