"""Releases: define, answer, compute, publish, supersede. Every function checks its user's
rights itself (``accounts.access``), whatever door calls it, and audits what it did."""

from __future__ import annotations

import hashlib
import io
import json
import logging
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import TYPE_CHECKING, Any

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from palermo.accounts import access
from palermo.accounts.models import Organisation
from palermo.audit import services as audit
from palermo.core import crypto
from palermo.stats import disclosure, extract, measures, synthetic, vocabulary
from palermo.stats.dimensions import KEYS, MAIN
from palermo.stats.models import BudgetSpend, Contribution, Release, Snapshot

if TYPE_CHECKING:
    from collections.abc import Iterable

    from palermo.accounts.models import User

DEFAULT_DELTA = 1e-6
logger = logging.getLogger(__name__)


@dataclass
class Definition:
    title: str
    first_year: int
    last_year: int
    organisations: list[Organisation]
    dimensions: list[str]
    main_dimensions: list[str]
    max_length: int = 3
    method: str = Release.Method.THRESHOLD
    k: int = 11
    rounding_base: int = 5
    epsilon: float | None = None
    delta: float | None = None
    synthetic: bool = False


def _require_manager(user: User) -> None:
    if not access.can_manage_releases(user):
        raise PermissionDenied("manage releases")


def validate(definition: Definition) -> None:
    errors: dict[str, str] = {}
    if not definition.title.strip():
        errors["title"] = _("Give the release a title.")
    if definition.first_year > definition.last_year:
        errors["last_year"] = _("The period ends before it starts.")
    if not definition.organisations:
        errors["organisations"] = _("Choose at least one contributing organisation.")
    unknown = [d for d in definition.dimensions if d not in KEYS]
    if not definition.dimensions or unknown:
        errors["dimensions"] = _("Choose at least one dimension.")
    if any(d not in definition.dimensions for d in definition.main_dimensions):
        errors["main_dimensions"] = _("The three-way tables use chosen dimensions only.")
    if not 1 <= definition.max_length <= 3:
        errors["max_length"] = _("Combinations have one to three dimensions.")
    if definition.k < disclosure.MIN_K:
        errors["k"] = _("k must be at least %(k)s: below, a suppressed count can only be 1.") % {
            "k": disclosure.MIN_K
        }
    if definition.method == Release.Method.THRESHOLD and definition.rounding_base < 2:
        errors["rounding_base"] = _(
            "Round to at least 2: without rounding, a parent minus its child is exact."
        )
    if definition.method == Release.Method.DP:
        if not definition.epsilon or definition.epsilon <= 0:
            errors["epsilon"] = _("Give a positive epsilon.")
        elif definition.epsilon > settings.PALERMO_DP_EPSILON_BUDGET:
            errors["epsilon"] = _("Epsilon is larger than a snapshot's whole budget (%(b)s).") % {
                "b": settings.PALERMO_DP_EPSILON_BUDGET
            }
        if definition.delta is not None and not 0 < definition.delta < 1:
            errors["delta"] = _("Delta is between 0 and 1.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def define_release(
    user: User, definition: Definition, supersedes: Release | None = None
) -> Release:
    """A draft release; each contributing organisation is asked to approve its part."""
    _require_manager(user)
    validate(definition)
    release = Release.objects.create(
        title=definition.title.strip(),
        version=supersedes.version + 1 if supersedes else 1,
        supersedes=supersedes,
        first_year=definition.first_year,
        last_year=definition.last_year,
        dimensions=[d for d in KEYS if d in definition.dimensions],
        main_dimensions=[d for d in KEYS if d in definition.main_dimensions],
        max_length=definition.max_length,
        method=definition.method,
        k=definition.k,
        rounding_base=definition.rounding_base,
        epsilon=definition.epsilon if definition.method == Release.Method.DP else None,
        delta=(definition.delta or DEFAULT_DELTA)
        if definition.method == Release.Method.DP
        else None,
        synthetic=definition.synthetic,
        created_by=user,
    )
    for organisation in definition.organisations:
        Contribution.objects.create(release=release, organisation=organisation)
    audit.record(
        action="stats.release.defined",
        actor=user,
        target=release,
        detail={
            "title": release.title,
            "organisations": [o.acronym for o in definition.organisations],
            "method": release.method,
        },
    )
    return release


