"""Background tasks of reader support: the thank-you e-mail, sent by the worker so that a
webhook's answer never waits on the mail server (and a refusal is retried with backoff)."""

from django.tasks import task

from .emails import receipt_send


@task
def receipt_send_task(contribution_id: int) -> None:
    """Send a contribution's receipt once; safe to run twice."""
    receipt_send(contribution_id=contribution_id, once=True)
