"""A vote's outcome in words and numbers, as the minutes, the hall screen and the resolution say it:
"Carried: 312 in favour, 45 against, 20 abstentions; 252 were required (two thirds of the votes
cast)". Written once, at close, in the language of whoever closed the vote (the co-op's), and
kept with the round, so the record never changes with a later translation.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from meetings.majority import Outcome
from meetings.models import Choice, MajorityRule, VoteRound

#: how the required figure was reckoned, as the parenthesis after it says (the rules naming a
#: number of voters are worded in ``_reason``)
RULE_REASONS = {
    MajorityRule.SIMPLE: _l("more than half of the votes cast"),
    MajorityRule.TWO_THIRDS_CAST: _l("two thirds of the votes cast"),
    MajorityRule.UNANIMITY: _l("unanimity"),
}


def _reason(vote_round: VoteRound) -> str:
    if vote_round.majority == MajorityRule.ABSOLUTE_PRESENT:
        return _("more than half of the %(present)d present and represented", present=vote_round.present_voters)
    if vote_round.majority == MajorityRule.TWO_THIRDS_MEMBERS:
        return _("two thirds of the %(roll)d voters on the roll", roll=vote_round.roll_voters)
    reason = str(RULE_REASONS[vote_round.majority])
    if vote_round.abstentions_count and vote_round.majority != MajorityRule.UNANIMITY:
        reason = _("%(reason)s, abstentions counted", reason=reason)
    return reason


def outcome_text(vote_round: VoteRound, outcome: Outcome) -> str:
    """The outcome of a closed round in a sentence, with its numbers."""
    text = _("%(verdict)s: %(yes)s, %(no)s, %(abstain)s; %(required)s (%(reason)s)",
             verdict=_("Carried") if outcome.is_carried else _("Defeated"),
             yes=ngettext("%(num)d in favour", "%(num)d in favour", vote_round.yes_count),
             no=ngettext("%(num)d against", "%(num)d against", vote_round.no_count),
             abstain=ngettext("%(num)d abstention", "%(num)d abstentions", vote_round.abstain_count),
             required=ngettext("%(num)d was required", "%(num)d were required", outcome.required),
             reason=_reason(vote_round))
    if outcome.is_tie and outcome.casting_vote == Choice.YES:
        text += _("; a tie, settled in favour by the chair's casting vote")
    elif outcome.is_tie and outcome.casting_vote == Choice.NO:
        text += _("; a tie, settled against by the chair's casting vote")
    elif outcome.is_tie:
        text += _("; a tie, which does not carry a motion")
    return text