def definition_of(release: Release) -> Definition:
    return Definition(
        title=release.title,
        first_year=release.first_year,
        last_year=release.last_year,
        organisations=[
            c.organisation for c in release.contributions.select_related("organisation")
        ],
        dimensions=list(release.dimensions),
        main_dimensions=list(release.main_dimensions),
        max_length=release.max_length,
        method=release.method,
        k=release.k,
        rounding_base=release.rounding_base,
        epsilon=release.epsilon,
        delta=release.delta,
        synthetic=release.synthetic,
    )


@transaction.atomic
def new_version(user: User, release: Release, same_snapshot: bool = False) -> Release:
    """The next version of a computed release: the same definition, asked again of the same
    contributors, computed later from a new snapshot - or from the same one (to publish it
    again with other noise, say), which then spends the same privacy budget. The older release
    stays as it is."""
    _require_manager(user)
    release = Release.objects.select_for_update().get(pk=release.pk)
    if not release.is_computed:
        raise ValidationError(_("Only a computed release has a next version."))
    if Release.objects.filter(supersedes=release).exists():
        raise ValidationError(_("This release already has a newer version."))
    newer = define_release(user, definition_of(release), supersedes=release)
    if same_snapshot:
        newer.snapshot = release.snapshot
        newer.save(update_fields=["snapshot"])
    return newer


@transaction.atomic
def answer(user: User, contribution: Contribution, approve: bool) -> Contribution:
    if not access.can_answer_contribution(user, contribution.organisation):
        raise PermissionDenied("answer for this organisation")
    release = Release.objects.select_for_update().get(pk=contribution.release_id)
    if release.state not in (Release.State.DRAFT, Release.State.FAILED):
        raise ValidationError(_("The release is already computed: its contributors are fixed."))
    contribution.state = Contribution.State.APPROVED if approve else Contribution.State.DECLINED
    contribution.decided_by = user
    contribution.decided_at = timezone.now()
    contribution.save()
    audit.record(
        action="stats.contribution.approved" if approve else "stats.contribution.declined",
        actor=user,
        organisation=contribution.organisation,
        target=release,
    )
    return contribution


def request_compute(user: User, release: Release) -> Release:
    """Queue the computation (a background task; a page follows its state)."""
    from palermo.stats.tasks import compute_task

    _require_manager(user)
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        if release.state not in (Release.State.DRAFT, Release.State.FAILED):
            raise ValidationError(_("This release is already computed or being computed."))
        if not release.contributions.filter(state=Contribution.State.APPROVED).exists():
            raise ValidationError(_("No contributor has approved yet."))
        release.state = Release.State.COMPUTING
        release.error = ""
        release.save(update_fields=["state", "error"])
        transaction.on_commit(lambda: compute_task.enqueue(str(release.pk), user.pk))
    return release


COMPUTABLE = (Release.State.DRAFT, Release.State.COMPUTING, Release.State.FAILED)


def compute(release: Release, user: User) -> Release:
    """Freeze the snapshot and compute what the release publishes, in one transaction: a
    release is either computed whole or left uncomputed (state "failed", with the reason).
    A computed release is never computed again."""
    _require_manager(user)
    if not Release.objects.filter(pk=release.pk, state__in=COMPUTABLE).exists():
        raise ValidationError(_("This release is already computed."))
    try:
        with transaction.atomic():
            release = Release.objects.select_for_update().get(pk=release.pk)
            _compute(release, user)
    except (disclosure.DisclosureError, ValidationError) as error:
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        _fail(release, message)
    except Exception:
        logger.exception("Computing release %s failed", release.pk)
        _fail(release, _("The computation failed unexpectedly; the error is in the server's log."))
    return release


