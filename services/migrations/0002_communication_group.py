from django.db import migrations

from services.roles import ensure_communication_group


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtail_localize", "0016_rename_page_revision_translationlog_revision"),
        ("wagtailadmin", "0006_formstate"),
    ]

    operations = [migrations.RunPython(ensure_communication_group, migrations.RunPython.noop)]
