"""Surveys at national scale (issue 14): the confederation draws a stratified sample of
2,000 grassroots unions (one stratum per province and kind) with ten worker
questionnaires each, and a census of every grassroots union for a union survey; eight
workers of each sampled union answer (16,000 questionnaires, five questions: one choice,
several choices, a number, a scale and a text), written in SQL as the answers service
would. Then the results of the whole sample (every share and mean with its margin) and
of one province, the results page, and the progress pages, beside the fixed reference
query.

It reuses the reporting benchmark's campaign when that ran first (bench.analysis builds
it otherwise: BENCH_ONLY=surveys)."""

import datetime

from django.db import connection
from django.test import Client
from django.urls import reverse

from bench import analysis
from bench.completeness import reference_query
from bench.timing import once, timed
from soket.core import clock
from soket.orgs.models import Role, Unit, UnitKind
from soket.surveys import progress, results, sampling
from soket.surveys.models import (
    Answer,
    Choice,
    Question,
    Respondent,
    Response,
    Survey,
    Token,
)
from soket.testing import make_user

RUNS = 15
SAMPLE = 2_000
QUESTIONNAIRES = 10
ANSWERED = 8  # of each sampled union's questionnaires


def _survey(campaign, owner, admin, respondents: str, title: str) -> Survey:
    survey = Survey.objects.create(
        campaign=campaign, owner=owner, title=title, respondents=respondents,
        created_by=admin, created_at=clock.now(),
    )  # fmt: skip
    ask = Question.objects.create
    member = ask(survey=survey, order=1, code="doan-vien", kind="single", label="Đoàn viên?")
    Choice.objects.create(question=member, order=1, code="co", label="Có")
    Choice.objects.create(question=member, order=2, code="khong", label="Không")
    activities = ask(survey=survey, order=2, code="hoat-dong", kind="multiple", label="Hoạt động")
    for order, code in enumerate(["hoi-nghi", "thi-dua", "van-the"], start=1):
        Choice.objects.create(question=activities, order=order, code=code, label=code)
    ask(survey=survey, order=3, code="thu-nhap", kind="number", label="Thu nhập")
    ask(survey=survey, order=4, code="hai-long", kind="scale", label="Hài lòng")
    ask(survey=survey, order=5, code="kien-nghi", kind="text", label="Kiến nghị")
    return survey


