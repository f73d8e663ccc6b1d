"""Shared test configuration: hypothesis profiles sized for CI and for nightly runs.

``HYPOTHESIS_PROFILE=nightly pytest`` runs the property tests with many more examples.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("nightly", max_examples=2000, deadline=5000)
settings.register_profile("dev", max_examples=20, deadline=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
