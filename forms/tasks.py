"""The delivery task's former import path. django-tasks stores a task's path in each queued
DBTaskResult row and imports it when the worker runs the row: rows queued before the task
moved to forms.notifications.tasks still name this one. It can go once no such row is left
(they are pruned after 7 days, see forms.notifications.tasks)."""

from forms.notifications.tasks import deliver_notifications

__all__ = ["deliver_notifications"]