def _answer(survey: Survey) -> None:
    """ANSWERED questionnaires of each sampled union, their answers spread by id."""
    questions = {q.code: q for q in survey.questions.all()}
    choices = {
        (c.question_id, c.code): c.pk for c in Choice.objects.filter(question__survey=survey)
    }
    response, answer = Response._meta.db_table, Answer._meta.db_table
    chosen = Answer.chosen.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_n (n integer)")
        cursor.executemany("INSERT INTO bench_n VALUES (%s)", [(n,) for n in range(ANSWERED)])
        cursor.execute(
            f"""INSERT INTO {response} (respondent_id, channel, answered_on, entered_by_id,
                                        is_worker, revision)
                SELECT r.id, 'anonymous', %s, NULL, %s, 0
                FROM {Respondent._meta.db_table} r CROSS JOIN bench_n
                WHERE r.survey_id = %s""",
            [datetime.date(2016, 2, 15), True, survey.pk],
        )
        responses = f"""SELECT p.id FROM {response} p JOIN {Respondent._meta.db_table} r
                         ON r.id = p.respondent_id WHERE r.survey_id = {survey.pk}"""
        for code, number, text in (
            ("doan-vien", "NULL", "''"), ("hoat-dong", "NULL", "''"),
            ("thu-nhap", "3 + (x.id % 50) / 10.0", "''"), ("hai-long", "1 + x.id % 5", "''"),
            ("kien-nghi", "NULL", "'Đề nghị quan tâm nhà ở cho công nhân.'"),
        ):  # fmt: skip
            cursor.execute(
                f"""INSERT INTO {answer} (response_id, question_id, number, text)
                    SELECT x.id, {questions[code].pk}, {number}, {text}
                    FROM ({responses}) x"""
                + (" WHERE x.id % 7 = 0" if code == "kien-nghi" else "")
            )
        member = questions["doan-vien"].pk
        cursor.execute(
            f"""INSERT INTO {chosen} (answer_id, choice_id)
                SELECT a.id, CASE WHEN a.response_id %% 5 = 0 THEN %s ELSE %s END
                FROM {answer} a WHERE a.question_id = %s""",
            [choices[(member, "khong")], choices[(member, "co")], member],
        )
        activities = questions["hoat-dong"].pk
        for n, code in enumerate(["hoi-nghi", "thi-dua", "van-the"], start=2):
            cursor.execute(
                f"""INSERT INTO {chosen} (answer_id, choice_id)
                    SELECT a.id, %s FROM {answer} a
                    WHERE a.question_id = %s AND a.response_id %% {n} = 0""",
                [choices[(activities, code)], activities],
            )
        cursor.execute(
            f"UPDATE {Token._meta.db_table} SET is_spent = %s WHERE number <= %s "
            f"AND respondent_id IN (SELECT id FROM {Respondent._meta.db_table} "
            f"WHERE survey_id = %s)",
            [True, ANSWERED, survey.pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")


def run(*, scale: int) -> None:
    print("\nSurveys")
    campaign = analysis._campaign()
    top = Unit.objects.get(code="TLD")
    province = Unit.objects.get(code="P31")
    grassroots = UnitKind.objects.filter(units__parent__code="P31-D05").distinct().get()
    admin = make_user("bench-surveys-admin", top, Role.Kind.CAMPAIGN_ADMIN)
    viewer = make_user("bench-surveys-national", top, Role.Kind.VIEWER)

    census = _survey(campaign, top, admin, Survey.Respondents.UNITS, "Khảo sát các CĐCS")
    once(
        "draw: every grassroots union (a census, one query + bulk insert)",
        lambda: sampling.draw(survey=census, by=admin, selection=Survey.Selection.ALL,
                              kinds=[grassroots]),
    )  # fmt: skip
    print(f"  respondents: {Respondent.objects.filter(survey=census).count():,}")

    workers = _survey(campaign, top, admin, Survey.Respondents.PEOPLE, "Khảo sát người lao động")
    once(
        f"draw: a stratified sample of {SAMPLE:,} unions, {QUESTIONNAIRES} questionnaires each",
        lambda: sampling.draw(survey=workers, by=admin, selection=Survey.Selection.SAMPLE,
                              kinds=[grassroots], size=SAMPLE, seed=2016,
                              questionnaires_per_unit=QUESTIONNAIRES),
    )  # fmt: skip
    workers.refresh_from_db()
    print(f"  strata: {workers.strata.count():,}   questionnaires: "
          f"{Token.objects.filter(respondent__survey=workers).count():,}")  # fmt: skip
    once("answer: eight questionnaires of each union (INSERT ... SELECT)", lambda: _answer(workers))
    print(f"  answers: {Answer.objects.filter(question__survey=workers).count():,}")

    # Opened as the services would (their checks need a question, respondents, tokens).
    Survey.objects.filter(pk__in=[census.pk, workers.pk]).update(state=Survey.State.OPEN)
    timed("noise reference: a fixed recursive query (same at any scale)", reference_query,
          repeat=RUNS)  # fmt: skip
    everything = results.Scope(unit=top)
    found = timed(
        "results of the whole sample (selector)",
        lambda: results.results(survey=workers, scope=everything), repeat=RUNS,
    )  # fmt: skip
    assert found.responses == SAMPLE * ANSWERED, found.responses
    timed(
        "results of one province (selector)",
        lambda: results.results(survey=workers, scope=results.Scope(unit=province)),
        repeat=RUNS,
    )  # fmt: skip
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(viewer)
    page = reverse("survey_results", args=[workers.pk])
    answer = client.get(page)
    assert answer.status_code == 200, answer.status_code
    print(f"  results page: {len(answer.content) / 1024:,.0f} KiB")
    timed("the results page, whole sample (test client)", lambda: client.get(page), repeat=RUNS)
    timed(
        "progress of the sample, top unit (selector)",
        lambda: progress.progress(survey=workers, within=top), repeat=RUNS,
    )  # fmt: skip
    timed(
        "progress of the census, top unit (selector)",
        lambda: progress.progress(survey=census, within=top), repeat=RUNS,
    )  # fmt: skip
    progress_page = reverse("survey_progress", args=[census.pk])
    assert client.get(progress_page).status_code == 200
    timed("the progress page, census (test client)", lambda: client.get(progress_page),
          repeat=RUNS)  # fmt: skip
    timed("noise reference again", reference_query, repeat=RUNS)
