"""Deadline day: many units submit their reports at the same moment, over real HTTP.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/soket \
      DEBUG=1 .venv/bin/python bench/deadline_day.py

Makes a throw-away PostgreSQL database beside the one DATABASE_URL names and builds a
synthetic confederation in it (BENCH_DEADLINE_GRASSROOTS grassroots units, 20,000 by
default) with a campaign whose running counts are built; BENCH_SUBMITTERS grassroots
unions (100), spread over the country, each get an approver (who sends the unit's
report) and a draft report with its figures. Then it starts gunicorn with the committed
configuration (gunicorn.conf.py) and production settings (DEBUG=0) on 127.0.0.1 only,
logs every approver in through /dang-nhap/ with its CSRF token as a browser does, and
has them all submit at once (POST /bao-cao/<pk>/chuyen/gui/), each from its own thread;
with BENCH_DOUBLE_CLICK=1 (the default) each clicks twice at the same moment.

It prints the throughput and the p50 and p99 of the submissions, then holds the
acknowledgements against the database: a report acknowledged as submitted but not
stored so is lost, a report stored as submitted twice (two submit transitions or two
versions) is duplicated; both must be 0, and the rollup totals and completeness counts
must equal a recomputation. The run is bounded: at most 1,000 submitters, 60 s per
request and BENCH_TIMEOUT_SECONDS (600) for the whole day; it stops gunicorn and drops
the database at the end (BENCH_KEEP=1 keeps the database).
"""

import http.client
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "soket.settings")
# The server's secret, shared with this process so that it can read the server's messages.
SECRET_KEY = "deadline-day-" + secrets.token_hex(24)
os.environ["SECRET_KEY"] = SECRET_KEY

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.messages import constants as message_levels  # noqa: E402
from django.contrib.messages.storage.cookie import CookieStorage  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest  # noqa: E402

