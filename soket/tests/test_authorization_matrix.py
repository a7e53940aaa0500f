"""The authorization matrix: every URL pattern, every kind of person, objects in scope,
in a sibling subtree and above — allowed or denied, POSTs included.

The people all work at district A1 (or, for the department roles, in the province's
Ban Tổ chức), so the same letters mean the same places for each of them:

    O  A1's own object           B  below A1 (grassroots union A1-01)
    S  sibling: district A2's    A  above: province A's
    D  the Ban Tổ chức's report  E  another department's (Ban Tuyên giáo) report
    M  a document the person asked for themselves   X  one that someone else asked for

Allowed means a page (200) or, for a POST, a change written to the database. Denied
means a redirect to log in (anonymous), 403 or 404, and for a POST the database left
exactly as it was. The test fails when a URL pattern is missing from the matrix, so a
new route cannot be added without saying who may use it.
"""

from __future__ import annotations

import datetime
import io
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import docx
import openpyxl
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count, Max, Q
from django.test import TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from soket.audit.models import Entry
from soket.campaigns.models import (
    Amendment,
    Campaign,
    CommitteeTask,
    OutlineSection,
    Participation,
    Recipient,
    SteeringMember,
)
from soket.core import clock
from soket.documents import report_form
from soket.documents.models import DocumentJob, DocumentTemplate
from soket.documents.template_builder import BUILTIN
from soket.lessons import selectors as lessons_selectors
from soket.notices.models import Notice
from soket.orgs.models import Department, Role, Unit, User
from soket.orgs.services import role_grant
from soket.reports import consolidation, services
from soket.reports.models import (
    Attachment,
    Figure,
    Report,
    SectionText,
    Transition,
    ValidationRule,
)
from soket.resolutions.models import Target
from soket.surveys import spreadsheet as survey_spreadsheet
from soket.surveys.models import (
    Answer,
    Choice,
    Question,
    Respondent,
    Response,
    Section,
    Stratum,
    Survey,
    Token,
)
from soket.testing import make_kinds, make_resolution, make_target, make_unit, make_user

