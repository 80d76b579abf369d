import django.db.models.deletion
from django.db import migrations, models

from forms.records.permissions import MANAGER
from services.roles import COMMUNICATION, create_all_permissions, permission


def grant_contact_settings(apps, schema_editor):
    """The CCAS contact settings (footer phone, opening hours) are kept by the manager and the
    communication staff; the booking rules stay the manager's alone."""
    create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    change = permission(apps, "home", "change_ccassettings")
    for name in (MANAGER, COMMUNICATION):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(change)
    # Notices (a banner, a school's cancelled permanence) are the communication staff's and the manager's.
    notices = [
        permission(apps, app_label, f"{action}_{model}")
        for app_label, model in (("home", "sitenotice"), ("services", "schoolnotice"))
        for action in ("add", "change", "delete")
    ]
    for name in (MANAGER, COMMUNICATION):
        Group.objects.get(name=name).permissions.add(*notices)


def revoke_contact_settings(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    change = permission(apps, "home", "change_ccassettings")
    for group in Group.objects.filter(name__in=[MANAGER, COMMUNICATION]):
        group.permissions.remove(change)


class Migration(migrations.Migration):
    dependencies = [
        ("forms", "0012_notification_kinds"),
        ("home", "0003_site"),
        ("services", "0005_notices"),
    ]

    operations = [
        migrations.AlterField(
            model_name="eveningregistration",
            name="evening",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="services.thematiceveningpage"
            ),
        ),
        migrations.RunPython(grant_contact_settings, revoke_contact_settings),
    ]
