"""Minga work: commissions, work sessions, sign-ups, attendance, hours and obligations.

Depends on the kernel, ``members`` and ``ledger``; never on ``meetings``.
"""
