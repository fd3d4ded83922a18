"""A participatory budget's results, read for its page and for the assembly, and put in words.

The count reads the counters the ballots raised (``Proposal.supports``), never the choices, so
2,000 ballots cost the page one query over the proposals and one over the block results. Officers
follow the count live from the support phase on; members see it once support has closed. The
block assemblies' results are shown beside it as the blocks' voice: they inform the general
assembly, they do not change the ballots' count.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coop.tenancy import Coop
from meetings.observatory.ballots import money_words
from meetings.observatory.models import (BlockResult, BudgetTieRule, ObservatorySettings, ParticipatoryBudget,
                                         Proposal, ProposalStatus, SupportRule)
from meetings.observatory.pb_counting import Candidate, Count, count

RULE_LABELS = {SupportRule.KNAPSACK: _l("knapsack"), SupportRule.APPROVAL: _l("approval")}
RULE_TEXTS = {
    SupportRule.KNAPSACK: _l("each ballot chooses proposals up to the amount available; the most supported wins; "
                             "one that no longer fits is skipped."),
    SupportRule.APPROVAL: _l("each ballot approves as many proposals as the member likes; the most supported wins; "
                             "one that no longer fits is skipped."),
}
TIE_TEXTS = {
    BudgetTieRule.CHEAPER_FIRST: _l("equal support: the cheaper proposal first (equal cost: the lower number)."),
    BudgetTieRule.LOT: _l("equal support: by lot."),
}


@dataclass
class BlockVoice:
    """One block assembly's result: how many were present, and supports by proposal."""

    block: str
    present: int
    meeting_id: int | None
    supports: dict[int, int] = field(default_factory=dict)


@dataclass
class Results:
    process: ParticipatoryBudget
    count: Count
    ballots_count: int
    blocks: list[BlockVoice]
    explanation: str


def tie_rule_of(session: so.Session, coop: Coop) -> BudgetTieRule:
    """The bylaws' tie rule (the settings' default until the co-op sets one)."""
    rule = session.scalar(sa.select(ObservatorySettings.tie_rule).where(ObservatorySettings.coop_id == coop.id))
    return rule or BudgetTieRule.CHEAPER_FIRST


def drawn_order(process: ParticipatoryBudget) -> list[int] | None:
    """The order drawn by lot, once the result was put to the assembly (None before)."""
    return [int(n) for n in (process.tie_draw or "").split(",") if n.strip()] or None


def candidates_of(session: so.Session, process: ParticipatoryBudget) -> list[Candidate]:
    """The feasible proposals with their counted supports (from the counters)."""
    cost = sa.func.coalesce(Proposal.cost_minor, Proposal.estimated_cost_minor)
    rows = session.execute(sa.select(Proposal.id, Proposal.number, Proposal.title, cost, Proposal.supports).where(
        Proposal.process_id == process.id, Proposal.status == ProposalStatus.FEASIBLE).order_by(Proposal.number))
    return [Candidate(id=r[0], number=r[1], title=r[2], cost_minor=int(r[3]), supports=r[4]) for r in rows]


def count_process(session: so.Session, coop: Coop, process: ParticipatoryBudget,
                  drawn: list[int] | None = None) -> Count:
    return count(process.amount_minor, candidates_of(session, process), rule=process.rule,
                 tie_rule=tie_rule_of(session, coop), drawn=drawn or drawn_order(process))


def block_voices(session: so.Session, process: ParticipatoryBudget) -> list[BlockVoice]:
    voices: dict[str, BlockVoice] = {}
    for row in session.scalars(sa.select(BlockResult).where(BlockResult.process_id == process.id)
                               .order_by(BlockResult.block, BlockResult.proposal_id)):
        voice = voices.setdefault(row.block, BlockVoice(row.block, row.present, row.meeting_id))
        voice.present = max(voice.present, row.present)
        voice.supports[row.proposal_id] = row.supports
    return list(voices.values())


def reason_text(coop: Coop, line) -> str:
    if line.reason == "no_support":
        return _("nobody supported it")
    return _("did not fit: %(left)s left", left=money_words(coop, line.left_minor))


def supports_text(count: int) -> str:
    return ngettext("%(num)d support", "%(num)d supports", count)


def explain(coop: Coop, result: Count) -> str:
    """The result in words, in the reader's language."""
    funded = len(result.funded)
    parts = [ngettext("%(num)d proposal is funded for %(funded)s of %(amount)s; %(left)s is left.",
                      "%(num)d proposals are funded for %(funded)s of %(amount)s; %(left)s is left.", funded,
                      funded=money_words(coop, result.funded_minor), amount=money_words(coop, result.amount_minor),
                      left=money_words(coop, result.leftover_minor))]
    if result.funded:
        parts.append(_("In order: %(list)s.", list="; ".join(
            f"P-{line.candidate.number} {line.candidate.title} ({supports_text(line.candidate.supports)})"
            for line in result.funded)))
    skipped = [line for line in result.not_funded if line.reason == "did_not_fit"]
    if skipped:
        parts.append(_("Not funded: %(list)s.", list="; ".join(
            f"P-{line.candidate.number} ({reason_text(coop, line)})" for line in skipped)))
    parts.append(_("Rule: %(rule)s: %(text)s", rule=RULE_LABELS[result.rule], text=RULE_TEXTS[result.rule]))
    parts.append(_("Ties: %(text)s", text=TIE_TEXTS[result.tie_rule]))
    if result.ties and result.tie_rule == BudgetTieRule.LOT:
        if result.is_draw_pending:
            parts.append(_("The tie is drawn by lot when the result is put to the assembly; until then the lower "
                           "number is shown first."))
        else:
            parts.append(_("Order drawn: %(order)s.", order="; ".join(
                ", ".join(f"P-{n}" for n in group) for group in result.ties)))
    return " ".join(parts)


def may_see(process: ParticipatoryBudget, today: dt.date, *, is_officer: bool) -> bool:
    """Officers follow the count from the support phase on; members once support has closed."""
    if process.resolution_id is not None:
        return True
    return today >= process.support_opens_on if is_officer else today > process.support_closes_on


def results_of(session: so.Session, coop: Coop, process: ParticipatoryBudget) -> Results:
    result = count_process(session, coop, process)
    return Results(process, result, process.ballots_count, block_voices(session, process), explain(coop, result))
