"""Assemblies and board meetings: notice, quorum, proxies, motions, votes, minutes, elections.

Depends on the kernel, ``members`` and ``ledger``; never on ``minga``.
"""
