"""manage.py migrate_cases: move running cases of a process to another version, or back.

migrate_cases business_registration --from 1 --to 2 --dry-run
migrate_cases business_registration --from 1 --to 2 --map market_check=market_review
migrate_cases business_registration --back 3f2a...   (a batch printed by an earlier run)
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from engine.alignment import align_versions, parse_mapping
from engine.errors import EngineError
from engine.migration import do_migrate_batch_back, do_migrate_cases, dry_run, running_cases
from engine.models import Event
from processes.models import ProcessDefinition


class Command(BaseCommand):
    help = (
        "Move the running cases of a process from one version to another (each case in its own transaction), or back."
    )

    def add_arguments(self, parser):
        parser.add_argument("process", help="process key, e.g. business_registration")
        parser.add_argument("--from", dest="source", type=int, help="the version the cases run on")
        parser.add_argument("--to", dest="target", type=int, help="the version to move them to")
        parser.add_argument(
            "--map",
            action="append",
            dest="mapping",
            default=[],
            metavar="OLD=NEW",
            help="a removed or renamed step of the old version and its step in the new one (repeatable)",
        )
        parser.add_argument(
            "--case", action="append", dest="cases", metavar="NUMBER", help="only this case (repeatable)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="say which cases can move and why the others cannot; change nothing"
        )
        parser.add_argument(
            "--back", metavar="BATCH", help="move the cases of an earlier migration back where they came from"
        )
        parser.add_argument("--as", dest="username", help="the user recorded in the event log (default: none)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, process, source, target, mapping, cases, dry_run, back, username, no_progress, **options):
        definition = ProcessDefinition.objects.filter(key=process).first()
        if definition is None:
            raise CommandError(f"process '{process}' is not deployed")
        actor = self.user(username)
        try:
            if back:
                return self.back(definition, back, actor, no_progress)
            old, new = self.version(definition, source, "--from"), self.version(definition, target, "--to")
            alignment = align_versions(old, new, parse_mapping(mapping))
            for old_id, new_id in alignment.renamed.items():
                self.stdout.write(f"step {old_id} -> {new_id} ({alignment.how.get(old_id, 'mapped')})")
            if dry_run:
                return self.dry_run(old, new, alignment, cases)
            total = running_cases(old).filter(number__in=cases).count() if cases else running_cases(old).count()
            with tqdm(
                total=total, desc=f"{old.label} -> v{new.number}", unit="case", disable=no_progress or None
            ) as bar:
                report = do_migrate_cases(
                    old,
                    new,
                    mapping=parse_mapping(mapping),
                    acting_user=actor,
                    numbers=cases,
                    progress=lambda number: bar.update(),
                )
        except EngineError as error:
            raise CommandError(str(error)) from None
        self.report(report, old, new)

    def user(self, username):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"there is no user {username}")
        return user

    def version(self, definition, number, option):
        if number is None:
            raise CommandError(f"{option} is needed (a version number of {definition.key})")
        version = definition.versions.filter(number=number).first()
        if version is None:
            numbers = ", ".join(str(n) for n in definition.versions.values_list("number", flat=True))
            raise CommandError(f"{definition.key} has no version {number}; it has: {numbers}")
        return version

    def dry_run(self, old, new, alignment, cases):
        verdicts = dry_run(old, new, alignment=alignment, numbers=cases)
        for verdict in verdicts:
            word = "can move" if verdict.movable else "cannot move"
            self.stdout.write(
                f"{verdict.number}  at {verdict.where()}: {word}{': ' + verdict.reason() if verdict.reasons else ''}"
            )
        movable = sum(v.movable for v in verdicts)
        self.stdout.write(
            f"dry run {old.label} -> v{new.number}: {movable} of {len(verdicts)} running cases can move; nothing changed"
        )

    def back(self, definition, batch, actor, no_progress):
        moved = Event.objects.filter(kind=Event.Kind.CASE_MIGRATED, version__definition=definition, data__batch=batch)
        if not moved.exists():
            raise CommandError(f"no migration batch {batch} of {definition.key}")
        first = moved.order_by("id").first()
        old, new = first.version, definition.versions.get(number=first.data["from_number"])
        with tqdm(total=moved.count(), desc=f"back to v{new.number}", unit="case", disable=no_progress or None) as bar:
            report = do_migrate_batch_back(batch, acting_user=actor, progress=lambda number: bar.update())
        self.report(report, old, new)

    def report(self, report, old, new):
        for _number, reason in report.refused:
            self.stdout.write(f"refused {reason}")
        for number, reason in report.failed:
            self.stderr.write(f"failed {number}: {reason}")
        self.stdout.write(
            f"{old.label} -> v{new.number}: {len(report.migrated)} migrated, {len(report.refused)} refused, "
            f"{len(report.failed)} failed; batch {report.batch} (migrate_cases {old.definition.key} --back {report.batch})"
        )
        if report.failed:
            raise CommandError(f"{len(report.failed)} cases failed")
