"""The workers' side of the tests: role groups by name, Paris times ahead, and World, the
staff and requests most admin tests start from (the `world` fixture of tests/forms/conftest.py).

Requests and accounts come from tests/factories.py:
    staff = UserFactory(username="referente", groups=[WORKERS], worker=leroy)
    request = AppointmentRequestFactory(school=school, assigned_worker=leroy, status=Status.ACKNOWLEDGED)
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from forms.models import AppointmentRequest
from forms.records.permissions import ASSISTANTS, MANAGER, WORKERS
from services.roles import COMMUNICATION
from services.schedule import PARIS, today
from tests.factories import (
    AppointmentRequestFactory,
    SchoolIndexPageFactory,
    SchoolPageFactory,
    SocialWorkerFactory,
    UserFactory,
    make_site,
    permanence,
)

ROLES = {"worker": WORKERS, "manager": MANAGER, "assistant": ASSISTANTS, "communication": COMMUNICATION}
Status = AppointmentRequest.Status


def future(days=7, hour=10, minute=0):
    """A Paris time `days` from today."""
    return datetime.combine(today() + timedelta(days=days), time(hour, minute), tzinfo=PARIS)


class World:
    """Two workers with their schools and accounts, the manager, an assistant, a communication user.

    leroy's request and benali's request; the service-wide queue holds one more."""

    def __init__(self):
        self.home = make_site()
        self.index = SchoolIndexPageFactory(parent=self.home)
        self.leroy = SocialWorkerFactory(public_name="Mme Claire Leroy")
        self.benali = SocialWorkerFactory(public_name="M. Karim Benali")
        self.school = SchoolPageFactory(
            parent=self.index, title="École Jules-Ferry", referent=self.leroy, permanences=[permanence(weekday=2)]
        )
        self.other_school = SchoolPageFactory(
            parent=self.index, title="École Jean-Jaurès", referent=self.benali, permanences=[permanence(weekday=4)]
        )
        self.worker = UserFactory(username="referente", groups=[WORKERS], worker=self.leroy)
        self.other_worker = UserFactory(username="benali", groups=[WORKERS], worker=self.benali)
        self.manager = UserFactory(username="responsable", groups=[MANAGER])
        self.assistant = UserFactory(username="secretariat", groups=[ASSISTANTS])
        self.communication = UserFactory(username="communication", groups=[COMMUNICATION])
        self.request = AppointmentRequestFactory(school=self.school, assigned_worker=self.leroy)
        self.other_request = AppointmentRequestFactory(school=self.other_school, assigned_worker=self.benali)
        self.service_request = AppointmentRequestFactory()

    def users(self):
        return {
            "worker": self.worker,
            "other_worker": self.other_worker,
            "manager": self.manager,
            "assistant": self.assistant,
            "communication": self.communication,
        }
