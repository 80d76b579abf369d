"""Staff roles of the workers' side as groups: Travailleurs sociaux, Responsable du service,
Secrétariat, with the request permissions as Permission rows (the models declare none; see
forms/records/permissions.py for which content type holds which). The Communication group
(services/0002) gets none of them."""

from django.db import migrations

from forms.records.permissions import CUSTOM_PERMISSIONS, GROUP_PERMISSIONS, MANAGER, ASSISTANTS
from services.roles import create_all_permissions, permission

# Absences decide routing: the manager and the assistants keep them up to date.
EXTRA_PERMISSIONS = {
    MANAGER: [
        ("services", "add_workerabsence"), ("services", "change_workerabsence"),
        ("services", "delete_workerabsence"), ("services", "view_workerabsence"),
        ("forms", "change_bookingsettings"),
    ],
    ASSISTANTS: [
        ("services", "add_workerabsence"), ("services", "change_workerabsence"),
        ("services", "view_workerabsence"),
    ],
}


def request_permissions(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    perms = {}
    for codename, (model, name) in CUSTOM_PERMISSIONS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="forms", model=model)
        perm = Permission.objects.filter(content_type__app_label="forms", codename=codename).first()
        if perm is None:
            perm = Permission(codename=codename)
        perm.content_type, perm.name = content_type, name
        perm.save()
        perms[codename] = perm
    return perms


def create_groups(apps, schema_editor):
    create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    perms = request_permissions(apps)
    access_admin = permission(apps, "wagtailadmin", "access_admin")
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin, *(perms[c] for c in codenames))
        for app_label, codename in EXTRA_PERMISSIONS.get(name, []):
            group.permissions.add(permission(apps, app_label, codename))


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name__in=list(GROUP_PERMISSIONS)).delete()
    Permission.objects.filter(
        content_type__app_label="forms", codename__in=list(CUSTOM_PERMISSIONS)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("forms", "0001_initial"),
        ("services", "0002_communication_group"),
        ("wagtailadmin", "0006_formstate"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
