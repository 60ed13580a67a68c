"""Create (or show) the API token of a user: for scripts and for other systems, such as a bank's."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from worklists.access import DELIVER_MESSAGE_PERMISSION


class Command(BaseCommand):
    help = (
        "Print the API token of USERNAME, creating it if needed. Send it as 'Authorization: Token <key>'. "
        "--create makes an API client user (no department, no password); --deliver-messages grants the "
        "permission engine.deliver_message; --reset replaces an existing token."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--create", action="store_true", help="create the user if it does not exist (an API client)"
        )
        parser.add_argument("--deliver-messages", action="store_true", help=f"grant {DELIVER_MESSAGE_PERMISSION}")
        parser.add_argument("--reset", action="store_true", help="replace the user's token with a new one")

    @transaction.atomic
    def handle(self, *args, username, create, deliver_messages, reset, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            if not create:
                raise CommandError(f"no user '{username}'; add --create to make an API client user")
            user = User(username=username)
            user.set_unusable_password()
            user.save()
        if deliver_messages:
            app_label, codename = DELIVER_MESSAGE_PERMISSION.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        if reset:
            Token.objects.filter(user=user).delete()
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
