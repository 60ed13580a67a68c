"""licence_keys generate | list | retire <kid>: the signing keys in LICENCE_KEYS_DIR (var/keys/)."""

from django.core.management.base import BaseCommand, CommandError

from licences import signing


class Command(BaseCommand):
    help = "Manage e-licence signing keys: generate a new one (it signs from now on), list them, retire one."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("generate", help="write a new Ed25519 key under the keys directory and print its kid")
        sub.add_parser("list", help="every key that verifies, the signing one marked")
        retire = sub.add_parser("retire", help="keep only the public half of a key: it verifies, it signs no more")
        retire.add_argument("kid")

    def handle(self, *args, action, **options):
        if action == "generate":
            key = signing.generate_key()
            self.stderr.write(f"wrote {key.source}")
            self.stdout.write(key.kid)
        elif action == "list":
            keys = signing.keyring()
            signer = next((key.kid for key in keys if key.private is not None), None)
            for key in keys:
                role = "signs" if key.kid == signer else ("private, not signing" if key.private else "verifies only")
                self.stdout.write(f"{key.kid}\t{role}\t{key.source}")
        elif action == "retire":
            try:
                path = signing.retire_key(options["kid"])
            except FileNotFoundError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"retired {options['kid']}: {path}")
