"""Stored simulation runs: what was predicted for a version, from which figures, so that the
reports can put the prediction beside what the version then measures."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _

from .params import describe_sources


class SimulationRun(models.Model):
    version = models.ForeignKey("processes.ProcessVersion", on_delete=models.CASCADE, related_name="simulation_runs")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    cases = models.PositiveIntegerField()
    seed = models.IntegerField(default=1)
    # Where the figures came from, in words, in the language of the run's command ("the event log
    # of business_registration v1 (150 cases)"); source_words() says it in the reader's.
    learned_from = models.CharField(max_length=500, blank=True)
    params = models.JSONField(default=dict)  # the figures the run used (simulation.params layout)
    prediction = models.JSONField(default=dict)  # what it predicts (simulation.results.summarise)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["version", "-created_at"], name="simrun_version_latest")]

    def __str__(self):
        return _("simulation of %(version)s (%(cases)s cases, %(at)s)") % {
            "version": self.version,
            "cases": self.cases,
            "at": f"{self.created_at:%Y-%m-%d %H:%M}",
        }

    def source_words(self) -> str:
        """Where the figures came from, in the active language; empty for figures given by hand
        without a file (the sources kept with the figures; ``learned_from`` for a run without them)."""
        sources = (self.params or {}).get("sources")
        return describe_sources(sources) if sources else self.learned_from

    @classmethod
    def latest_for(cls, version):
        return cls.objects.filter(version=version).order_by("-created_at", "-id").first()
