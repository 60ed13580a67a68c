"""/designer/: the process designer's workbench. Every view asks worklists.access first."""

from django.urls import path

from . import views

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
]
