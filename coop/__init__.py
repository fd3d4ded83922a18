"""Ayllu's kernel: the application factory and what every domain package stands on.

Accounts, co-ops and roles, the audit trail, money, printed documents, scheduled jobs and the
mail outbox live here. The kernel imports no domain package; only the composition root
(``coop.app`` and the CLI's demo loader) wires them together.
"""
