"""The kernel's models, imported in one place for Alembic and the schema tests.

They live beside the code that owns them. Domain packages' models are imported by
``migrations/env.py`` (the kernel imports no domain package), so that ``Base.metadata`` is
complete whenever migrations compare it.
"""
from coop.audit import AuditEvent
from coop.auth.models import LoginThrottle, User, UserSession
from coop.invitations import CoopInvitation
from coop.numbering import CoopCounter
from coop.outbox import OutboxMessage
from coop.scheduler import JobLock, JobRun
from coop.submissions import FormSubmission
from coop.tasks import Task
from coop.tenancy import Coop, CoopRole

__all__ = ["AuditEvent", "Coop", "CoopCounter", "CoopInvitation", "CoopRole", "FormSubmission", "JobLock", "JobRun",
           "LoginThrottle", "OutboxMessage", "Task", "User", "UserSession"]
