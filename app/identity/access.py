"""Data-scope rules for identity objects (see app.identity.scope)."""
from tortoise.expressions import Q, Subquery

from app.core.models import AuditLog, Job, StoredFile
from app.identity import scope
from app.identity.models import Account, Org, Role


def _district_orgs(a: scope.Actor) -> Subquery:
    return Subquery(Org.filter(district_code=a.district_code).values("id"))


scope.register(
    Org,
    city=lambda a: None,
    district=lambda a: Q(district_code=a.district_code),
    org=lambda a: Q(id=a.org_id),
)
scope.register(
    Account,
    city=lambda a: None,
    district=lambda a: Q(org__district_code=a.district_code),
    org=lambda a: Q(org_id=a.org_id),
    self_=lambda a: Q(id=a.account_id),
)
scope.register(
    Role,
    city=lambda a: None,
    district=lambda a: Q(org__district_code=a.district_code),
    org=lambda a: Q(org_id=a.org_id),
)
scope.register(
    AuditLog,
    city=lambda a: None,
    district=lambda a: Q(org_id__in=_district_orgs(a)),
    org=lambda a: Q(org_id=a.org_id),
)
scope.register(
    StoredFile,
    city=lambda a: None,
    district=lambda a: Q(district_code=a.district_code) | Q(owner_id=a.account_id),
    org=lambda a: Q(org_id=a.org_id),
    self_=lambda a: Q(owner_id=a.account_id),
)
scope.register(
    Job,
    city=lambda a: Q(created_by_id=a.account_id),
    district=lambda a: Q(created_by_id=a.account_id),
    org=lambda a: Q(created_by_id=a.account_id),
    self_=lambda a: Q(created_by_id=a.account_id),
)