def _fail(release: Release, message: str) -> None:
    Release.objects.filter(pk=release.pk, state__in=COMPUTABLE).update(
        state=Release.State.FAILED, error=message
    )
    release.refresh_from_db()


def _compute(release: Release, user: User) -> None:
    approved = [
        c.organisation
        for c in release.contributions.select_related("organisation").filter(
            state=Contribution.State.APPROVED
        )
    ]
    if not approved:
        raise ValidationError(_("No contributor has approved."))
    snapshot = release.snapshot or freeze(approved, release.first_year, release.last_year, user)
    if sorted(snapshot.organisations) != sorted(str(o.pk) for o in approved):
        raise disclosure.DisclosureError(
            _(
                "The snapshot holds the cases of other organisations than those who approved "
                "this version: compute it from a new snapshot."
            )
        )
    frame = read_snapshot(snapshot)
    spec = disclosure.Spec(
        tuple(release.dimensions),
        tuple(release.main_dimensions or [d for d in MAIN if d in release.dimensions]),
        release.max_length,
        release.k,
        release.rounding_base,
    )
    privacy: dict[str, Any]
    if release.method == Release.Method.DP:
        cells, privacy = _dp(release, snapshot, frame, spec)
    else:
        cells = disclosure.threshold_cells(frame, spec)
        privacy = {
            "method": "threshold",
            "P2_differencing_safe": cells.unresolved == 0,
            "P2_unresolved_partitions": cells.unresolved,
            "audit_rounds": cells.audit_rounds,
            "secondary_suppressed": _count_flag(cells, disclosure.SECONDARY),
            "hidden": _count_flag(cells, disclosure.HIDDEN),
            "primary_suppressed": _count_flag(cells, disclosure.PRIMARY),
        }
    published = cells.long()
    truth = (
        disclosure.counted(cells.tables, spec, frame.height)
        if release.method == Release.Method.THRESHOLD
        else truth_long(frame, spec)  # DP tables hold only the cells that got noise
    )
    metadata: dict[str, Any] = {
        "title": release.title,
        "version": release.version,
        "period": [release.first_year, release.last_year],
        "contributors": _contributors(release, frame),
        "method": {
            "name": release.method,
            "k": release.k,
            "rounding_base": release.rounding_base if release.method == "threshold" else None,
            "epsilon": release.epsilon,
            "delta": release.delta,
            "dimensions": list(spec.dimensions),
            "three_way_dimensions": list(spec.main),
            "max_length": spec.max_length,
        },
        "software": _software(),
        "records": {
            "published": cells.released_total,
            "O1": _("a protected count: rounded to the base")
            if release.method == "threshold"
            else _("a protected count: with noise"),
        },
        "consistency": measures.consistency(published),
        "privacy": privacy,
        "contribution_bound": _(
            "One record per case; a record adds at most 1 to each combination of dimensions. A "
            "person with cases in several organisations counts once per case."
        ),
    }
    # Measures of the published cells against the truth: published with a threshold release;
    # under differential privacy they would spend privacy outside the budget, so they are kept
    # for the hosting organisation (``assessment``).
    assessment: dict[str, Any] = {
        "utility": measures.utility(truth, published, release.k),
        "snapshot": {"sha256": snapshot.sha256, "rows": snapshot.rows},
    }
    synthetic_bytes = None
    if release.synthetic:
        rows = synthetic.synthesize(published, spec, cells.released_total)
        recounted = disclosure.counted(
            disclosure.true_counts(rows, spec.marginals()), spec, cells.released_total
        )
        metadata["synthetic"] = {
            "rows": rows.height,
            "method": synthetic.METHOD,
            "consistency": measures.consistency(recounted),
        }
        assessment["synthetic"] = {"utility": measures.utility(truth, recounted, release.k)}
        synthetic_bytes = _parquet(rows)
    if release.method == Release.Method.THRESHOLD:
        metadata["utility"] = assessment["utility"]
        if "synthetic" in assessment:
            metadata["synthetic"]["utility"] = assessment["synthetic"]["utility"]
    cells_bytes = _parquet(published)
    release.snapshot = snapshot
    release.records = cells.released_total
    release.cells = cells_bytes
    release.synthetic_rows = synthetic_bytes
    digest = hashlib.sha256(cells_bytes)
    if synthetic_bytes:
        digest.update(synthetic_bytes)
    digest.update(json.dumps(metadata, sort_keys=True, default=str).encode())
    release.checksum = digest.hexdigest()
    release.metadata = metadata | {"checksum": release.checksum}
    release.assessment = assessment
    release.state = Release.State.COMPUTED
    release.computed_at = timezone.now()
    release.error = ""
    release.save()
    audit.record(
        action="stats.release.computed",
        actor=user,
        target=release,
        detail={"records": release.records, "checksum": release.checksum},
    )


