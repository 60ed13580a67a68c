"""The peer a Django team would pick instead: business registration in django-viewflow's workflow engine.

Benchmarks only. viewflow is AGPL-3.0 and is never imported by the product: only the settings
module next to this file installs it, and only bench/clients.py runs it.
"""
