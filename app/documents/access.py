"""Data scope of issued documents: city gov all, district gov its district's orgs, an org its own.

A document may name a subject (a case) owned by a layer above documents. That layer registers how
to check the caller may see it (`register_subject`); an unregistered kind is refused (fail closed).
"""
from collections.abc import Awaitable, Callable

from tortoise.expressions import Q, Subquery

from app.core.errors import NotFound
from app.documents.models import IssuedDocument
from app.identity import scope
from app.identity.models import Org
from app.identity.scope import Actor

SubjectCheck = Callable[[Actor, int], Awaitable[None]]  # raises NotFound when the actor cannot see it
_SUBJECTS: dict[str, SubjectCheck] = {}


def register_subject(kind: str, check: SubjectCheck) -> None:
    _SUBJECTS[kind] = check


async def check_subject(kind: str, actor: Actor, subject_id: int) -> None:
    check = _SUBJECTS.get(kind)
    if check is None:
        raise NotFound("业务件不存在或无权查看")
    await check(actor, subject_id)


scope.register(
    IssuedDocument,
    city=lambda a: None,
    district=lambda a: Q(issuer_org_id__in=Subquery(Org.filter(district_code=a.district_code).values("id"))),
    org=lambda a: Q(issuer_org_id=a.org_id),
)