HOST = "127.0.0.1"
PASSWORD = "deadline-day-" + secrets.token_hex(8)
REQUEST_TIMEOUT = 60
MAX_SUBMITTERS = 1000


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    settings = connection.settings_dict
    user, host, port = settings["USER"], settings["HOST"] or HOST, settings["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


# Building what the day needs.


def build(scale: int, submitters: int):
    """The tree, the campaign (counted), and `submitters` reporters with draft reports."""
    from bench import hierarchy
    from bench.world import national_campaign
    from soket.orgs.models import Role, Unit, User
    from soket.reports import running, services
    from soket.reports.models import Report
    from soket.reports.services import FigureInput
    from soket.testing import make_resolution, make_target

    hierarchy.build_tree(scale)
    top = Unit.objects.get(code="TLD")
    resolution = make_resolution("bench-dd", top)
    targets = [make_target(resolution, f"T{n}", "sum", 10, order=n) for n in range(3)]
    campaign = national_campaign(
        code="deadline-day", title="Ngày hạn chót (tổng hợp)", targets=targets, staggered=False
    )
    running.rebuild(campaign=campaign)

    # Open units (expected to report) spread over the whole country, as on the real day;
    # every submitter's report is a draft with its figures, ready to go.
    grassroots = Unit.objects.filter(depth=3, closed_on__isnull=True).order_by("pk")
    units = list(grassroots[:: max(1, grassroots.count() // submitters)])[:submitters]
    password = make_password(PASSWORD)  # hashed once, shared: log-ins still check it
    User.objects.bulk_create(
        [User(username=f"dd{n:04d}", full_name=f"Báo cáo viên {n}", password=password)
         for n in range(len(units))]
    )  # fmt: skip
    people = {user.username: user for user in User.objects.filter(username__startswith="dd")}
    Role.objects.bulk_create(
        [Role(user=people[f"dd{n:04d}"], unit=unit, kind=Role.Kind.APPROVER)
         for n, unit in enumerate(units)]
    )  # fmt: skip
    admin = User.objects.create(username="dd-admin", is_superuser=True)
    reports = []
    for n, unit in enumerate(units):
        report = services.report_for(campaign=campaign, unit=unit)
        figures = {t.pk: FigureInput(value=Decimal(n % 9 + 1)) for t in targets}
        services.report_save(report=report, by=admin, revision=report.revision, figures=figures)
        reports.append((f"dd{n:04d}", report.pk))
    assert Report.objects.filter(campaign=campaign, state=Report.State.DRAFT).count() >= len(units)
    return campaign, reports


# Talking to the server as a browser does.


class Browser:
    """One person's cookies and one connection at a time, no redirects followed."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()

    def request(self, method: str, path: str, form: dict | None = None):
        connection_ = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        with self.lock:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = {"Cookie": cookie, "Host": HOST}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection_.request(method, path, body=body, headers=headers)
            response = connection_.getresponse()
            content = response.read()
        finally:
            connection_.close()
        received = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            received.load(header)
        with self.lock:
            for name, morsel in received.items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, content, received

    def log_in(self, username: str) -> None:
        status, _headers, page, _set = self.request("GET", "/dang-nhap/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"the log-in page answered {status}")
        form = {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "username": username,
            "password": PASSWORD,
        }
        status, _headers, _page, _set = self.request("POST", "/dang-nhap/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"log-in of {username} answered {status}")

    def submit(self, report_pk: int):
        """POST the submission; the answer's messages say whether it was taken."""
        # Sent as confirmed: a question about unusual figures would stop the submission.
        form = {"csrfmiddlewaretoken": self.cookies["csrftoken"], "confirmed": "1"}
        status, _headers, _page, received = self.request(
            "POST", f"/bao-cao/{report_pk}/chuyen/gui/", form
        )
        levels = []
        if "messages" in received:
            request = HttpRequest()
            request.COOKIES["messages"] = received["messages"].value
            stored, _all = CookieStorage(request)._get()  # signed with the shared secret
            levels = [message.level for message in stored or []]
        return status, levels


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _run_threads(targets, deadline: float) -> None:
    threads = [threading.Thread(target=target, daemon=True) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        raise SystemExit("the run went past BENCH_TIMEOUT_SECONDS")


def day(port: int, reports: list[tuple[str, int]], *, double_click: bool, deadline: float):
    browsers = {username: Browser(port) for username, _pk in reports}

    # Log-ins first, eight at a time (a password check is deliberately slow): not timed
    # as the day's figure, which is the submissions.
    pending = list(browsers.items())
    failures: list[str] = []

    def log_in_some():
        while pending:
            try:
                username, browser = pending.pop()
            except IndexError:
                return
            try:
                browser.log_in(username)
            except Exception as error:  # counted and shown below
                failures.append(repr(error))

    start = time.perf_counter()
    _run_threads([log_in_some] * 8, deadline)
    print(f"  log-ins: {len(browsers)} in {time.perf_counter() - start:.1f} s")
    if failures:
        raise SystemExit(f"{len(failures)} log-ins failed, e.g. {failures[0]}")

    clicks = 2 if double_click else 1
    reference = _burst_of_reads(browsers, len(reports) * clicks, deadline)
    barrier = threading.Barrier(len(reports) * clicks)
    answers: list[tuple[int, int, list[int], float]] = []  # report, status, levels, seconds

    def click(username: str, report_pk: int):
        def go():
            barrier.wait(timeout=REQUEST_TIMEOUT)
            began = time.perf_counter()
            try:
                status, levels = browsers[username].submit(report_pk)
            except Exception as error:
                failures.append(repr(error))
                return
            answers.append((report_pk, status, levels, time.perf_counter() - began))

        return go

    start = time.perf_counter()
    _run_threads([click(username, pk) for username, pk in reports for _ in range(clicks)], deadline)
    wall = time.perf_counter() - start
    return answers, failures, wall, reference


def _burst_of_reads(browsers: dict, count: int, deadline: float) -> tuple[float, list[float]]:
    """As many requests at once for the log-in page, which writes nothing: how fast the
    server answers on this machine right now, beside the submissions."""
    barrier = threading.Barrier(count)
    first = next(iter(browsers.values()))
    seconds: list[float] = []

    def read():
        barrier.wait(timeout=REQUEST_TIMEOUT)
        began = time.perf_counter()
        Browser(first.port).request("GET", "/dang-nhap/")
        seconds.append((time.perf_counter() - began) * 1000)

    start = time.perf_counter()
    _run_threads([read] * count, deadline)
    return time.perf_counter() - start, seconds


def check(campaign, reports, answers) -> tuple[int, int, int, list[str]]:
    """How many reports were acknowledged, lost and duplicated, and what the totals and
    counts differ from a recount by."""
    from soket.orgs.models import Unit
    from soket.reports import completeness, running
    from soket.reports.models import Report, Transition, Version

    pks = [pk for _username, pk in reports]
    top = Unit.objects.get(code="TLD")
    rows = completeness.completeness(campaign=campaign, within=top, today=campaign.reviewed_to)
    awaiting = sum(row.submitted for row in rows)
    print(f"  the top unit's counts: {awaiting} reports awaiting review")
    acknowledged = {
        report_pk
        for report_pk, _status, levels, _seconds in answers
        if message_levels.SUCCESS in levels
    }
    states = dict(Report.objects.filter(pk__in=pks).values_list("pk", "state"))
    submits = dict.fromkeys(pks, 0)
    for pk in Transition.objects.filter(report__in=pks, action="submit").values_list(
        "report_id", flat=True
    ):
        submits[pk] += 1
    versions = dict.fromkeys(pks, 0)
    for pk in Version.objects.filter(report__in=pks).values_list("report_id", flat=True):
        versions[pk] += 1
    lost = sum(1 for pk in acknowledged if states[pk] != "submitted" or submits[pk] == 0)
    # Both clicks of one person may be told "submitted" (the second finds it done by
    # them): a duplicate is a report stored as submitted twice.
    duplicated = sum(1 for pk in pks if submits[pk] > 1 or versions[pk] > 1)
    return len(acknowledged), lost, duplicated, running.drift(campaign=campaign)


def main() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("deadline_day.py runs on PostgreSQL: set DATABASE_URL=postgres://…")
    scale = _int("BENCH_DEADLINE_GRASSROOTS", 20000)
    submitters = min(_int("BENCH_SUBMITTERS", 100), MAX_SUBMITTERS)
    double_click = os.environ.get("BENCH_DOUBLE_CLICK", "1") == "1"
    deadline = time.monotonic() + _int("BENCH_TIMEOUT_SECONDS", 600)
    keep = os.environ.get("BENCH_KEEP") == "1"
    print(
        f"Deadline day on PostgreSQL: {submitters} submitters"
        f"{' clicking twice' if double_click else ''}, {scale:,} grassroots units"
    )

    settings = connection.settings_dict
    settings["TEST"] = {**settings.get("TEST", {}), "NAME": f"{settings['NAME']}_deadline_day"}
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    server = None
    server_log = tempfile.TemporaryFile()  # noqa: SIM115 (gunicorn's messages, if it fails)
    try:
        began = time.perf_counter()
        campaign, reports = build(scale, submitters)
        print(f"  built in {time.perf_counter() - began:.1f} s")
        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "DEBUG": "0",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": HOST,
            "SOKET_HTTPS": "0",  # plain HTTP on the loopback
            "GUNICORN_BIND": f"{HOST}:{port}",
            "GUNICORN_ACCESS_LOG": os.devnull,
        }
        python = Path(sys.executable)
        subprocess.run(
            [python, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        connection.close()  # nothing of ours stays open beside the server
        server = subprocess.Popen(
            [python.parent / "gunicorn", "soket.wsgi", "-c", str(ROOT / "gunicorn.conf.py")],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=server_log,
        )  # fmt: skip
        _wait_until_up(port, server, server_log, deadline)
        answers, failures, wall, (reference_wall, reference) = day(
            port, reports, double_click=double_click, deadline=deadline
        )
        acknowledged, lost, duplicated, drift = check(campaign, reports, answers)

        seconds = [answer[3] * 1000 for answer in answers]
        refused = sum(answer[2].count(message_levels.ERROR) for answer in answers)
        print(f"  requests: {len(answers)} answered, {len(failures)} failed"
              f"{f' (e.g. {failures[0]})' if failures else ''}")  # fmt: skip
        print(f"  reports acknowledged as submitted: {acknowledged} of {len(reports)}; "
              f"clicks refused: {refused}")  # fmt: skip
        print(f"  throughput: {len(answers) / wall:.1f} requests/s "
              f"({acknowledged / wall:.1f} submissions/s over {wall:.2f} s)")  # fmt: skip
        if seconds:
            p50, p99 = statistics.median(seconds), _percentile(seconds, 0.99)
            print(f"  latency: p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {max(seconds):.0f} ms")
        p50, p99 = statistics.median(reference), _percentile(reference, 0.99)
        print(f"  baseline, as many log-in page reads at once: "
              f"{len(reference) / reference_wall:.1f} requests/s, p50 {p50:.0f} ms, "
              f"p99 {p99:.0f} ms")  # fmt: skip
        print(f"  lost submissions: {lost}   duplicated submissions: {duplicated}")
        print(f"  rollup totals and completeness counts against a recount: "
              f"{len(drift)} differences")  # fmt: skip
        if lost or duplicated or drift or failures or acknowledged != len(reports):
            raise SystemExit("deadline day: FAILED (see above)")
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        server_log.close()
        connection.close()
        if keep:
            print(f"Kept the database {settings['NAME']}.")
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def _wait_until_up(port: int, server: subprocess.Popen, log, deadline: float) -> None:
    limit = min(deadline, time.monotonic() + 60)
    while time.monotonic() < limit:
        if server.poll() is not None:
            log.seek(0)
            raise SystemExit(f"gunicorn stopped: {log.read().decode()[-2000:]}")
        try:
            status, *_rest = Browser(port).request("GET", "/dang-nhap/")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer within 60 s")


if __name__ == "__main__":
    main()
