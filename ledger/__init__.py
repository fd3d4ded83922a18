"""Self-financing ledger: accounts, journal entries, dues, payments, receipts, statements.

Depends on the kernel and ``members``. (Its models and pages arrive with the ledger issue.)
"""
