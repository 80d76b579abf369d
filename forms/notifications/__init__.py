"""Notifications through a transactional outbox (DESIGN.md rules 2 and 4), in three modules:

- `queueing`: what is queued when. Call its `queue_*` functions inside the transaction that
  saves the request: they only write `Notification` rows and enqueue the delivery task. A
  request that rolls back never sends anything.
- `delivery`: sending the rows that are due, with retries. A mail server that is down never
  loses or blocks a request: the rows wait, and `deliver_due` retries them with exponential
  backoff. The task that runs it is `forms.notifications.tasks.deliver_notifications`.
- `rendering`: what a message says. The subject and the sentences of each kind of message
  are in its own template, `forms/templates/forms/email/messages/<kind>.txt`.

What an e-mail may say: to a worker or the service mailbox, only a reference and a link to
the admin (professional secrecy: no name, phone, reason, message, school or child); to a
family, in their language, the date, place, the worker's public name, the mode, a cancel
link and an .ics, with the emergency numbers at the bottom. Never the reason.

This package imports nothing of its modules here: import the one you need.
"""
