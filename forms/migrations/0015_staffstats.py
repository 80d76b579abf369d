from django.db import migrations

MANAGER = "Responsable du service"
# codename: (model whose content type holds it, label), as in forms/records/permissions.py.
PERMISSIONS = {
    "view_worker_statistics": ("appointmentrequest", "Consulter les statistiques par travailleur social"),
    "manage_staff_accounts": ("accessrecord", "Créer, désactiver et réinitialiser les comptes des groupes du service"),
}


def grant_to_the_manager(apps, schema_editor):
    # The manager reads the figures per worker and keeps the service's accounts
    # (forms.records.permissions.can_view_worker_statistics, can_manage_staff_accounts).
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=MANAGER)
    for codename, (model, label) in PERMISSIONS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="forms", model=model)
        perm, _ = Permission.objects.get_or_create(content_type=content_type, codename=codename, defaults={"name": label})
        group.permissions.add(perm)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="forms", codename__in=list(PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [("forms", "0014_leave")]

    operations = [migrations.RunPython(grant_to_the_manager, revoke)]
