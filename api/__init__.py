"""The REST API (/api/v1/): a thin layer over the write path and the gate.

Every view is parse → access (worklists.access) → action (engine.actions, worklists.intake) →
render. Nothing here writes to the database except through a ``do_*`` action.
"""
