"""Work for the background runner: documents, in a queue of their own."""

from django_tasks import task

from soket.documents import jobs


@task(queue_name="documents")
def make_document(job_id: str) -> str:
    return jobs.job_run(job_id=job_id)
