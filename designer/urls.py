"""/designer/: the process designer's workbench. Every view asks worklists.access first."""

from django.urls import path

from . import versions, views

app_name = "designer"
urlpatterns = [
    # The workbench and the modeler (bpmn-js): pages.
    path("", views.index, name="index"),
    path("modeler/", views.modeler_new, name="modeler_new"),
    path("modeler/versions/<int:pk>/", views.modeler_version, name="modeler_version"),
    path("modeler/drafts/<int:pk>/", views.modeler_draft, name="modeler_draft"),
    path("import/", views.import_file, name="import"),
    # What the modeler calls: JSON, POST only.
    path("validate/", views.validate, name="validate"),
    path("drafts/", views.draft_create, name="draft_create"),
    path("drafts/<int:pk>/", views.draft_save, name="draft_save"),
    path("deploy/", views.deploy, name="deploy"),
    # Versions of a process: the list, the diff, migrating running cases (designer/versions.py).
    path("processes/<slug:key>/versions/", versions.versions, name="versions"),
    path("processes/<slug:key>/diff/", versions.diff, name="diff"),
    path("processes/<slug:key>/migrate/", versions.migrate, name="migrate"),
    path("processes/<slug:key>/migrate/back/", versions.migrate_back, name="migrate_back"),
]
