"""Data scope of issued documents: city gov all, district gov its district's orgs, an org its own."""
from tortoise.expressions import Q, Subquery

from app.documents.models import IssuedDocument
from app.identity import scope
from app.identity.models import Org

scope.register(
    IssuedDocument,
    city=lambda a: None,
    district=lambda a: Q(issuer_org_id__in=Subquery(Org.filter(district_code=a.district_code).values("id"))),
    org=lambda a: Q(issuer_org_id=a.org_id),
)
