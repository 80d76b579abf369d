from django.db import migrations

CODENAME = "manage_staff_accounts"
LABEL = "Créer, désactiver et réinitialiser les comptes des groupes du service"
MANAGER = "Responsable du service"


def grant_to_the_manager(apps, schema_editor):
    # The manager keeps the service's accounts (forms.records.permissions.can_manage_staff_accounts).
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="forms", model="accessrecord")
    perm, _ = Permission.objects.get_or_create(content_type=content_type, codename=CODENAME, defaults={"name": LABEL})
    group, _ = Group.objects.get_or_create(name=MANAGER)
    group.permissions.add(perm)


def revoke(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(content_type__app_label="forms", codename=CODENAME).delete()


class Migration(migrations.Migration):
    dependencies = [("forms", "0013_site")]

    operations = [migrations.RunPython(grant_to_the_manager, revoke)]
