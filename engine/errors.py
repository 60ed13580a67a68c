"""What the write path says when it will not do what was asked. Nothing is half-saved then."""


class EngineError(Exception):
    """Base class; the message is meant for the person who asked."""


class TaskConflict(EngineError):
    """The task is no longer open (completed, cancelled, claimed by someone else)."""


class CaseNotRunning(EngineError):
    pass


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