def _dp(
    release: Release, snapshot: Snapshot, frame: pl.DataFrame, spec: disclosure.Spec
) -> tuple[disclosure.Cells, dict[str, Any]]:
    epsilon, delta = float(release.epsilon or 0), float(release.delta or DEFAULT_DELTA)
    Snapshot.objects.select_for_update().filter(pk=snapshot.pk).first()  # one spender at once
    spent = BudgetSpend.objects.filter(snapshot=snapshot).aggregate(
        rho=Sum("rho"), delta=Sum("delta")
    )
    spent_rho, spent_delta = spent["rho"] or 0.0, spent["delta"] or 0.0
    budget_rho = disclosure.rho_for(snapshot.epsilon_budget, snapshot.delta_budget)
    asked_rho = disclosure.rho_for(epsilon, delta)
    if spent_rho + asked_rho > budget_rho * (1 + 1e-9) or spent_delta + delta > (
        snapshot.delta_budget * (1 + 1e-9)
    ):
        raise disclosure.DisclosureError(
            _(
                "This snapshot's privacy budget would be exceeded: spent so far epsilon "
                "%(spent).2f of %(budget).2f."
            )
            % {
                "spent": disclosure.epsilon_of(spent_rho, snapshot.delta_budget),
                "budget": snapshot.epsilon_budget,
            }
        )
    domains = {
        d: vocabulary.domain(d, release.first_year, release.last_year) for d in spec.dimensions
    }
    cells = disclosure.dp_cells(frame, spec, domains, epsilon, delta)
    rho = float(cells.extra["rho"])
    BudgetSpend.objects.create(
        snapshot=snapshot, release=release, epsilon=epsilon, delta=delta, rho=rho
    )
    total_rho = spent_rho + rho
    return cells, {
        "method": "dp",
        "P1_note": _("noisy counts below k are dropped; P1 counts the rare ones noise lifted"),
        "P2_differencing_safe": True,
        "P4": {
            "epsilon": epsilon,
            "delta": delta,
            "rho": rho,
            "scales": cells.extra["scales"],
            "thresholds": cells.extra["thresholds"],
            "snapshot_spent_rho": total_rho,
            "snapshot_spent_epsilon": disclosure.epsilon_of(total_rho, snapshot.delta_budget),
            "snapshot_budget_epsilon": snapshot.epsilon_budget,
            "snapshot_budget_delta": snapshot.delta_budget,
        },
    }


def _count_flag(cells: disclosure.Cells, flag: str) -> int:
    return sum(t.filter(pl.col("flag") == flag).height for t in cells.tables.values())


def truth_long(frame: pl.DataFrame, spec: disclosure.Spec) -> pl.DataFrame:
    strings = frame.select([pl.col(d).cast(pl.String) for d in spec.dimensions])
    return disclosure.counted(disclosure.true_counts(strings, spec.marginals()), spec, frame.height)


