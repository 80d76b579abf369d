"""Background work of the intake: delivering the notification outbox.

How it runs:

- `make run` and the tests use django-tasks' ImmediateBackend: the task runs right after the
  request's transaction commits, in the same process.
- Production uses `django_tasks_db.DatabaseBackend`: the task is a row in the database,
  executed by a long-running worker, `python manage.py db_worker` (a systemd service or a
  container next to gunicorn). Cron also runs `python manage.py send_notifications` every
  few minutes: it retries rows waiting after a mail server outage and covers a worker that
  was down; `python manage.py send_reminders` once a day for the next day's reminders; and
  `python manage.py prune_db_task_results --min-age-days 7` once a day, since every delivery
  leaves a finished task row behind.

  Example crontab (the project's virtualenv and production settings in the environment):

      */5 * * * *  manage.py send_notifications
      0 10 * * *   manage.py send_reminders
      30 3 * * *   manage.py prune_db_task_results --min-age-days 7

The task lives in the notifications package, beside what it runs; rows queued before it
moved name it `forms.tasks.deliver_notifications` (django-tasks stores the import path in
DBTaskResult rows), and forms/tasks.py keeps that path working for them.

Sending twice is not a risk: each row is locked while it is sent and marked sent in the
same transaction, so the worker and cron can overlap.
"""

from django_tasks import task

from forms.notifications.delivery import deliver_due


@task()
def deliver_notifications() -> dict:
    """Send the notifications that are due; returns the counts (sent, retrying, gave_up...)."""
    return deliver_due().as_dict()
