"""Read-only reports of the books, one module per family; every public name is here too.

``trial`` (the trial balance and the integrity check), ``financial`` (the income statement and
the balance sheet), ``general_ledger`` (libro mayor), ``overview`` (key figures and income and
expenses by month) and ``fund`` (the construction fund by month) all read the chart through
``tree`` and put amounts on each account's normal side with ``ledger.chart.natural``. Callers
write ``from ledger import reports; reports.trial_balance(...)``. Nothing here writes.
"""
from ledger.chart import natural
from ledger.reports.financial import (BalanceSheet, IncomeStatement, Section, StatementLine, balance_sheet,
                                      income_statement)
from ledger.reports.fund import CONSTRUCTION_CODES, ConstructionFund, FundMonth, construction_fund
from ledger.reports.general_ledger import (LEDGER_PAGE_SIZE, GeneralLedger, LedgerLine, general_ledger,
                                           general_ledger_lines, ledger_opening)
from ledger.reports.overview import KeyFigures, MonthTotals, key_figures, monthly_income_expenses
from ledger.reports.tree import ChartAccount, chart, subtree_ids
from ledger.reports.trial import VERIFY_BATCH, TrialBalanceRow, count_entries, trial_balance, verify_ledger

__all__ = [
    "BalanceSheet", "CONSTRUCTION_CODES", "ChartAccount", "ConstructionFund", "FundMonth", "GeneralLedger",
    "IncomeStatement", "KeyFigures", "LEDGER_PAGE_SIZE", "LedgerLine", "MonthTotals", "Section", "StatementLine",
    "TrialBalanceRow", "VERIFY_BATCH", "balance_sheet", "chart", "construction_fund", "count_entries",
    "general_ledger", "general_ledger_lines", "income_statement", "key_figures", "ledger_opening",
    "monthly_income_expenses", "natural", "subtree_ids", "trial_balance", "verify_ledger",
]
