"""forms/0011: the requests made before sources existed get parent or relative from who made
them (the public form was their only way in)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("forms", "0010_worker_time_never_overlaps")]
AFTER = [("forms", "0011_referrals_and_sources")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_requests_get_their_source_from_the_requester():
    old = migrate(BEFORE).get_model("forms", "AppointmentRequest")
    common = {
        "routed_as": "service",
        "mode": "ccas",
        "reason": "schooling",
        "phone": "+33612345678",
        "consent_at": timezone.now(),
        "captcha": "off",
    }
    parent = old.objects.create(reference="AAA-AAA", requester="parent", parent_name="A", **common)
    relative = old.objects.create(reference="CCC-CCC", requester="family", parent_name="B", **common)
    try:
        new = migrate(AFTER).get_model("forms", "AppointmentRequest")
        sources = dict(new.objects.values_list("pk", "source"))
        assert sources == {parent.pk: "parent", relative.pk: "relative"}
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
