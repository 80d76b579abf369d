from django.db import migrations

from forms.records.permissions import MANAGER
from services.roles import create_all_permissions, permission, publish_permission


def grant(apps, schema_editor):
    create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=MANAGER)
    # The manager keeps the list of workers and links each to their account.
    group.permissions.add(
        permission(apps, "services", "link_worker_account"),
        permission(apps, "services", "change_socialworker"),
        publish_permission(apps, "services", "socialworker"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("forms", "0002_roles"),
        ("services", "0003_worker_account_permission"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
