"""Stored simulation runs: what was predicted for a version, from which figures, so that the
reports can put the prediction beside what the version then measures."""

from django.conf import settings
from django.db import models


class SimulationRun(models.Model):
    version = models.ForeignKey("processes.ProcessVersion", on_delete=models.CASCADE, related_name="simulation_runs")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    cases = models.PositiveIntegerField()
    seed = models.IntegerField(default=1)
    # Where the figures came from, in words ("the event log of business_registration v1 (150 cases)").
    learned_from = models.CharField(max_length=500, blank=True)
    params = models.JSONField(default=dict)  # the figures the run used (simulation.params layout)
    prediction = models.JSONField(default=dict)  # what it predicts (simulation.results.summarise)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["version", "-created_at"], name="simrun_version_latest")]

    def __str__(self):
        return f"simulation of {self.version} ({self.cases} cases, {self.created_at:%Y-%m-%d %H:%M})"

    @classmethod
    def latest_for(cls, version):
        return cls.objects.filter(version=version).order_by("-created_at", "-id").first()
