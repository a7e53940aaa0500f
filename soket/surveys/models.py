"""Surveys within a campaign: of unions about their activity, or of workers, who answer
anonymously about their own situation.

A survey is defined (sections, questions, choices, a simple skip rule), then the units
that answer are chosen — every participating unit of chosen kinds, or a random sample
stratified by the branch directly below the surveying unit and by unit kind, whose seed
is recorded so that the same draw can be made again. Each chosen unit is a Respondent.
A unit answers once (Response, on the web, typed from paper or from a spreadsheet); for a
worker survey each sampled unit hands out questionnaires, each with a token good for one
anonymous answer. An anonymous Response names its unit and day only: the token it used
is marked spent and not linked to it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from soket.campaigns.models import Campaign
from soket.orgs.models import Unit, UnitKind


class Survey(models.Model):
    class Respondents(models.TextChoices):
        UNITS = "units", _("Unions, about their activity")
        PEOPLE = "people", _("Workers, anonymously")

    class State(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        OPEN = "open", _("Open for answers")
        CLOSED = "closed", _("Closed")

    class Selection(models.TextChoices):
        ALL = "all", _("Every participating unit of the chosen kinds")
        SAMPLE = "sample", _("A random sample, stratified by branch and unit kind")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="surveys")
    # The unit that runs the survey: its units below are the ones asked.
    owner = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="surveys")
    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("title in English"), max_length=300, blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    introduction_en = models.TextField(_("introduction in English"), blank=True)
    respondents = models.CharField(_("who answers"), max_length=20, choices=Respondents.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    due_on = models.DateField(_("answers due by"), null=True, blank=True)
    # Bumped by every change of its definition or of its respondents: a form opened
    # before a change is refused with a message rather than saved over it.
    revision = models.PositiveIntegerField(default=0)

    # Who answers (see sampling). Set by the draw; its seed makes it repeatable.
    selection = models.CharField(
        _("respondents"), max_length=20, choices=Selection.choices, default=Selection.ALL
    )
    kinds = models.ManyToManyField(
        UnitKind, blank=True, related_name="+", verbose_name=_("kinds of unit asked")
    )
    sample_size = models.PositiveIntegerField(_("sample size (units)"), null=True, blank=True)
    seed = models.BigIntegerField(_("seed of the draw"), null=True, blank=True)
    population = models.PositiveIntegerField(_("units drawn from"), null=True, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # For a worker survey: the questionnaires each chosen unit hands out.
    questionnaires_per_unit = models.PositiveIntegerField(
        _("questionnaires per unit"), null=True, blank=True
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    is_illustrative = models.BooleanField(_("illustrative sample data"), default=False)

    class Meta:
        ordering = ["campaign", "pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(sample_size__isnull=True) | Q(sample_size__gt=0),
                name="surveys_sample_size_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField(_("order"))
    heading = models.CharField(_("heading"), max_length=300)
    heading_en = models.CharField(_("heading in English"), max_length=300, blank=True)

    class Meta:
        ordering = ["survey", "order", "pk"]
        verbose_name = _("survey section")
        verbose_name_plural = _("survey sections")

    def __str__(self) -> str:
        return self.heading


class Question(models.Model):
    class Kind(models.TextChoices):
        NUMBER = "number", _("Number")
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        TEXT = "text", _("Text")
        SCALE = "scale", _("Scale from 1 to 5")
        DATE = "date", _("Date")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions"
    )
    order = models.PositiveIntegerField(_("order"))
    # Short and stable: the spreadsheet's column, the skip rule's reference.
    code = models.SlugField(_("code"), max_length=30)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("question"), max_length=500)
    label_en = models.CharField(_("question in English"), max_length=500, blank=True)
    help_text = models.CharField(_("explanation"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    minimum = models.DecimalField(
        _("smallest number"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    maximum = models.DecimalField(
        _("largest number"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    # Skip rule: asked only when the answer to `shown_if` (an earlier choice question) is
    # one of the choice codes in `shown_if_codes`. An answer given while it was shown is
    # cleared when a change of that earlier answer hides it.
    shown_if = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    shown_if_codes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["survey", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="surveys_question_code_once"),
        ]

    def __str__(self) -> str:
        return self.label


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveIntegerField(_("order"))
    code = models.SlugField(_("code"), max_length=30)
    label = models.CharField(_("choice"), max_length=300)
    label_en = models.CharField(_("choice in English"), max_length=300, blank=True)

    class Meta:
        ordering = ["question", "order", "pk"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="surveys_choice_code_once"),
        ]

    def __str__(self) -> str:
        return self.label


class Stratum(models.Model):
    """One cell of the draw: the units of one kind in one branch below the surveying
    unit, how many there were and how many were drawn (the weights of the estimates)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="strata")
    branch = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    kind = models.ForeignKey(UnitKind, on_delete=models.PROTECT, related_name="+")
    population = models.PositiveIntegerField()
    drawn = models.PositiveIntegerField()

    class Meta:
        ordering = ["survey", "branch__path", "kind__rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "branch", "kind"], name="surveys_stratum_once"
            ),
            models.CheckConstraint(
                condition=Q(drawn__lte=models.F("population")), name="surveys_stratum_drawn"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch} — {self.kind}"


