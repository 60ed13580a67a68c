"""What the write path says when it will not do what was asked. Nothing is half-saved then.

Messages are said in the language of whoever asked (the active language), as they are read by
that person: on a page, in the API's answer, in a command's output.
"""

from django.utils.translation import gettext as _


class EngineError(Exception):
    """Base class; the message is meant for the person who asked."""


class TaskConflict(EngineError):
    """The task is no longer open (completed, cancelled, claimed by someone else)."""


class CaseSuspended(TaskConflict):
    """The case is suspended (中止): nothing moves it on until it resumes."""

    @classmethod
    def of(cls, case) -> "CaseSuspended":
        return cls(_("case %(case)s is suspended; resume it first") % {"case": case.number})


class CaseNotRunning(EngineError):
    @classmethod
    def of(cls, case) -> "CaseNotRunning":
        return cls(
            _("Case %(case)s is not running (%(status)s).") % {"case": case.number, "status": case.get_status_display()}
        )


class MessageNotExpected(EngineError):
    """No event of the case waits for this message now."""


class InvalidInput(EngineError):
    """An outcome the task does not offer, or data it cannot take. ``errors``: the problems by
    field, where they belong to one (``outcome``, ``reject_reason``, ``data``: {form field: ...})."""

    def __init__(self, message: str, *, errors: dict | None = None):
        super().__init__(message)
        self.errors = errors or {}


class StepFailed(EngineError):
    """The process could not continue (a condition or script failed); the step was rolled back."""


class EngineInconsistency(EngineError):
    """SpiffWorkflow reported something that cannot be true; refused rather than trusted."""


class MigrationRefused(EngineError):
    """The case cannot move to the other version (the dry run says why); nothing was changed."""
