"""Absences, a worker's activity, notification address and account decide who reads a family's
request: the manager and the assistants manage them (services.manage_worker_routing, the absence
snippet, the worker snippet to edit those fields), communication staff no longer do (they keep
the public directory). The groups' names live in forms.records.permissions, hence here."""

from django.db import migrations

from forms.records.permissions import ASSISTANTS, MANAGER
from services.roles import COMMUNICATION, create_all_permissions, permission, publish_permission

ABSENCES = [f"{action}_workerabsence" for action in ("add", "change", "delete", "view")]
ROUTING = ["manage_worker_routing", "change_socialworker", "view_socialworker", *ABSENCES]


def grant(apps, schema_editor):
    create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    perms = [permission(apps, "services", codename) for codename in ROUTING]
    perms.append(publish_permission(apps, "services", "socialworker"))
    for name in (MANAGER, ASSISTANTS):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*perms)
    communication = Group.objects.filter(name=COMMUNICATION).first()
    if communication is not None:
        communication.permissions.remove(*(permission(apps, "services", codename) for codename in ABSENCES))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    routing = permission(apps, "services", "manage_worker_routing")
    for group in Group.objects.filter(name__in=[MANAGER, ASSISTANTS]):
        group.permissions.remove(routing)
    communication = Group.objects.filter(name=COMMUNICATION).first()
    if communication is not None:
        communication.permissions.add(
            *(permission(apps, "services", f"{action}_workerabsence") for action in ("add", "change", "delete"))
        )


class Migration(migrations.Migration):
    dependencies = [
        ("forms", "0013_site"),
        ("services", "0006_leave"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
