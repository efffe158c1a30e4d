"""Actions every assistant has, run by the engine itself (their names are reserved).

=========================  ==================================================================
``action_listen``          end the bot's turn
``action_session_start``   start a session, carrying the slots over when the domain says so
``action_restart``         forget the conversation (``utter_restart`` first, if defined)
``action_default_fallback``  nothing fits: ``utter_default``
``action_clarify``         the NLU was unsure: ask with the two likeliest intents as buttons
                           (``action_two_stage_fallback`` is the same, for Rasa projects)
``action_deactivate_loop`` stop the active form
``action_handoff``         ask for a human agent (``utter_handoff``; ``utter_out_of_hours``
                           outside support hours); the turn's outcome says handoff_requested
``action_knowledge_answer``  answer a product question with the knowledge answerer
=========================  ==================================================================
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from dialogue.answering import SET_QUESTION_SLOT, SET_SHOWN_SLOT, TurnKnowledge
from dialogue.clock import Clock, SupportHours
from dialogue.domain import REQUESTED_SLOT, Domain
from dialogue.events import (
    ACTION_LISTEN,
    ActionExecuted,
    ActiveLoop,
    Handoff,
    HandoffStatus,
    Restarted,
    SessionStarted,
    SlotSet,
)
from dialogue.policies import Prediction
from dialogue.responses import FALLBACK_TEXT, Message
from dialogue.turn import Turn

__all__ = [
    "ACTION_CLARIFY",
    "ACTION_DEACTIVATE_LOOP",
    "ACTION_DEFAULT_FALLBACK",
    "ACTION_HANDOFF",
    "ACTION_KNOWLEDGE_ANSWER",
    "ACTION_RESTART",
    "ACTION_SESSION_START",
    "BUILTIN_ACTIONS",
    "BuiltinHost",
    "focus_on",
    "run_builtin",
    "session_start_events",
]

log = logging.getLogger(__name__)

ACTION_SESSION_START = "action_session_start"
ACTION_RESTART = "action_restart"
ACTION_DEFAULT_FALLBACK = "action_default_fallback"
ACTION_CLARIFY = "action_clarify"
ACTION_TWO_STAGE_FALLBACK = "action_two_stage_fallback"
ACTION_DEACTIVATE_LOOP = "action_deactivate_loop"
ACTION_HANDOFF = "action_handoff"
ACTION_KNOWLEDGE_ANSWER = "action_knowledge_answer"

BUILTIN_ACTIONS = frozenset(
    {
        ACTION_LISTEN,
        ACTION_SESSION_START,
        ACTION_RESTART,
        ACTION_DEFAULT_FALLBACK,
        ACTION_CLARIFY,
        ACTION_TWO_STAGE_FALLBACK,
        ACTION_DEACTIVATE_LOOP,
        ACTION_HANDOFF,
        ACTION_KNOWLEDGE_ANSWER,
    }
)

_CLARIFY = {
    "en": "Sorry, I'm not sure what you mean. Is it one of these?",
    "zh": "抱歉，我不太确定您的意思。请问是以下哪一项？",
}
_HANDOFF = {
    "en": "I'm handing this conversation over to a human agent now.",
    "zh": "正在为您转接人工客服。",
}
_ASK_WHICH = {
    "en": "Which one do you mean? Its name is enough.",
    "zh": "请问您指的是哪一个？告诉我名称即可。",
}
#: The graph holds nothing the question asks: say so, never guess (``utter_knowledge_unknown``
#: in the domain replaces it).
_UNKNOWN = {
    "en": "I'm sorry, I don't have that information. Would you like me to connect you with a person?",
    "zh": "抱歉，我这里没有这方面的信息。需要为您转接人工客服吗？",
}
_PERSON_BUTTON = {"en": "Talk to a person", "zh": "转人工客服"}
_OUT_OF_HOURS = {
    "en": "Our agents are offline right now. Please leave a message and an agent will reply.",
    "zh": "客服现在不在线。请留言，客服会尽快回复您。",
}


class BuiltinHost(Protocol):
    domain: Domain
    knowledge: TurnKnowledge | None
    clock: Clock
    support_hours: SupportHours
    initial_slots: Mapping[str, Any]

    def render(
        self, name: str, slots: Mapping[str, Any], values: Mapping[str, Any] | None = None
    ) -> Message: ...


def _language(turn: Turn) -> str:
    return "zh" if turn.state.language == "zh" else "en"


def _say(host: BuiltinHost, turn: Turn, response: str, default: Mapping[str, str]) -> None:
    if response in host.domain.responses:
        turn.say(host.render(response, turn.state.slots))
    else:
        turn.say(Message(default[_language(turn)], response=None))


def session_start_events(turn: Turn, host: BuiltinHost) -> None:
    """Start a session (Rasa's ``action_session_start``) and wait for the message."""
    carried = {
        name: value
        for name, value in turn.state.slots.items()
        if value is not None and name != REQUESTED_SLOT and host.initial_slots.get(name) != value
    }
    turn.add(ActionExecuted(ACTION_SESSION_START, timestamp=turn.now))
    turn.add(SessionStarted(timestamp=turn.now))
    if host.domain.session_config.carry_over_slots_to_new_session:
        for name, value in carried.items():
            turn.add(SlotSet(name, value, timestamp=turn.now))
    turn.add(ActionExecuted(ACTION_LISTEN, timestamp=turn.now))


def _button_title(host: BuiltinHost, turn: Turn, intent: str) -> str:
    response = f"utter_button_{intent}"
    if response in host.domain.responses:
        return host.render(response, turn.state.slots).text
    return intent.replace("_", " ").capitalize()


def clarifying_buttons(host: BuiltinHost, turn: Turn) -> tuple[dict[str, str], ...]:
    """The two likeliest real intents of the latest message, as ``/intent`` buttons."""
    message = turn.state.latest_message
    ranking = message.intent_ranking if message is not None else []
    names: list[str] = []
    for item in ranking:
        name = str(item.get("name"))
        if name != "nlu_fallback" and name in host.domain.intent_names and name not in names:
            names.append(name)
        if len(names) == 2:
            break
    return tuple({"title": _button_title(host, turn, n), "payload": f"/{n}"} for n in names)


async def run_builtin(host: BuiltinHost, turn: Turn, name: str, prediction: Prediction) -> None:
    """Run built-in action ``name``, adding its events (and replies) to ``turn``."""
    turn.add(ActionExecuted(name, prediction.policy, prediction.confidence, timestamp=turn.now))
    match name:
        case "action_restart":
            if "utter_restart" in host.domain.responses:
                turn.say(host.render("utter_restart", turn.state.slots))
            turn.add(Restarted(timestamp=turn.now))
        case "action_default_fallback":
            turn.fallback = True
            _say(host, turn, "utter_default", FALLBACK_TEXT)
        case "action_clarify" | "action_two_stage_fallback":
            turn.fallback = True
            buttons = clarifying_buttons(host, turn)
            if "utter_clarify" in host.domain.responses:
                text = host.render("utter_clarify", turn.state.slots).text
            else:
                text = _CLARIFY[_language(turn)]
            turn.say(Message(text, response="utter_clarify", buttons=buttons))
        case "action_deactivate_loop":
            turn.add(ActiveLoop(None, timestamp=turn.now))
            turn.add(SlotSet(REQUESTED_SLOT, None, timestamp=turn.now))
        case "action_handoff":
            await _handoff(host, turn)
        case "action_knowledge_answer":
            await _knowledge_answer(host, turn)
        case "action_session_start":
            session_start_events(turn, host)


def _say_unknown(host: BuiltinHost, turn: Turn) -> None:
    """ "I don't have that", with a button for a person when the assistant has a handoff
    intent (``utter_knowledge_unknown`` in the domain says it in the business's words)."""
    if "utter_knowledge_unknown" in host.domain.responses:
        turn.say(host.render("utter_knowledge_unknown", turn.state.slots))
        return
    lang = _language(turn)
    buttons: tuple[dict[str, str], ...] = ()
    handoff = next(
        (i for i in ("human_handoff", "handoff", "talk_to_human") if i in host.domain.intent_names),
        None,
    )
    if handoff is not None:
        buttons = ({"title": _PERSON_BUTTON[lang], "payload": f"/{handoff}"},)
    turn.say(Message(_UNKNOWN[lang], response="utter_knowledge_unknown", buttons=buttons))


async def _handoff(host: BuiltinHost, turn: Turn) -> None:
    if turn.state.active_loop is not None:
        # A person takes over: the form's questions stop here.
        turn.add(ActiveLoop(None, timestamp=turn.now))
        turn.add(SlotSet(REQUESTED_SLOT, None, timestamp=turn.now))
    open_now = host.support_hours.open_at(host.clock())
    turn.add(
        Handoff(
            HandoffStatus.REQUESTED,
            reason="customer" if not turn.fallback else "fallback",
            timestamp=turn.now,
        )
    )
    if open_now:
        _say(host, turn, "utter_handoff", _HANDOFF)
    else:
        _say(host, turn, "utter_out_of_hours", _OUT_OF_HOURS)
    turn.handoff = True
    turn.stop = True


async def _knowledge_answer(host: BuiltinHost, turn: Turn) -> None:
    state = turn.state
    message = state.latest_message
    intent = message.intent if message is not None else None
    if host.knowledge is None:
        response = f"utter_{intent}" if intent else "utter_default"
        _say(
            host,
            turn,
            response if response in host.domain.responses else "utter_default",
            FALLBACK_TEXT,
        )
        return
    try:
        reply = await host.knowledge.answer(
            message.text if message is not None else "",
            entities=list(message.entities) if message is not None else [],
            slots=dict(state.slots),
            language=_language(turn),
            intent=intent,
        )
    except Exception:
        log.exception("the knowledge answerer failed")
        _say(host, turn, "utter_action_failed", FALLBACK_TEXT)
        return
    for stage, seconds in reply.timings.items():
        turn.timed(stage, seconds)
    if reply.fell_back or not reply.text:
        if reply.ask_which:
            _say(host, turn, "utter_ask_product", _ASK_WHICH)
        else:
            _say_unknown(host, turn)
        focus_on(host.domain, turn, reply.focus)
        return
    extra: dict[str, Any] = {
        "sources": [dict(s) for s in reply.sources],
        "claims": [dict(c) for c in reply.claims],
    }
    if reply.draft is not None and reply.draft.strip() != reply.text.strip():
        # What the model wrote, what the checker caught in it and what was done about it:
        # agents see it in the console, the metrics count it.
        extra["draft"] = reply.draft
        extra["repaired_claims"] = [dict(c) for c in reply.caught]
        extra["repairs"] = [dict(r) for r in reply.repairs]
    turn.say(Message(reply.text, response=None, extra=extra))
    focus_on(host.domain, turn, reply.focus)
    if reply.listing is not None:
        remember_listing(host.domain, turn, *reply.listing)


def remember_listing(domain: Domain, turn: Turn, question: str, shown: Sequence[str]) -> None:
    """Keep a list answer's question and the things it showed (the ``set_question`` /
    ``set_shown`` slots the domain has) for "something else?" and "look for one in SD"."""
    if domain.slot(SET_QUESTION_SLOT) is not None:
        turn.add(SlotSet(SET_QUESTION_SLOT, question, timestamp=turn.now))
    if domain.slot(SET_SHOWN_SLOT) is not None:
        turn.add(SlotSet(SET_SHOWN_SLOT, list(shown), timestamp=turn.now))


def focus_on(domain: Domain, turn: Turn, nodes: Sequence[str]) -> None:
    """Put ``nodes`` in focus for follow-ups (the ``product`` / ``products`` slots the
    domain has): what a knowledge answer or a fact-stating response is about. For an
    answer that is the things named, else its subjects, or the things an unanswered
    question named, whatever the NLU read ("Is Copper Kitchen any good?" → "I don't know",
    then "how cheap is it?" is still about Copper Kitchen)."""
    if not nodes:
        return
    if domain.slot("product") is not None:
        turn.add(SlotSet("product", nodes[0], timestamp=turn.now))
    if domain.slot("products") is not None:
        turn.add(SlotSet("products", list(nodes), timestamp=turn.now))
