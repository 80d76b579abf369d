from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portal import two_factor


class Command(BaseCommand):
    help = (
        "Forget a staff account's authenticator app (lost or changed phone): it enrols a new one at its next "
        "login. For the last superuser, who cannot use the admin's reset button on herself once locked out."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, username, **options):
        User = get_user_model()
        try:
            account = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist as error:
            raise CommandError(f"No account named {username!r}.") from error
        count = two_factor.reset(account)
        self.stdout.write(f"{username}: {count} device(s) removed; a new app is enrolled at the next login.")
