"""Reads of the drafting of a report, scoped to the person: the report through the
reports' own visibility, a round only for its readers and the report's drafters."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from soket.campaigns.models import OutlineSection, SteeringMember
from soket.campaigns.selectors import report_outline
from soket.drafting.models import Comment, CommentRound, DraftingRecord, DraftVersion, Reader
from soket.orgs.models import Role, User, ids_in_path
from soket.reports import workflow
from soket.reports.models import Report, Version
from soket.reports.selectors import report_detail_for


def report_seen_by(*, user: User, pk: int) -> Report:
    """The report, if the person sees it (Report.DoesNotExist otherwise)."""
    return report_detail_for(user=user, pk=pk)


def round_seen_by(*, user: User, pk: int) -> CommentRound:
    """A round, for its readers and the report's drafters among those who see the report
    (CommentRound.DoesNotExist for anyone else, as if there were none)."""
    round_ = (
        CommentRound.objects.filter(report__in=workflow.visible_reports(user))
        .select_related("report__campaign", "report__unit", "report__department", "version")
        .get(pk=pk)
    )
    if is_reader(user, round_) or workflow.can_edit(user, round_.report):
        return round_
    raise CommentRound.DoesNotExist


def comment_seen_by(*, user: User, pk: int) -> Comment:
    """A comment of a report the person sees (whether they may answer it, the service says)."""
    return Comment.objects.select_related("round__report").get(
        pk=pk, round__report__in=workflow.visible_reports(user)
    )


def is_reader(user: User, round_: CommentRound) -> bool:
    return Reader.objects.filter(round=round_, user_id=user.pk, user__is_active=True).exists()


def eligible_readers(report: Report) -> QuerySet[User]:
    """Whom the drafter may name as readers: the people holding a role at the report's
    unit (its departments' included), and the campaign's steering members with an
    account who see the report (a role at the unit or above it)."""
    at_unit = Role.objects.filter(unit_id=report.unit_id).values("user_id")
    steering = SteeringMember.objects.filter(
        campaign_id=report.campaign_id,
        user__isnull=False,
        user__roles__unit_id__in=ids_in_path(report.unit.path),
    ).values("user_id")
    return User.objects.filter(Q(pk__in=at_unit) | Q(pk__in=steering), is_active=True)


def reader_choices(report: Report, *, drafter: User) -> QuerySet[User]:
    """The ids a round's form accepts: the eligible readers but the drafter."""
    return eligible_readers(report).exclude(pk=drafter.pk)


@dataclass(frozen=True)
class Candidate:
    user: User
    roles: list[str]


def reader_candidates(report: Report, *, exclude: User) -> list[Candidate]:
    """The eligible readers, each with what they are (their roles at the unit, their
    place in the steering committee), for the drafter to choose from."""
    users = list(reader_choices(report, drafter=exclude).order_by("full_name", "username"))
    ids = [user.pk for user in users]
    labels: dict[int, list[str]] = {pk: [] for pk in ids}
    roles = Role.objects.filter(unit_id=report.unit_id, user_id__in=ids).select_related(
        "department"
    )
    for role in roles:
        where = f" — {role.department.name}" if role.department else ""
        labels[role.user_id].append(f"{role.get_kind_display()}{where}")
    members = SteeringMember.objects.filter(campaign_id=report.campaign_id, user_id__in=ids)
    for member in members:
        assert member.user_id is not None
        labels[member.user_id].append(f"{member.get_committee_role_display()}: {member.position}")
    return [Candidate(user, labels[user.pk]) for user in users]


def unanswered(report: Report) -> QuerySet[Comment]:
    return Comment.objects.filter(round__report=report, answer="")


def versions(report: Report) -> list[DraftVersion]:
    return list(
        DraftVersion.objects.filter(report=report).defer("content").select_related("made_by")
    )


def submitted_versions(report: Report) -> list[Version]:
    return list(
        Version.objects.filter(report=report).defer("content").select_related("submitted_by")
    )


def record_of(report: Report) -> DraftingRecord | None:
    return (
        DraftingRecord.objects.filter(report=report)
        .select_related("presented_version", "adopted_version", "presented_by", "adopted_by")
        .defer("presented_version__content", "adopted_version__content")
        .first()
    )


@dataclass
class RoundView:
    round: CommentRound
    readers: list[User]
    comments: list[Comment]
    is_reader: bool
    unanswered: int = 0


@dataclass
class DraftingPage:
    report: Report
    can_draft: bool
    rounds: list[RoundView]
    versions: list[DraftVersion]
    submitted: list[Version]
    record: DraftingRecord | None
    candidates: list[Candidate] = field(default_factory=list)
    unanswered: int = 0


def _comments() -> QuerySet[Comment]:
    return Comment.objects.select_related("reader", "section", "answered_by")


def drafting_page(*, user: User, report: Report) -> DraftingPage:
    """Everything the drafting page shows, in a fixed number of queries: the drafters see
    every round and comment; a reader the rounds they read and their own comments."""
    can_draft = workflow.can_edit(user, report)
    rounds = CommentRound.objects.filter(report=report).select_related("version", "opened_by")
    if can_draft:
        comments = _comments()
    else:
        rounds = rounds.filter(readers__user=user)
        comments = _comments().filter(reader=user)
    rounds = rounds.prefetch_related(
        Prefetch("readers", queryset=Reader.objects.select_related("user")),
        Prefetch("comments", queryset=comments),
    ).order_by("-number")
    views = []
    for round_ in rounds:
        readers = [reader.user for reader in round_.readers.all()]
        listed = list(round_.comments.all())
        views.append(
            RoundView(
                round=round_,
                readers=readers,
                comments=listed,
                is_reader=any(reader.pk == user.pk for reader in readers),
                unanswered=sum(1 for comment in listed if not comment.answer),
            )
        )
    return DraftingPage(
        report=report,
        can_draft=can_draft,
        rounds=views,
        versions=versions(report),
        submitted=submitted_versions(report),
        record=record_of(report),
        candidates=reader_candidates(report, exclude=user) if can_draft else [],
        unanswered=sum(view.unanswered for view in views) if can_draft else 0,
    )


def outline_of(report: Report) -> list[OutlineSection]:
    return list(report_outline(report.campaign, report.unit))


@dataclass
class SectionRead:
    section: OutlineSection | None  # None: the draft as a whole
    text: str
    comments: list[Comment]

    @property
    def key(self) -> int | None:
        return self.section.pk if self.section else None


def round_reading(*, user: User, round_: CommentRound) -> list[SectionRead]:
    """The circulated version section by section, as the document prints it, each with
    the comments on it (the reader's own; every reader's for a drafter), and a last
    part for comments on the whole draft."""
    from soket.reports.provenance import printed

    texts = round_.version.content.get("sections", {})
    comments = _comments().filter(round=round_)
    if not workflow.can_edit(user, round_.report):
        comments = comments.filter(reader=user)
    by_section: dict[int | None, list[Comment]] = {}
    for comment in comments:
        by_section.setdefault(comment.section_id, []).append(comment)
    parts = [
        SectionRead(
            section, printed(texts.get(str(section.pk), "")).strip(), by_section.get(section.pk, [])
        )
        for section in outline_of(round_.report)
    ]
    parts.append(SectionRead(None, "", by_section.get(None, [])))
    return parts


def comment_for_page(*, user: User, pk: int) -> Comment:
    """A comment as its answer's part shows it, of a report the person sees."""
    return (
        _comments()
        .select_related("round")
        .get(pk=pk, round__report__in=workflow.visible_reports(user))
    )


def round_section(*, round_: CommentRound, pk: int) -> OutlineSection:
    """A section of the round's report's outline (OutlineSection.DoesNotExist for any
    other: a comment is on this report's sections only)."""
    report = round_.report
    return report_outline(report.campaign, report.unit).get(pk=pk)


@dataclass(frozen=True)
class FigureRead:
    code: str
    wording: str
    value: str | None
    numerator: str | None
    denominator: str | None


def version_figures(version: DraftVersion) -> list[FigureRead]:
    """The figures of a version as a simple table, in the outline's order of targets:
    each target's code and wording, its result, and the numerator and denominator."""
    from soket.reports.selectors import report_targets

    figures = version.content.get("figures", {})
    if not figures:
        return []
    report = version.report
    wording: dict[str, str] = {}
    for target in report_targets(report.campaign, report.unit):
        wording.setdefault(target.code, target.wording)
    order = [code for code in wording if code in figures]
    order += sorted(set(figures) - set(order))
    return [
        FigureRead(
            code,
            wording.get(code, ""),
            figures[code].get("value"),
            figures[code].get("numerator"),
            figures[code].get("denominator"),
        )
        for code in order
    ]


def compare_choices(report: Report) -> list[tuple[str, str]]:
    """The versions a comparison can name, oldest first, and the report as it stands."""
    from django.utils.translation import gettext as _

    choices = [
        (
            f"b{version.number}",
            _("version %(number)d (%(purpose)s)")
            % {"number": version.number, "purpose": version.get_purpose_display()},
        )
        for version in DraftVersion.objects.filter(report=report).only("number", "purpose")
    ]
    choices += [
        (f"g{version.number}", _("submission %d") % version.number)
        for version in Version.objects.filter(report=report).only("number")
    ]
    choices.append(("hien-tai", _("the report as it stands")))
    return choices