ANON, NONE, VIEWER, REPORTER, APPROVER, ADMIN, DEPT_W, DEPT_A, SUPER = (
    "anonymous",
    "no role",
    "viewer",
    "reporter",
    "approver",
    "campaign admin",
    "department reporter",
    "department approver",
    "superuser",
)
IDENTITIES = [ANON, NONE, VIEWER, REPORTER, APPROVER, ADMIN, DEPT_W, DEPT_A, SUPER]
A1_ROLES = {VIEWER: "viewer", REPORTER: "reporter", APPROVER: "approver", ADMIN: "campaign_admin"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Call:
    """What one case sends: URL arguments, form data, and what to set up first."""

    args: list = field(default_factory=list)
    data: dict = field(default_factory=dict)
    prepare: Callable[[], None] | None = None


@dataclass
class Row:
    name: str
    method: str
    places: dict[str, Callable]  # letter -> (test case, person) -> Call
    allowed: dict[str, str]  # identity -> the letters where they are allowed
    changes: bool = True  # whether an allowed POST writes to the database
    ends_at_log_in: bool = False  # logging out sends everyone to the log-in page


def row(name, method, places, changes=True, ends_at_log_in=False, **allowed) -> Row:
    """A row of the matrix. Unnamed identities are denied everywhere, but the
    superuser, who is allowed everywhere unless the row says otherwise."""
    by_identity = {identity: "" for identity in IDENTITIES}
    by_identity[SUPER] = "".join(places)
    for key, letters in allowed.items():
        for identity in KEYS[key]:
            by_identity[identity] = letters
    return Row(name, method, places, by_identity, changes, ends_at_log_in)


KEYS = {
    "anyone": IDENTITIES,
    "logged_in": [NONE, VIEWER, REPORTER, APPROVER, ADMIN, DEPT_W, DEPT_A, SUPER],
    "roles": [VIEWER, REPORTER, APPROVER, ADMIN, DEPT_W, DEPT_A],
    "a1": [VIEWER, REPORTER, APPROVER, ADMIN],
    "writers": [REPORTER, APPROVER, ADMIN],
    "heads": [APPROVER, ADMIN],
    "admin": [ADMIN],
    "dept": [DEPT_W, DEPT_A],
    "dept_w": [DEPT_W],
    "dept_a": [DEPT_A],
    "viewer": [VIEWER],
    "reporter": [REPORTER],
    "none": [NONE],
    "superuser": [SUPER],
}


# Building the calls.


def nothing(t, who):
    return Call()


def unit(key):
    return lambda t, who: Call([t.units[key].pk])


def resolution(key):
    return lambda t, who: Call([t.resolutions[key].pk])


def campaign(key):
    return lambda t, who: Call([t.campaigns[key].pk])


def report(key, state=Report.State.DRAFT, **data):
    def build(t, who):
        return Call([t.reports[key].pk], dict(data), lambda: t.put_in_state(key, state))

    return build


def saved(key):
    def build(t, who):
        target = t.target.pk
        return Call(
            [t.reports[key].pk],
            {
                "revision": t.reports[key].revision,
                f"section-{t.section.pk}": "Nội dung mới",
                f"override-{target}": "",
                f"value-{target}": "12",
            },
        )

    return build


def reference(key):
    return lambda t, who: Call(
        [t.reports[key].pk],
        {"revision": t.reports[key].revision, "document_number": "45", "issued_on": "01/12/2015"},
    )


def drafted(key):
    return lambda t, who: Call([t.reports[key].pk], {"revision": t.reports[key].revision})


def draft_choice(choice):
    """Take or keep a section the drafter edited after the reports below changed."""

    def for_report(key):
        def build(t, who):
            item = t.reports[key]
            Report.objects.filter(pk=item.pk).update(drafted_at=clock.now())
            SectionText.objects.update_or_create(
                report=item, section=t.section,
                defaults={"text": "Của tôi", "drafted_text": "Bản tổng hợp cũ"},
            )  # fmt: skip
            below = consolidation.changes_below(report=Report.objects.get(pk=item.pk))
            return Call(
                [item.pk],
                {"revision": item.revision, "key": below.sections[0].key,
                 "seen": below.sections[0].seen, "choice": choice},
            )  # fmt: skip

        return build

    return for_report


def move(key, action, state):
    def build(t, who):
        return Call(
            [t.reports[key].pk, action],
            {"reason": "Lý do", "confirmed": "1"},
            lambda: t.put_in_state(key, state),
        )

    return build


def attach(key):
    return lambda t, who: Call([t.reports[key].pk], {"file": SimpleUploadedFile("them.pdf", PDF)})


def attachment(key):
    return lambda t, who: Call([t.reports[key].pk, t.attachments[key].pk])


def start(key, department=None):
    def build(t, who):
        data = {"unit": t.units[key].pk}
        if department:
            data["department"] = t.departments[department].pk
        return Call(
            [t.campaigns["A"].pk],
            data,
            lambda: Report.objects.filter(
                campaign=t.campaigns["A"],
                unit=t.units[key],
                department=t.departments.get(department),
            ).delete(),
        )

    return build


def accept_many(key):
    def build(t, who):
        return Call(
            [t.campaigns["A"].pk],
            {"report": [t.reports[key].pk]},
            lambda: t.put_in_state(key, Report.State.SUBMITTED),
        )

    return build


def new_campaign(t, who):
    return Call(
        [],
        {"owner": t.units["A1"].pk, "start": "skeleton", "kind": "final", "title": "Tổng kết",
         "reviewed_from": "01/01/2013", "reviewed_to": "31/12/2018",
         "resolutions": [t.resolutions["A1"].pk]},
    )  # fmt: skip


def campaign_part(key):
    return lambda t, who: Call([t.campaigns[key].pk, "noi-nhan"])


def amend_recipients(key):
    return lambda t, who: Call(
        [t.campaigns[key].pk, "noi-nhan"],
        {"revision": t.campaigns[key].revision, "lines": "Như trên", "reason": "Bổ sung"},
    )


def draft(key, **data):
    """The campaign of `key` back to a draft that could be issued: units and an outline."""

    def build(t, who):
        def prepare():
            campaign = t.campaigns[key]
            Campaign.objects.filter(pk=campaign.pk).update(state="draft")
            if not campaign.participations.exists():
                Participation.objects.create(campaign=campaign, root=campaign.owner)
            if not campaign.outline_sections.exists():
                OutlineSection.objects.create(campaign=campaign, order=1, heading="Kết quả")

        return Call([t.campaigns[key].pk], dict(data), prepare)

    return build


def issue(key):
    return draft(
        key, revision=0, document_number="1/KH", issued_on="01/11/2015",
        signer_title="CHỦ TỊCH", signer_name="Nguyễn Văn A",
    )  # fmt: skip


def deploy(unit_key):
    """Province A's plan, deployed for the federation `unit_key`."""
    return lambda t, who: Call([t.campaigns["A"].pk], {"unit": t.units[unit_key].pk})


def deploy_own(t, who):
    """A1's own plan, for A1 itself: a plan is deployed by the federations below it."""
    return Call([t.campaigns["A1"].pk], {"unit": t.units["A1"].pk})


def deployment(state):
    """A1's deployment of province A's plan, in `state`."""

    def build(t, who):
        made = Campaign.objects.create(
            state=state, code=f"trien-khai-{state}", owner=t.units["A1"], kind="interim",
            title="Triển khai", reviewed_from="2013-01-01", reviewed_to="2015-12-31",
            deployed_from=t.campaigns["A"],
        )  # fmt: skip
        return Call([made.pk])

    return build


def count_units(key):
    return lambda t, who: Call([t.campaigns[key].pk])


def campaign_unit(key):
    return lambda t, who: Call([t.campaigns["A"].pk, t.units[key].pk])


def campaign_kind(key):
    return lambda t, who: Call([t.campaigns[key].pk, "plan"])


def ask_document(key):
    return lambda t, who: Call(
        [], {"campaign": t.campaigns["A"].pk, "what": "report", "format": "docx",
             "report": t.reports[key].pk}
    )  # fmt: skip


def job(mine: bool):
    def build(t, who):
        job_id = uuid.uuid4()

        def prepare():
            requester = t.people[who] if mine and who != ANON else t.someone_else
            made = DocumentJob(
                id=job_id,
                requested_by=requester,
                what="plan",
                file_format="docx",
                campaign=t.campaigns["A"],
                state=DocumentJob.State.READY,
                filename="ke-hoach.docx",
                requested_at=clock.now(),
            )
            made.file.save(str(job_id), ContentFile(b"PK"), save=False)
            made.save()

        return Call([job_id], prepare=prepare)

    return build


def form_upload(key):
    """The report's own Excel form, with one text changed, as a unit fills it offline."""

    def build(t, who):
        workbook = openpyxl.load_workbook(io.BytesIO(report_form.form_xlsx(t.reports[key])))
        workbook[report_form.TEXTS].cell(2, 3, "Viết ngoài mạng")
        buffer = io.BytesIO()
        workbook.save(buffer)
        return Call([t.reports[key].pk], {"file": SimpleUploadedFile("f.xlsx", buffer.getvalue())})

    return build


def template_for(key):
    def build(t, who):
        return Call(
            [],
            {
                "unit": t.units[key].pk,
                "kind": "outline",
                "file": SimpleUploadedFile("mau.docx", BUILTIN.read_bytes()),
            },
        )

    return build


def template(key):
    return lambda t, who: Call([t.templates[key].pk])


def import_units(t, who):
    data = "Mã đơn vị,Tên đơn vị,Loại đơn vị,Mã đơn vị cấp trên\nA1-09,Mới,grassroots,A1\n"
    return Call([], {"file": SimpleUploadedFile("don-vi.csv", data.encode())})


def import_targets(key):
    def build(t, who):
        data = (
            "Mã chỉ tiêu,Nội dung chỉ tiêu,Chiều,Mục tiêu,Cách tổng hợp\n"
            "CT99,Mới,tối thiểu,10,tổng\n"
        )
        return Call([t.resolutions[key].pk], {"file": SimpleUploadedFile("ct.csv", data.encode())})

    return build


def template_format(t, who):
    return Call(["xlsx"])


def resolution_format(key):
    return lambda t, who: Call([t.resolutions[key].pk, "xlsx"])


def notice(t, who):
    def prepare():
        if who != ANON:
            Notice.objects.create(user=t.people[who], text="Thông báo")

    return Call(prepare=prepare)


def someone_at(t, key, **fields):
    """A person of one's own for the case, whose one role is a viewer's at unit `key`
    (made inside the case's savepoint, so the identities are never touched)."""
    person = make_user(f"nguoi-{key}", t.units[key], "viewer")
    if fields:
        User.objects.filter(pk=person.pk).update(**fields)
    return person


def person(key, **fields):
    return lambda t, who: Call([someone_at(t, key, **fields).pk])


def person_granted(key):
    return lambda t, who: Call([someone_at(t, key).pk], {"unit": key, "kind": "reporter"})


def person_role(key):
    """A second role of the person at the place, so that it is not their last one."""

    def build(t, who):
        someone = someone_at(t, key)
        extra = role_grant(user=someone, unit=t.units[key], kind="reporter")
        return Call([someone.pk, extra.pk])

    return build


def person_added(key):
    return lambda t, who: Call(
        [], {"username": "nguoi-moi", "full_name": "Người Mới", "email": "moi@example.org",
             "unit": key, "kind": "reporter", "department": ""}
    )  # fmt: skip


def import_people(t, who):
    data = (
        "Tên đăng nhập,Họ và tên,Thư điện tử,Mã đơn vị,Vai trò\n"
        "nguoi-moi,Người Mới,moi@example.org,A1-01,Lập báo cáo\n"
    )
    return Call([], {"file": SimpleUploadedFile("nguoi-dung.csv", data.encode())})


def set_password_link(t, who):
    """A link whose token is wrong: the page answers anyone, and sets nothing."""
    return Call(
        ["MQ", "sai-ma"], {"new_password1": "Mat-khau-2015", "new_password2": "Mat-khau-2015"}
    )


PEOPLE = {"O": "A1", "B": "A1-01", "S": "A2", "A": "A"}


def rule_numbers(t, key) -> list[Target]:
    """Two targets that give a number, linked by the outline of campaign `key` (made for
    the case: only province A's campaign has an outline, and it links one target)."""
    section = OutlineSection.objects.create(
        campaign=t.campaigns[key], order=9, number="IX.", heading="Quy tắc"
    )
    pair = [make_target(t.resolutions[key], code, "sum", 10) for code in ("QT1", "QT2")]
    section.targets.set(pair)
    return pair


def rule_add(key):
    def build(t, who):
        left, right = rule_numbers(t, key)
        return Call(
            [t.campaigns[key].pk],
            {"left": f"{left.pk}:value", "operator": "<=", "right": f"{right.pk}:value",
             "message": "Kiểm tra lại"},
        )  # fmt: skip

    return build


def rule_remove(key):
    def build(t, who):
        left, right = rule_numbers(t, key)
        rule = ValidationRule.objects.create(
            campaign=t.campaigns[key], left_target=left, operator="<=", right_target=right
        )
        return Call([t.campaigns[key].pk, rule.pk])

    return build


def chart(name):
    return lambda key: lambda t, who: Call([t.campaigns[key].pk, name])


def quoted(key):
    """A paragraph of a report sent up from below `key`, quoted into `key`'s own draft
    (the lessons page of province A's campaign, opened at `key`)."""
    below = {"A1": "A1-01", "A2": "A2-01", "A": "A1"}[key]

    def build(t, who):
        text = "Bài học kinh nghiệm: bám sát cơ sở."
        item = services.report_save(
            report=Report.objects.get(pk=t.reports[below].pk), by=t.people[SUPER],
            revision=Report.objects.get(pk=t.reports[below].pk).revision,
            sections={t.section.pk: text},
        )  # fmt: skip
        t.put_in_state(below, SUBMITTED)
        row = SectionText.objects.get(report=item, section=t.section)
        return Call(
            [t.campaigns["A"].pk],
            {"don-vi": t.units[key].pk, "loai": "doan-van", "dong": row.pk, "doan": 0,
             "dau": lessons_selectors.fingerprint(text)},
        )  # fmt: skip

    return build


# The committee's tasks (soket/campaigns/workplan.py).
def tasks_page(key):
    return lambda t, who: Call([t.campaigns[key].pk])


def committee_head(campaign):
    return SteeringMember.objects.create(
        campaign=campaign, order=1, position="Chủ tịch", committee_role="head"
    )


def tasks_save(key):
    def build(t, who):
        campaign = t.campaigns[key]
        head = committee_head(campaign)
        return Call([campaign.pk], {
            "revision": campaign.tasks_revision, "task-TOTAL_FORMS": "1",
            "task-INITIAL_FORMS": "0", "task-0-title": "Xây dựng đề cương",
            "task-0-owner": f"m{head.pk}", "task-0-status": "not_started",
            "task-0-due_on": "30/11/2015",
        })  # fmt: skip

    return build


def tasks_draw(key):
    def build(t, who):
        campaign = t.campaigns[key]
        committee_head(campaign)
        return Call([campaign.pk], {"revision": campaign.tasks_revision})

    return build


def task_status(key):
    """Province A's task in the charge of its Ban Tổ chức; the districts' of a member
    without an account."""

    def build(t, who):
        campaign = t.campaigns[key]
        owner = (
            {"department": t.departments["to-chuc"]}
            if key == "A"
            else {"member": committee_head(campaign)}
        )
        task = CommitteeTask.objects.create(campaign=campaign, order=1, title="Việc", **owner)
        return Call([campaign.pk, task.pk], {"status": "done"})

    return build


# The drafting of a report (soket/drafting): a round of comments on key's report, its
# reader the viewer of A1 for A1's report, else a person of the report's unit.
def drafting_reader(t, key):
    if key == "A1":
        return t.people[VIEWER]
    return someone_at(t, "A" if key in t.departments else key)


def comment_round_of(t, key):
    from soket.drafting import services as drafting

    return drafting.round_open(
        report=t.reports[key], by=t.senders[key], readers=[drafting_reader(t, key)],
        due_on=datetime.date(2099, 12, 31),
    )  # fmt: skip


def circulated(key):
    def build(t, who):
        reader = drafting_reader(t, key)
        return Call([t.reports[key].pk], {"readers": [reader.pk], "due_on": "31/12/2099"})

    return build


def comment_round_page(key):
    return lambda t, who: Call([comment_round_of(t, key).pk])


def commented(key):
    return lambda t, who: Call([comment_round_of(t, key).pk], {"section": "", "text": "Góp ý"})


def comment_answered(key):
    def build(t, who):
        from soket.drafting import services as drafting

        round_ = comment_round_of(t, key)
        reader = round_.readers.get().user
        comment = drafting.comment_add(round=round_, by=reader, section=None, text="Góp ý")
        return Call([comment.pk], {"answer": "taken"})

    return build


def presented(key):
    return lambda t, who: Call([t.reports[key].pk], {"conference_on": "01/12/2015"})


def adopted(key):
    def build(t, who):
        from soket.drafting import services as drafting

        drafting.presentation_record(
            report=t.reports[key], by=t.senders[key], conference_on=datetime.date(2015, 12, 1)
        )
        return Call([t.reports[key].pk], {"adopted_on": "02/12/2015"})

    return build


DRAFT, SUBMITTED, ACCEPTED = Report.State.DRAFT, Report.State.SUBMITTED, Report.State.ACCEPTED
REPORTS = {"O": "A1", "S": "A2", "A": "A", "D": "to-chuc", "E": "tuyen-giao"}
REVIEWED = {"B": "A1-01", "S": "A2-01", "O": "A1", "D": "to-chuc"}


# The surveys (soket/surveys): each federation of THREE runs a survey of its units below
# in province A's campaign, open, with one number and one choice question; province A
# also runs a worker survey of A1, A1-01 and A2 with two questionnaires each.


def survey(key, state="open"):
    """`key`'s unit survey, in `state` (a draft keeps its questions and respondents)."""

    def build(t, who):
        item = t.surveys[key]
        return Call([item.pk], {}, lambda: Survey.objects.filter(pk=item.pk).update(state=state))

    return build


def survey_posted(key, state="draft", **data):
    def build(t, who):
        item = t.surveys[key]
        return Call(
            [item.pk], {"revision": item.revision, **data},
            lambda: Survey.objects.filter(pk=item.pk).update(state=state),
        )  # fmt: skip

    return build


def survey_edited(key):
    return survey_posted(key, title="Khảo sát mới", respondents="units")


def survey_question_added(key):
    return survey_posted(key, label="Câu hỏi mới", kind="text", code="moi")


def survey_drawn(key):
    """Every unit below of every kind asked, drawn again on the draft."""

    def build(t, who):
        call = survey_posted(key, selection="all")(t, who)
        asked = SURVEYED_BELOW[key]
        call.data["kinds"] = sorted({t.units[code].kind_id for code in asked})
        to_draft = call.prepare
        assert to_draft is not None

        def prepare():
            to_draft()  # and no answer yet: a survey answered is not drawn again
            Response.objects.filter(respondent__survey=t.surveys[key]).delete()

        call.prepare = prepare
        return call

    return build


def survey_section(key, state="draft", **data):
    def build(t, who):
        item = t.surveys[key]
        return Call(
            [t.survey_sections[key].pk], {"revision": item.revision, **data},
            lambda: Survey.objects.filter(pk=item.pk).update(state=state),
        )  # fmt: skip

    return build


def survey_question(key, state="draft", **data):
    def build(t, who):
        item = t.surveys[key]
        return Call(
            [t.survey_questions[key].pk], {"revision": item.revision, **data},
            lambda: Survey.objects.filter(pk=item.pk).update(state=state),
        )  # fmt: skip

    return build


def new_survey(key):
    """A survey of the campaign of `key`, run by its unit or, in province A's campaign,
    by district A1 (a unit taking part in it)."""
    owner = {"A1": "A1", "A2": "A2", "A": "A1"}[key]
    return lambda t, who: Call(
        [t.campaigns[key].pk],
        {"owner": t.units[owner].pk, "title": "Khảo sát", "respondents": "units"},
    )


SURVEYED_BELOW = {"A1": ["A1-01"], "A2": ["A2-01"], "A": ["A1", "A2"]}


def survey_answered(survey_key, unit_key, **data):
    """`unit_key`'s answer to `survey_key`'s unit survey (which it has answered before)."""

    def build(t, who):
        made = t.surveys[survey_key]
        response = Response.objects.get(respondent__survey=made, respondent__unit=t.units[unit_key])
        return Call([made.pk, t.units[unit_key].pk], {"revision": response.revision, **data})

    return build


SURVEY_ANSWERS = {"O": ("A", "A1"), "S": ("A", "A2"), "B": ("A1", "A1-01")}


def survey_answer(**data):
    return {
        letter: survey_answered(survey_key, unit_key, **data)
        for letter, (survey_key, unit_key) in SURVEY_ANSWERS.items()
    }


def survey_form_upload(letter):
    survey_key, unit_key = SURVEY_ANSWERS[letter]

    def build(t, who):
        respondent = Respondent.objects.get(survey=t.surveys[survey_key], unit=t.units[unit_key])
        book = openpyxl.load_workbook(io.BytesIO(survey_spreadsheet.form_xlsx(respondent)))
        sheet = book[survey_spreadsheet.FORM]
        for row in sheet.iter_rows(min_row=2):
            if row[0].value == "so":
                row[3].value = "7"
        buffer = io.BytesIO()
        book.save(buffer)
        upload = SimpleUploadedFile("phieu.xlsx", buffer.getvalue())
        return Call([t.surveys[survey_key].pk, t.units[unit_key].pk], {"file": upload})

    return build


def anonymous_questionnaire(t, who):
    return Call(["bi-mat-A1-01-1"], {"q-so": "6"})


WORKER_UNITS = {"O": "A1", "B": "A1-01", "S": "A2"}


def worker_paper(letter):
    """Questionnaire no. 1 of a unit asked by province A's worker survey, typed in."""
    return lambda t, who: Call(
        [t.worker_survey.pk, t.units[WORKER_UNITS[letter]].pk], {"number": "1", "q-so": "5"}
    )


def worker_upload(letter):
    """The unit's worker form with questionnaire no. 1 filled in."""

    def build(t, who):
        respondent = Respondent.objects.get(
            survey=t.worker_survey, unit=t.units[WORKER_UNITS[letter]]
        )
        book = openpyxl.load_workbook(io.BytesIO(survey_spreadsheet.form_xlsx(respondent)))
        book[survey_spreadsheet.FORM]["B2"] = "5"
        buffer = io.BytesIO()
        book.save(buffer)
        upload = SimpleUploadedFile("phieu.xlsx", buffer.getvalue())
        return Call([t.worker_survey.pk, respondent.unit_id], {"file": upload})

    return build


def survey_workers(t, who):
    return Call([t.worker_survey.pk])


def survey_chart(key):
    return lambda t, who: Call([t.surveys[key].pk, "co", "svg"])


def survey_quote(key):
    return lambda t, who: Call([t.surveys[key].pk], {"cau-hoi": "so", "muc": t.section.pk})


def survey_tokens_of(unit_key):
    return lambda t, who: Call([t.worker_survey.pk, t.units[unit_key].pk])


def each(letters: dict[str, str], build) -> dict[str, Callable]:
    return {letter: build(key) for letter, key in letters.items()}


# fmt: off
THREE = {"O": "A1", "S": "A2", "A": "A"}
MATRIX = [
    row("home", "GET", {"O": nothing}, logged_in="O"),
    row("login", "GET", {"O": nothing}, anyone="O"),
    row("logout", "POST", {"O": nothing}, changes=False, ends_at_log_in=True, anyone="O"),
    row("set_language", "POST", {"O": nothing}, changes=False, anyone="O"),
    row("unit_index", "GET", {"O": nothing}, logged_in="O"),
    row("unit_detail", "GET", each(THREE, unit), a1="O", dept="OSA"),
    row("unit_children", "GET", each(THREE, unit), a1="O", dept="OSA"),
    row("unit_import", "GET", {"O": nothing}, admin="O"),
    row("unit_import", "POST", {"O": import_units}, admin="O"),
    row("unit_import_template", "GET", {"O": template_format}, admin="O"),
    row("resolution_list", "GET", {"O": nothing}, logged_in="O"),
    row("resolution_detail", "GET", each(THREE, resolution), a1="OA", dept="OSA"),
    row("target_import", "GET", each(THREE, resolution), admin="O"),
    row("target_import", "POST", each(THREE, import_targets), admin="O"),
    row("target_import_template", "GET", each(THREE, resolution_format), admin="O"),
    row("campaign_list", "GET", {"O": nothing}, logged_in="O"),
    row("campaign_detail", "GET", each(THREE, campaign), a1="OA", dept="OSA"),
    row("campaign_unit_children", "GET", each(THREE, campaign_unit), a1="O", dept="OSA"),
    # A plan is written, issued and amended by its own unit's administrators; the system
    # operator, who holds no role, starts none here (the back office is theirs).
    row("campaign_new", "GET", {"O": nothing}, admin="O", superuser=""),
    row("campaign_new", "POST", {"O": new_campaign}, admin="O", superuser=""),
    row("campaign_edit", "GET", each(THREE, campaign_part), admin="O"),
    row("campaign_edit", "POST", each(THREE, amend_recipients), admin="O"),
    row("campaign_issue", "GET", each(THREE, draft), admin="O"),
    row("campaign_issue", "POST", each(THREE, issue), admin="O"),
    row("campaign_participants_count", "GET", each(THREE, count_units), admin="O"),
    # A federation deploys the plan from above for itself (A1's administrator for A1),
    # never for a federation beside it.
    row("campaign_deploy", "POST",
        {"O": deploy_own, "A": deploy("A1"), "S": deploy("A2")}, admin="A", superuser="AS"),
    # A draft deployment: only A1's administrators see it, never the units it will address.
    row("campaign_detail", "GET", {"O": deployment("draft")}, admin="O"),
    # Nobody reads reports or rules on a deployment: they stay on the plan.
    row("campaign_reports", "GET", {"O": deployment("issued")}, superuser=""),
    row("validation_rules", "GET", {"O": deployment("issued")}, superuser=""),
    row("campaign_reports", "GET", each(THREE, campaign), a1="OA", dept="OSA"),
    row("validation_rules", "GET", each(THREE, campaign), a1="OA", dept="OSA"),
    # Written by the campaign's own administrators: A1's campaign for A1's (O), never
    # province A's (A: 403) nor A2's they do not see (S: 404).
    row("validation_rule_add", "POST", each(THREE, rule_add), admin="O"),
    row("validation_rule_remove", "POST", each(THREE, rule_remove), admin="O"),
    row("report_start", "POST", {**each(THREE, start), "D": start("A", "to-chuc")},
        writers="O", dept="D"),
    # A list addressed to a level: for the people who hold its roles.
    row("reports_accept", "POST", each(REVIEWED, accept_many), heads="B", superuser=""),
    row("remind_missing", "POST", each(THREE, campaign_unit), heads="O"),
    # One unit is reminded by whoever reviews it: the level above.
    row("remind_unit", "POST", each({"B": "A1-01", "O": "A1", "S": "A2-01", "A": "A"},
                                    campaign_unit), heads="B"),
    row("completeness_branch", "GET", each(THREE, campaign_unit), heads="O"),
    # The target analysis: read by whoever sees the plan, at the units of their scope
    # (A1's people open it at A1; the unit named in the query string, every person at
    # every unit: soket/analysis/tests/test_scope_matrix.py); a draft or a deployment
    # has none. One target's units below exist only where the outline links it (A's).
    # The dashboard: read as the target analysis is, at the units of one's scope; a draft or a
    # deployment has none. Its charts are scoped as the page; where no unit of the person's
    # takes part (O, S) the page says so and there is no chart to draw (404).
    row("dashboard", "GET", each(THREE, campaign), a1="OA", dept="OSA"),
    row("dashboard", "GET", each(THREE, draft), superuser=""),
    row("dashboard", "GET", {"O": deployment("issued")}, superuser=""),
    row("dashboard_chart_svg", "GET", each(THREE, chart("tien-do")),
        a1="A", dept="A", superuser="A"),
    row("dashboard_chart_svg", "GET", each(THREE, chart("danh-gia")),
        a1="A", dept="A", superuser="A"),
    row("dashboard_chart_png", "GET", each(THREE, chart("danh-gia")),
        a1="A", dept="A", superuser="A"),
    # The charts a federation's report prints: chosen by its writers; a department's report
    # has none (404 for everyone).
    row("report_charts", "GET", each(REPORTS, report), writers="O", superuser="OSA"),
    row("report_charts", "POST", each(REPORTS, lambda key: report(key, **{"bieu-do": "progress"})),
        writers="O", superuser="OSA"),
    row("lessons", "GET", each(THREE, campaign), a1="OA", dept="OSA"),
    row("lessons", "GET", each(THREE, draft), superuser=""),
    row("lessons", "GET", {"O": deployment("issued")}, superuser=""),
    # A passage is quoted into the quoter's own unit's draft: its writers only (the
    # department's people write their thematic report, not the committee's draft).
    row("lesson_quote", "POST", each(THREE, quoted), writers="O"),
    row("target_analysis", "GET", each(THREE, campaign), a1="OA", dept="OSA"),
    row("target_analysis", "GET", each(THREE, draft), superuser=""),
    row("target_analysis", "GET", {"O": deployment("issued")}, superuser=""),
    row("target_analysis_units", "GET",
        each(THREE, lambda key: lambda t, who: Call([t.campaigns[key].pk, t.target.pk])),
        a1="A", dept="A", superuser="A"),
    row("report_detail", "GET", each(REPORTS, report), a1="O", dept="OSADE"),
    row("report_save", "POST", each(REPORTS, saved), writers="O", dept="D"),
    row("report_reference", "POST", each(REPORTS, reference), writers="O", dept="D"),
    row("report_draft", "POST", each(THREE, drafted), writers="O"),
    row("report_draft_choice", "POST", each(THREE, draft_choice("take")), writers="O"),
    row("report_draft_choice", "POST", each(THREE, draft_choice("keep")), writers="O"),
    row("report_move", "POST", each(REPORTS, lambda key: move(key, "gui", DRAFT)),
        heads="O", dept_a="D"),
    row("report_move", "POST", each(REPORTS, lambda key: move(key, "rut", SUBMITTED)),
        heads="O", dept_a="D"),
    row("report_move", "POST", each(REVIEWED, lambda key: move(key, "chap-nhan", SUBMITTED)),
        heads="B"),
    row("report_move", "POST", each(REVIEWED, lambda key: move(key, "tra-lai", SUBMITTED)),
        heads="B"),
    row("report_move", "POST", each(REVIEWED, lambda key: move(key, "mo-lai", ACCEPTED)),
        heads="B"),
    # The committee's tasks: written by the campaign's own administrators (an issued plan's
    # too, without amendment); a task's status by those in charge of it and the administrators.
    row("campaign_tasks", "GET", each(THREE, tasks_page), admin="O"),
    row("campaign_tasks", "POST", each(THREE, tasks_save), admin="O"),
    row("campaign_tasks_draw", "POST", each(THREE, tasks_draw), admin="O"),
    row("campaign_task_status", "POST", each(THREE, task_status), admin="O", dept="A"),
    # The drafting of a report: seen by whoever sees the report; written by its writers;
    # a round read by its readers and the report's writers, commented on by its readers
    # only (A1's is read by A1's viewer; every other round by someone of its unit).
    row("drafting_detail", "GET", each(REPORTS, report), a1="O", dept="OSADE"),
    row("draft_compare", "GET", each(REPORTS, report), a1="O", dept="OSADE"),
    row("draft_version_keep", "POST", each(REPORTS, report), writers="O", dept="D"),
    row("comment_round_open", "POST", each(REPORTS, circulated), writers="O", dept="D"),
    row("comment_round", "GET", each(REPORTS, comment_round_page), a1="O", dept="D"),
    row("comment_add", "POST", each(REPORTS, commented), viewer="O", superuser=""),
    row("comment_answer", "POST", each(REPORTS, comment_answered), writers="O", dept="D"),
    row("draft_presented", "POST", each(REPORTS, presented), writers="O", dept="D"),
    row("draft_adopted", "POST", each(REPORTS, adopted), writers="O", dept="D"),
    # Surveys: listed with their campaign; written, drawn, opened and closed by the
    # administrators of the unit that runs one (O); an open one is seen along the line
    # (A1's people see A1's and province A's); a draft only by its administrators.
    row("survey_list", "GET", each(THREE, campaign), a1="OA", dept="OSA"),
    row("survey_create", "POST", each(THREE, new_survey), admin="OA"),
    row("survey_detail", "GET", each(THREE, survey), a1="OA", dept="OSA"),
    row("survey_detail", "GET", each(THREE, lambda key: survey(key, "draft")), admin="O"),
    row("survey_edit", "GET", each(THREE, lambda key: survey(key, "draft")), admin="O"),
    row("survey_edit", "POST", each(THREE, survey_edited), admin="O"),
    row("survey_section_add", "POST",
        each(THREE, lambda key: survey_posted(key, heading="Phần mới")), admin="O"),
    row("survey_section_edit", "GET", each(THREE, survey_section), admin="O"),
    row("survey_section_edit", "POST",
        each(THREE, lambda key: survey_section(key, heading="Phần đổi tên")), admin="O"),
    row("survey_question_add", "GET", each(THREE, lambda key: survey(key, "draft")), admin="O"),
    row("survey_question_add", "POST", each(THREE, survey_question_added), admin="O"),
    row("survey_question_edit", "GET", each(THREE, survey_question), admin="O"),
    row("survey_question_edit", "POST",
        each(THREE, lambda key: survey_question(key, label="Số đoàn viên mới", kind="number",
                                                 code="so")), admin="O"),
    row("survey_question_delete", "POST", each(THREE, survey_question), admin="O"),
    row("survey_open", "POST", each(THREE, lambda key: survey_posted(key)), admin="O"),
    row("survey_close", "POST", each(THREE, lambda key: survey_posted(key, "open")),
        admin="O"),
    # Who answers: read at the surveying unit and above; drawn by its administrators.
    row("survey_respondents", "GET", each(THREE, survey), a1="O", dept="OSA"),
    row("survey_draw", "POST", each(THREE, survey_drawn), admin="O"),
    row("survey_progress", "GET", each(THREE, survey), a1="OA", dept="OSA"),
    # A unit's worker questionnaires (secret links): its own writers, and the
    # administrators of the unit that runs the survey.
    row("survey_tokens", "GET", each({"O": "A1", "B": "A1-01", "S": "A2"}, survey_tokens_of),
        writers="O"),
    # Results: read at the surveying unit and above, and by a unit asked, of itself (A1's
    # people at province A's); quoted into one's own draft by its writers.
    row("survey_results", "GET", each(THREE, survey), a1="OA", dept="OSA"),
    row("survey_results_xlsx", "GET", each(THREE, survey), a1="OA", dept="OSA"),
    row("survey_result_chart", "GET", each(THREE, survey_chart), a1="OA", dept="OSA"),
    row("survey_result_quote", "POST", each(THREE, survey_quote), writers="OA"),
    # Province A's worker survey: A1's people, a unit asked, wait for its closing (200).
    row("survey_results", "GET", {"A": survey_workers}, a1="A", dept="A"),
    row("survey_results_xlsx", "GET", {"A": survey_workers}, a1="A", dept="A"),
    # A unit's own answer, on the web, from paper or a spreadsheet: its own writers.
    row("survey_answer", "GET", survey_answer(), writers="O"),
    row("survey_answer", "POST", survey_answer(**{"q-so": "7", "q-co": "co"}), writers="O"),
    row("survey_paper", "GET", survey_answer(), writers="O"),
    row("survey_paper", "POST", survey_answer(**{"q-so": "7", "q-co": "co"}), writers="O"),
    row("survey_answer_xlsx", "GET", survey_answer(), writers="O"),
    row("survey_answer_upload", "POST",
        {letter: survey_form_upload(letter) for letter in SURVEY_ANSWERS}, writers="O"),
    # A worker survey's paper questionnaires, typed in one by one or from a form: the
    # unit's own writers.
    row("survey_paper", "POST", {k: worker_paper(k) for k in WORKER_UNITS}, writers="O"),
    row("survey_answer_upload", "POST", {k: worker_upload(k) for k in WORKER_UNITS},
        writers="O"),
    # A worker's questionnaire: whoever holds its secret link, with or without an account.
    row("survey_anonymous", "GET", {"O": anonymous_questionnaire}, anyone="O"),
    row("survey_anonymous", "POST", {"O": anonymous_questionnaire}, anyone="O"),
    row("survey_anonymous_done", "GET", {"O": nothing}, anyone="O"),
    row("attachment_add", "POST", each(REPORTS, attach), writers="O", dept="D"),
    row("attachment_download", "GET", each(REPORTS, attachment), a1="O", dept="OSADE"),
    row("attachment_remove", "POST", each(REPORTS, attachment), writers="O", dept="D"),
    row("campaign_document", "GET", each(THREE, campaign_kind), a1="OA", dept="OSA"),
    # A1's report consolidates A1-01's, so it is made in the background: never here.
    row("report_document", "GET",
        each({"B": "A1-01", "S": "A2-01", "D": "to-chuc", "O": "A1"}, report),
        a1="B", dept="BSD", superuser="BSD"),
    row("document_request", "POST", each(THREE, ask_document), a1="O", dept="OSA"),
    row("document_job", "GET", {"M": job(True), "X": job(False)}, roles="M", superuser="M"),
    row("document_job_status", "GET", {"M": job(True), "X": job(False)},
        roles="M", superuser="M"),
    row("document_job_inline", "GET", {"M": job(True), "X": job(False)},
        roles="M", superuser="M"),
    row("document_job_file", "GET", {"M": job(True), "X": job(False)},
        roles="M", superuser="M"),
    row("report_form_download", "GET", each(REPORTS, report), writers="O", dept="D"),
    row("report_form_upload", "POST", each(REPORTS, form_upload), writers="O", dept="D"),
    row("template_list", "GET", {"O": nothing}, logged_in="O"),
    row("template_builtin", "GET", {"O": nothing}, logged_in="O"),
    row("template_upload", "POST", each(THREE, template_for), admin="O"),
    row("template_remove", "POST", each(THREE, template), admin="O"),
    row("notice_list", "GET", {"O": notice}, logged_in="O"),
    row("notices_read", "POST", {"O": notice}, logged_in="O"),
    # People: a campaign administrator manages those whose roles lie in their subtree.
    row("people_list", "GET", {"O": nothing}, admin="O"),
    row("person_add", "GET", {"O": nothing}, admin="O"),
    # A unit above or beside is refused on the form itself (400, nothing written):
    # soket/people/tests/test_rules.py and test_views.py.
    row("person_add", "POST", {"O": person_added("A1"), "B": person_added("A1-01")}, admin="OB"),
    row("person_detail", "GET", each(PEOPLE, person), admin="OB"),
    row("role_grant", "POST", each(PEOPLE, person_granted), admin="OB"),
    row("role_take", "POST", each(PEOPLE, person_role), admin="OB"),
    row("person_deactivate", "POST", each(PEOPLE, person), admin="OB"),
    row("person_reactivate", "POST",
        each(PEOPLE, lambda key: person(key, is_active=False)), admin="OB"),
    row("person_send_link", "POST",
        each(PEOPLE, lambda key: person(key, email="nguoi@example.org")), admin="OB"),
    row("people_import", "GET", {"O": nothing}, admin="O"),
    row("people_import", "POST", {"O": import_people}, admin="O"),
    row("people_import_template", "GET", {"O": template_format}, admin="O"),
    row("people_set_password", "GET", {"O": set_password_link}, anyone="O"),
    row("people_set_password", "POST", {"O": set_password_link}, changes=False, anyone="O"),
]
# fmt: on


def app_url_names() -> set[str]:
    """Every named URL pattern of Soket's own (the back office is checked apart)."""
    names = set()

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace != "admin":
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names


def fingerprint() -> tuple:
    """What a POST could have changed, in a few queries."""
    counts = tuple(
        model.objects.count()
        for model in (
            Report, SectionText, Figure, Attachment, Transition, Notice, Entry, Unit, Target,
            Role, DocumentTemplate, DocumentJob, Campaign, Amendment, Recipient, ValidationRule,
            Section, Question, Choice, Respondent, Stratum, Response, Answer,
        )
    )  # fmt: skip
    surveys = (
        tuple(Survey.objects.order_by("pk").values_list("pk", "state", "revision")),
        tuple(Response.objects.order_by("pk").values_list("pk", "revision", "channel")),
    )
    spent = Token.objects.filter(is_spent=True).count()
    campaigns = tuple(Campaign.objects.order_by("pk").values_list("pk", "state", "revision"))
    reports = tuple(
        Report.objects.order_by("pk").values_list("pk", "state", "revision", "document_number")
    )
    unread = Notice.objects.filter(read_at__isnull=True).count()
    texts = SectionText.objects.aggregate(last=Max("pk"), n=Count("pk", filter=~Q(text="")))
    return counts, reports, campaigns, surveys, spent, unread, tuple(texts.values())


class World:
    """The tree, the campaign and the objects every row reaches for."""

    @classmethod
    def build(cls, t) -> None:
        kinds = make_kinds()
        top = make_unit("TLD", kinds["confederation"])
        province = make_unit("A", kinds["province"], top)
        t.units = {"TLD": top, "A": province}
        for code, parent in (("A1", "A"), ("A2", "A"), ("B", "TLD")):
            kind = kinds["province" if code == "B" else "district"]
            t.units[code] = make_unit(code, kind, t.units[parent])
        for code, parent in (("A1-01", "A1"), ("A2-01", "A2")):
            t.units[code] = make_unit(code, kinds["grassroots"], t.units[parent])
        t.departments = {
            code: Department.objects.create(unit=province, code=code, name=name)
            for code, name in (("to-chuc", "Ban Tổ chức"), ("tuyen-giao", "Ban Tuyên giáo"))
        }
        t.people = {identity: make_user(identity.replace(" ", "-")) for identity in IDENTITIES[1:]}
        for identity, kind in A1_ROLES.items():
            role_grant(user=t.people[identity], unit=t.units["A1"], kind=kind)
        for identity, kind in ((DEPT_W, "reporter"), (DEPT_A, "approver")):
            role_grant(
                user=t.people[identity],
                unit=province,
                kind=kind,
                department=t.departments["to-chuc"],
            )
        t.people[SUPER].is_superuser = t.people[SUPER].is_staff = True
        t.people[SUPER].save()
        t.people[ANON] = None
        # People below, for reminders to reach and reviews to come from.
        heads = {
            code: make_user(f"approver-{code}", t.units[code], "approver")
            for code in ("A1-01", "A2-01", "A2", "A", "TLD")
        }
        t.someone_else = make_user("someone-else", province, "viewer")
        other_head = make_user("head-tuyen-giao")
        other_head.roles.create(
            unit=province, kind="approver", department=t.departments["tuyen-giao"]
        )
        # Who sends each report, and who then accepts it, when a case needs it sent.
        t.senders = {
            "A1": t.people[APPROVER], "A1-01": heads["A1-01"], "A2": heads["A2"],
            "A2-01": heads["A2-01"], "A": heads["A"], "to-chuc": t.people[DEPT_A],
            "tuyen-giao": other_head,
        }  # fmt: skip
        t.acceptors = {
            "A1": heads["A"], "A1-01": t.people[APPROVER], "A2": heads["A"],
            "A2-01": heads["A2"], "A": heads["TLD"], "to-chuc": heads["A"],
            "tuyen-giao": heads["A"],
        }  # fmt: skip

        t.resolutions = {code: make_resolution(f"nq-{code}", t.units[code]) for code in REPORTED}
        t.target = make_target(t.resolutions["A"], "CT01", "sum", 100)
        t.campaigns = {}
        for code in REPORTED:
            t.campaigns[code] = Campaign.objects.create(state="issued",
                code=f"so-ket-{code}", owner=t.units[code], kind="interim", title=f"Sơ kết {code}",
                reviewed_from="2013-01-01", reviewed_to="2015-12-31",
            )  # fmt: skip
        main = t.campaigns["A"]
        main.resolutions.add(t.resolutions["A"])
        t.section = OutlineSection.objects.create(campaign=main, order=1, number="I.", heading="KQ")
        t.section.targets.add(t.target)
        Participation.objects.create(campaign=main, root=province).kinds.set(kinds.values())

        t.reports = {}
        for code in ("A1", "A1-01", "A2", "A2-01", "A"):
            t.reports[code] = services.report_for(campaign=main, unit=t.units[code])
        for code, department in t.departments.items():
            t.reports[code] = services.report_for(
                campaign=main, unit=province, department=department
            )
        t.attachments = {}
        for key, item in t.reports.items():
            stored = Attachment(
                report=item, name="tep.pdf", content_type="application/pdf", size=len(PDF),
                uploaded_by=t.people[SUPER], uploaded_at=clock.now(),
            )  # fmt: skip
            stored.file.save("upload", ContentFile(PDF), save=False)
            stored.save()
            t.attachments[key] = stored
        t.surveys, t.survey_sections, t.survey_questions = {}, {}, {}
        below = SURVEYED_BELOW
        for code in REPORTED:
            made = Survey.objects.create(
                campaign=main, owner=t.units[code], title=f"Khảo sát {code}", state="open",
                respondents="units", created_by=t.people[SUPER], created_at=clock.now(),
            )  # fmt: skip
            t.survey_sections[code] = Section.objects.create(survey=made, order=1, heading="Chung")
            t.survey_questions[code] = Question.objects.create(
                survey=made, section=t.survey_sections[code], order=1, code="so",
                kind="number", label="Số đoàn viên",
            )  # fmt: skip
            choice = Question.objects.create(
                survey=made, order=2, code="co", kind="single", label="Có thỏa ước?"
            )
            yes = Choice.objects.create(question=choice, order=1, code="co", label="Có")
            Choice.objects.create(question=choice, order=2, code="khong", label="Không")
            for unit_code in below[code]:
                asked = Respondent.objects.create(survey=made, unit=t.units[unit_code])
                response = Response.objects.create(
                    respondent=asked, channel="web", answered_on=clock.today(),
                    entered_by=t.people[SUPER],
                )  # fmt: skip
                Answer.objects.create(
                    response=response, question=t.survey_questions[code], number=5
                )
                Answer.objects.create(response=response, question=choice).chosen.add(yes)
            t.surveys[code] = made
        t.worker_survey = Survey.objects.create(
            campaign=main, owner=province, title="Khảo sát người lao động", state="open",
            respondents="people", questionnaires_per_unit=2, created_by=t.people[SUPER],
            created_at=clock.now(),
        )  # fmt: skip
        Question.objects.create(
            survey=t.worker_survey, order=1, code="so", kind="number", label="Thu nhập"
        )
        for unit_code in ("A1", "A1-01", "A2"):
            asked = Respondent.objects.create(survey=t.worker_survey, unit=t.units[unit_code])
            for number in (1, 2):
                Token.objects.create(
                    respondent=asked, number=number, secret=f"bi-mat-{unit_code}-{number}"
                )

        t.templates = {}
        for code in REPORTED:
            template = DocumentTemplate(
                unit=t.units[code], kind="plan", name="mau.docx", uploaded_by=t.people[SUPER],
                uploaded_at=clock.now(),
            )  # fmt: skip
            template.file.save("mau.docx", ContentFile(_plain_docx()), save=False)
            template.save()
            t.templates[code] = template


REPORTED = ("A1", "A2", "A")


def _plain_docx() -> bytes:
    buffer = io.BytesIO()
    docx.Document(str(BUILTIN)).save(buffer)
    return buffer.getvalue()


MEDIA = tempfile.mkdtemp(prefix="soket-matrix-")


@override_settings(MEDIA_ROOT=MEDIA)
class AuthorizationMatrixTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        World.build(cls)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def put_in_state(self, key: str, state: str) -> None:
        """Move a report (through the real services) to where a case needs it."""
        item = Report.objects.get(pk=self.reports[key].pk)
        if state in (Report.State.SUBMITTED, Report.State.ACCEPTED):
            item = services.report_submit(
                report=item, by=self.senders[key], warnings_confirmed=True
            )
        if state == Report.State.ACCEPTED:
            services.report_accept(report=item, by=self.acceptors[key])

    def test_every_url_pattern_is_in_the_matrix(self):
        self.assertEqual(app_url_names() - {r.name for r in MATRIX}, set())

    def test_every_identity_at_every_place(self):
        for entry in MATRIX:
            for identity in IDENTITIES:
                for letter, build in entry.places.items():
                    allowed = letter in entry.allowed[identity]
                    with self.subTest(url=entry.name, method=entry.method, who=identity,
                                      place=letter, allowed=allowed):  # fmt: skip
                        self.check(entry, identity, letter, build, allowed)

    def check(self, entry: Row, identity: str, letter: str, build, allowed: bool) -> None:
        point = transaction.savepoint()
        try:
            call = build(self, identity)
            if call.prepare:
                call.prepare()
            self.client.logout()
            if identity != ANON:
                self.client.force_login(self.people[identity])
            url = reverse(entry.name, args=call.args)
            before = fingerprint()
            if entry.method == "GET":
                response = self.client.get(url)
            else:
                response = self.client.post(url, call.data)
            after = fingerprint()
            self.assertNotEqual(response.status_code, 405)
            to_login = response.status_code == 302 and "/dang-nhap/" in response["Location"]
            if entry.ends_at_log_in:
                to_login = False
            if allowed:
                self.assertFalse(to_login, "sent to log in")
                if entry.method == "GET":
                    self.assertEqual(response.status_code, 200)
                else:
                    self.assertIn(response.status_code, (200, 302))
                    if entry.changes:
                        self.assertNotEqual(before, after, "an allowed POST changed nothing")
            else:
                if identity == ANON:
                    self.assertTrue(to_login, f"anonymous got {response.status_code}")
                elif entry.method == "GET":
                    self.assertIn(response.status_code, (403, 404))
                else:
                    self.assertIn(response.status_code, (302, 403, 404))
                    self.assertFalse(to_login)
                if entry.method == "POST":
                    self.assertEqual(before, after, "a denied POST changed the database")
        finally:
            transaction.savepoint_rollback(point)


class BackOfficeMatrixTestCase(TestCase):
    """Every back-office pattern: the system administrator only."""

    @classmethod
    def setUpTestData(cls):
        World.build(cls)

    def urls(self) -> list[tuple[str, str]]:
        unit_type = ContentType.objects.get_for_model(Unit)
        found = []
        for pattern in get_resolver().url_patterns:
            if not (isinstance(pattern, URLResolver) and pattern.namespace == "admin"):
                continue
            for name, args in self._admin_names(pattern, unit_type):
                found.append((name, reverse(f"admin:{name}", args=args)))
        return found

    def _admin_names(self, resolver, unit_type):
        models = {
            f"{model._meta.app_label}_{model._meta.model_name}": model
            for model in admin.site._registry
        }
        for pattern in self._leaves(resolver.url_patterns):
            name = pattern.name
            if name is None:
                continue
            model = next((m for key, m in models.items() if name.startswith(key + "_")), None)
            if name == "app_list":
                yield name, ["orgs"]
            elif name == "view_on_site":
                yield name, [unit_type.pk, self.units["A1"].pk]
            elif pattern.pattern.converters:
                # Django's UserAdmin names its password page after auth.User.
                instance = (model or User)._default_manager.order_by("pk").first()
                yield name, [instance.pk if instance else 1]
            else:
                yield name, []

    def _leaves(self, patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from self._leaves(pattern.url_patterns)
            else:
                yield pattern

    def test_only_the_system_administrator_enters_the_back_office(self):
        urls = self.urls()
        self.assertGreater(len(urls), 60)
        for identity in IDENTITIES:
            self.client.logout()
            if identity != ANON:
                self.client.force_login(self.people[identity])
            for name, url in urls:
                if name in ("login", "logout"):
                    continue
                with self.subTest(url=name, who=identity):
                    response = self.client.get(url)
                    if identity == SUPER:
                        # In, whatever the page then says (some models are read-only:
                        # adding one is 403 for everybody).
                        self.assertLess(response.status_code, 500)
                        self.assertNotIn("/login/", response.get("Location", ""))
                    else:
                        self.assertEqual(response.status_code, 302)
                        self.assertIn("/quan-tri/login/", response["Location"])

    def test_a_denied_delete_in_the_back_office_deletes_nothing(self):
        for identity in (ANON, NONE, ADMIN, DEPT_A):
            self.client.logout()
            if identity != ANON:
                self.client.force_login(self.people[identity])
            before = fingerprint()
            url = reverse("admin:orgs_unit_delete", args=[self.units["A2-01"].pk])
            response = self.client.post(url, {"post": "yes"})
            self.assertEqual(response.status_code, 302)
            self.assertEqual(before, fingerprint())

    def test_the_log_in_pages_answer_everyone(self):
        self.assertEqual(self.client.get(reverse("admin:login")).status_code, 200)
        self.assertIn(self.client.post(reverse("admin:logout")).status_code, (200, 302))
