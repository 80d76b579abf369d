"""Builders for the workers' side tests: staff accounts per role and appointment requests.

staff = make_staff("referente", WORKERS, worker=leroy)   # a user in a role group, linked to a worker
request = make_request(school, leroy, status=Status.ACKNOWLEDGED, language="ar")
"""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from forms.models import AppointmentRequest, RequestEvent
from forms.permissions import ASSISTANTS, MANAGER, WORKERS
from services.roles import COMMUNICATION
from services.schedule import PARIS, today

ROLES = {"worker": WORKERS, "manager": MANAGER, "assistant": ASSISTANTS, "communication": COMMUNICATION}
Status = AppointmentRequest.Status
_numbers = itertools.count(1)


def make_staff(username, group_name, worker=None, **fields):
    user = get_user_model().objects.create_user(username, f"{username}@ccas.example.fr", "x" * 16, **fields)
    user.groups.add(Group.objects.get(name=group_name))
    if worker is not None:
        worker.user = user
        worker.save(update_fields=["user"])
    return user


def future(days=7, hour=10, minute=0):
    """A Paris time `days` from today."""
    return datetime.combine(today() + timedelta(days=days), time(hour, minute), tzinfo=PARIS)


def make_request(school=None, worker=None, **fields) -> AppointmentRequest:
    n = next(_numbers)
    now = timezone.now()
    values = {
        "school": school,
        "assigned_worker": worker,
        "routed_as": AppointmentRequest.Routing.REFERENT if worker else AppointmentRequest.Routing.SERVICE,
        "mode": AppointmentRequest.Mode.CCAS,
        "reason": AppointmentRequest.Reason.SCHOOLING,
        "parent_name": f"Parent Secret{n:03d}",
        "phone": f"06 00 00 {n // 100:02d} {n % 100:02d}",
        "email": f"famille{n}@example.org",
        "child_first_name": f"Enfant{n:03d}",
        "child_class": "CE1",
        "message": f"Message confidentiel {n}",
        "availabilities": "le matin",
        "consent_at": now,
        "captcha": AppointmentRequest.Captcha.PASSED,
        "created_at": now,
    }
    values.update(fields)
    if values.get("slot_start") and not values.get("slot_end"):
        values["slot_end"] = values["slot_start"] + timedelta(minutes=30)
    request = AppointmentRequest.objects.create(**values)
    request.record(RequestEvent.Kind.CREATED)
    return request


class World:
    """Two workers with their schools and accounts, the manager, an assistant, a communication user.

    leroy's request and benali's request; the service-wide queue holds one more."""

    def __init__(self):
        from tests.factories import make_index, make_school, make_site, make_worker, permanence

        self.home = make_site()
        self.index = make_index(self.home)
        self.leroy = make_worker("Mme Claire Leroy")
        self.benali = make_worker("M. Karim Benali")
        self.school = make_school(
            self.index, "École Jules-Ferry", referent=self.leroy, permanences=[permanence(weekday=2)]
        )
        self.other_school = make_school(
            self.index, "École Jean-Jaurès", referent=self.benali, permanences=[permanence(weekday=4)]
        )
        self.worker = make_staff("referente", WORKERS, worker=self.leroy)
        self.other_worker = make_staff("benali", WORKERS, worker=self.benali)
        self.manager = make_staff("responsable", MANAGER)
        self.assistant = make_staff("secretariat", ASSISTANTS)
        self.communication = make_staff("communication", COMMUNICATION)
        self.request = make_request(self.school, self.leroy)
        self.other_request = make_request(self.other_school, self.benali)
        self.service_request = make_request(None, None)

    def users(self):
        return {
            "worker": self.worker,
            "other_worker": self.other_worker,
            "manager": self.manager,
            "assistant": self.assistant,
            "communication": self.communication,
        }
