"""Assemblies and board meetings: bylaws settings, notice (convocatoria), the frozen roll,
check-in, proxies, live quorum, the hall screen, motions with amendments and versions, votes
(hands, named, secret ballot), resolutions, minutes (actas) and elections.

Depends on the kernel, ``members``, ``ledger`` (arrears bar a vote) and ``minga`` (short hours
bar a vote); nothing depends on it.
"""
