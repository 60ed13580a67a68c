"""The designer's workbench: drafts of processes being edited in the browser.

A draft is not a version: it may be unfinished and invalid, it changes with every save, and no
case ever runs on it. Deploying a draft makes an immutable ProcessVersion of its XML
(processes.actions.do_deploy_version) and remembers which one.
"""

from django.conf import settings
from django.db import models


class Draft(models.Model):
    # The executable process id of the XML, read at each save (blank while the draft has none).
    process_key = models.CharField(max_length=128, blank=True)
    name = models.CharField(max_length=200, blank=True)
    # The file name a deployed version gets: the imported file's, or "<process key>.bpmn".
    filename = models.CharField(max_length=255, blank=True)
    bpmn_xml = models.TextField()
    based_on = models.ForeignKey(
        "processes.ProcessVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deployed_as = models.ForeignKey(
        "processes.ProcessVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Designers share drafts: a save names the revision it edited, and a save over a newer
    # revision (another designer saved in between) is refused instead of silently lost.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self):
        return f"{self.name or self.process_key or 'draft'} (draft {self.pk}, r{self.revision})"
