"""Plans' hooks: no case types of their own (plans are kept by the housing bureau directly); a
project's page shows the plans' targets for it (housing.projects.service.detail_part)."""
from __future__ import annotations

from app.domains.housing.plans import service
from app.domains.housing.projects import service as projects

projects.detail_part("plan_targets")(service.project_targets_of)
projects.detail_part("housing_targets")(service.housing_targets_of)
