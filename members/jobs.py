"""Scheduled jobs of the member register.

The register has no recurring job of its own yet. Its printed register is rendered in the
background by the kernel's ``documents.render`` job (and purged by ``documents.purge``), which
finds the renderer that ``members.printing`` registers: importing it here makes sure every
process that runs jobs, the scheduler's included, can render the register.
"""
from members import printing  # noqa: F401  (registers the "members.register" renderer)
