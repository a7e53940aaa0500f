"""`manage.py worker`: Soket's background runner.

django-tasks-db's `db_worker`, with the same options (but every queue by default:
`--queue-name default` for mail and reminders only, `--queue-name documents` for
documents only), running soket.core.worker's
RecoveringWorker: tasks a dead worker left running are put back at start-up and after
each task. The worker names itself after this host and process (`host:pid:…`), which is
how a later worker on the same host knows it has died. Code reloading is off unless
asked for (`--reload`): a reload stops the task under way.
"""

import os

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from soket.core.worker import RecoveringWorker, process_id


class Command(db_worker.Command):
    help = (
        "Run Soket's background runner (django-tasks-db's worker that also puts back "
        "the tasks a dead worker left running)."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        # Named in handle(), in the process that runs the tasks (the reloader's child).
        # Every queue unless told otherwise: mail and reminders ("default") and documents.
        parser.set_defaults(worker_id=None, reload=False, queue_name="*")

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str | None,
        exclude_queues: str,
        **options,
    ) -> None:
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = RecoveringWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id or process_id(),
            excluded_queue_names=excluded_queue_names,
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child runs tasks
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