def _contributors(release: Release, frame: pl.DataFrame) -> list[dict[str, Any]]:
    counts = dict(frame.group_by("organisation").len().iter_rows()) if frame.height else {}
    found = []
    for contribution in release.contributions.select_related("organisation"):
        organisation = contribution.organisation
        records = counts.get(str(organisation.pk), 0)
        approved = contribution.state == Contribution.State.APPROVED
        found.append(
            {
                "organisation": organisation.name,
                "acronym": organisation.acronym,
                "type": organisation.type,
                "answer": contribution.state,
                # Rounded like the cells (and suppressed below k) under the threshold method;
                # not published under differential privacy, whose budget does not cover it.
                "records": disclosure.round_int(records, release.rounding_base, release.k)
                if approved and release.method == Release.Method.THRESHOLD and records >= release.k
                else None,
            }
        )
    return found


def _software() -> dict[str, str]:
    found = {}
    for name in ("palermo", "polars", "opendp", "django"):
        try:
            found[name] = package_version(name)
        except PackageNotFoundError:
            found[name] = "unknown"
    return found


def _parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd")
    return buffer.getvalue()


def freeze(
    organisations: Iterable[Organisation], first_year: int, last_year: int, user: User
) -> Snapshot:
    """Extract the analytic table now and keep it, encrypted, as the release's snapshot."""
    organisations = list(organisations)
    frame = extract.analytic_table(organisations, first_year, last_year)
    data = _parquet(frame)
    snapshot = Snapshot.objects.create(
        created_by=user,
        first_year=first_year,
        last_year=last_year,
        rows=frame.height,
        organisations=sorted(str(o.pk) for o in organisations),
        data_enc=crypto.encrypt_blob(data),
        sha256=hashlib.sha256(data).hexdigest(),
        epsilon_budget=settings.PALERMO_DP_EPSILON_BUDGET,
        delta_budget=settings.PALERMO_DP_DELTA_BUDGET,
    )
    audit.record(
        action="stats.snapshot.frozen", actor=user, target=snapshot, detail={"rows": frame.height}
    )
    return snapshot


def read_snapshot(snapshot: Snapshot) -> pl.DataFrame:
    data = crypto.decrypt_blob(snapshot.data_enc)
    if hashlib.sha256(data).hexdigest() != snapshot.sha256:
        raise disclosure.DisclosureError("The snapshot does not match its checksum.")
    return pl.read_parquet(io.BytesIO(data))


@transaction.atomic
def publish(user: User, release: Release) -> Release:
    _require_manager(user)
    release = Release.objects.select_for_update().get(pk=release.pk)
    if release.state != Release.State.COMPUTED:
        raise ValidationError(_("Only a computed release can be published."))
    if not release.metadata.get("privacy", {}).get("P2_differencing_safe", False):
        raise ValidationError(
            _("Some of its tables could not be protected against subtraction: not published.")
        )
    release.state = Release.State.PUBLISHED
    release.published_at = timezone.now()
    release.save(update_fields=["state", "published_at"])
    audit.record(action="stats.release.published", actor=user, target=release)
    return release


def synthetic_csv(release: Release) -> bytes:
    """The release's synthetic rows as CSV (codes; empty where an attribute was removed)."""
    if not release.synthetic_rows:
        return b""
    return pl.read_parquet(io.BytesIO(bytes(release.synthetic_rows))).write_csv().encode("utf-8")


@dataclass
class OwnFigures:
    organisation: Organisation
    total: int
    tables: dict[str, list[tuple[str, int]]]  # dimension -> (value, count), largest first


def own_figures(user: User, organisation: Organisation, dimensions: Iterable[str]) -> OwnFigures:
    """An organisation's figures about its own cases (every non-draft case, consented to
    pooling or not): for its own analysts and data managers, never shown outside it."""
    if not access.can_view_own_statistics(user, organisation):
        raise PermissionDenied("see this organisation's figures")
    frame = extract.analytic_table([organisation], 0, 9999, pooled=False)
    tables = {}
    for dimension in dimensions:
        counts = (
            frame.select(dimension)
            .drop_nulls()
            .group_by(dimension)
            .len()
            .sort(["len", dimension], descending=[True, False])
        )
        tables[dimension] = [(str(v), int(n)) for v, n in counts.iter_rows()]
    return OwnFigures(organisation, frame.height, tables)
