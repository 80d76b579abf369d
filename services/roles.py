"""Staff roles as Django groups, created by migrations (not by hand in the admin)."""

COMMUNICATION = "Communication"

# Communication staff edit and translate everything public, and nothing else. Absences and a
# worker's activity, notification address and account decide who reads a family's request: they
# are the manager's and the assistants' (services.records.ROUTING_PERMISSION, granted by
# forms/migrations/0014_leave, which also takes the absences from the communication group).
COMMUNICATION_MODEL_PERMISSIONS = {
    "services": ["socialworker", "socialcentre", "closureperiod"],
}
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
COLLECTION_PERMISSIONS = {
    "wagtailimages": ["add_image", "change_image", "choose_image"],
    "wagtaildocs": ["add_document", "change_document", "choose_document"],
}


def create_all_permissions(apps):
    """Permissions are normally created after migrate: create them now so groups can use them."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None


def permission(apps, app_label, codename):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def publish_permission(apps, app_label, model):
    """Wagtail creates publish permissions of draftable snippets after migrate: make sure it exists."""
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    perm, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=f"publish_{model}", defaults={"name": f"Can publish {model}"}
    )
    return perm


def ensure_communication_group(apps, schema_editor=None):
    create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    group, _ = Group.objects.get_or_create(name=COMMUNICATION)
    perms = [permission(apps, "wagtailadmin", "access_admin")]
    for app_label, models in COMMUNICATION_MODEL_PERMISSIONS.items():
        for model in models:
            perms += [permission(apps, app_label, f"{action}_{model}") for action in ("add", "change", "delete")]
    perms.append(publish_permission(apps, "services", "socialworker"))
    perms.append(permission(apps, "wagtail_localize", "submit_translation"))
    group.permissions.add(*perms)

    root = Page.objects.filter(depth=1).first()
    if root is not None:
        for codename in PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=group, page=root, permission=permission(apps, "wagtailcore", codename)
            )
    root_collection = Collection.objects.filter(depth=1).first()
    if root_collection is not None:
        for app_label, codenames in COLLECTION_PERMISSIONS.items():
            for codename in codenames:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission(apps, app_label, codename)
                )