class Respondent(models.Model):
    """A unit chosen to answer (a union about itself, or the unit whose workers answer)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="respondents_set")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    stratum = models.ForeignKey(
        Stratum, on_delete=models.CASCADE, null=True, blank=True, related_name="respondents"
    )

    class Meta:
        ordering = ["survey", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "unit"], name="surveys_respondent_once"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} — {self.unit}"


class Token(models.Model):
    """One questionnaire of a worker survey: its secret is the link (and QR code) handed
    to one worker, good for one answer. Spent when used; the answer does not point here,
    and nothing records when it was spent."""

    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="tokens")
    number = models.PositiveIntegerField()
    secret = models.CharField(max_length=64, unique=True)
    # Yes or no only: a day or a time here could be matched with an answer's day.
    is_spent = models.BooleanField(default=False)

    class Meta:
        ordering = ["respondent", "number"]
        constraints = [
            models.UniqueConstraint(fields=["respondent", "number"], name="surveys_token_once"),
        ]

    def __str__(self) -> str:
        return f"{self.respondent} — {self.number}"


class Response(models.Model):
    class Channel(models.TextChoices):
        WEB = "web", _("on the web")
        PAPER = "paper", _("typed in from paper")
        SPREADSHEET = "spreadsheet", _("from a spreadsheet")
        ANONYMOUS = "anonymous", _("anonymous questionnaire")

    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="responses")
    channel = models.CharField(_("answered"), max_length=20, choices=Channel.choices)
    # The day only: an anonymous answer carries no time that could single its writer out.
    answered_on = models.DateField()
    # Who entered it (a unit's answer, or paper questionnaires typed in); never for an
    # anonymous answer.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_worker = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["respondent", "pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            # A union answers about itself once (and then amends that answer).
            models.UniqueConstraint(
                fields=["respondent"],
                condition=Q(is_worker=False),
                name="surveys_unit_answers_once",
            ),
            models.CheckConstraint(
                condition=~Q(channel="anonymous") | Q(entered_by__isnull=True),
                name="surveys_anonymous_unsigned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.respondent} — {self.pk}"


class Answer(models.Model):
    """The answer to one question; which field holds it follows the question's kind
    (`chosen`: the choices taken, one for a single choice, rows the results count in SQL)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    text = models.TextField(blank=True)
    date = models.DateField(null=True, blank=True)
    chosen = models.ManyToManyField(Choice, blank=True, related_name="answers")

    class Meta:
        ordering = ["response", "question__order"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="surveys_answer_once"),
        ]
        indexes = [models.Index(fields=["question", "response"], name="surveys_answer_question")]

    def __str__(self) -> str:
        return f"{self.response} — {self.question.code}"


class Throttle(models.Model):
    """How many anonymous questionnaires one address sent in one window: a table, not a
    cache, so that every server process counts the same. The key is a digest of the
    address and the window; the address itself is never stored."""

    key = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.key
