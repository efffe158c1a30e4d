"""The turn engine: one customer message and the conversation so far in, events and
replies out. The app calls :meth:`Engine.handle` once per message and stores the events.

Each turn: start a session if needed, record the message (its parse, the ``language``
slot, the slots the global mappings fill), then ask the policies for the next action
and run it, until the bot listens or :attr:`Engine.max_actions_per_turn` actions ran.
The policies are asked in this order (docs/dialogue.md explains why):

1. a pending ``followup`` action (returned by an action);
2. rules (the best matching rule fragment);
3. the active form (unless it rejected the message, or just ran: then listen);
4. memoized stories;
5. fallback: right after a message, an unsure NLU gets a clarifying question with the
   two likeliest intents as buttons, a rejected form asks its question again, anything
   else gets ``action_default_fallback``; a second failure in a row hands off to a
   person. Otherwise the bot listens.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import TYPE_CHECKING, Any

from dialogue.actions import (
    ActionError,
    ActionExecutor,
    ActionNotFound,
    ActionRejected,
    ActionResult,
    InProcessActions,
    RemoteActions,
    action_call,
    domain_digest,
    domain_json,
    read_action_endpoint,
    tracker_json,
)
from dialogue.actions.loading import actions_package
from dialogue.answering import FactSource, QuestionScope, TurnKnowledge
from dialogue.builtin_actions import (
    ACTION_CLARIFY,
    ACTION_HANDOFF,
    BUILTIN_ACTIONS,
    focus_on,
    run_builtin,
    session_start_events,
)
from dialogue.clock import DEFAULT_SUPPORT_HOURS, Clock, SupportHours, system_clock
from dialogue.domain import Domain
from dialogue.events import (
    ACTION_LISTEN,
    ActionExecuted,
    ActionExecutionRejected,
    BotUttered,
    Event,
    LoopInterrupted,
    SlotSet,
    UserUttered,
    event_from_dict,
    events_from_dicts,
)
from dialogue.forms import FormRun, run_form
from dialogue.graph_first import GraphFirst
from dialogue.nlu.types import Entity, IntentScore, ParseResult
from dialogue.policies import Policies, Prediction
from dialogue.responses import Message, fact_nodes, render_response
from dialogue.slot_filling import extract_global_slots
from dialogue.turn import BotReply, TrackerSnapshot, Turn

if TYPE_CHECKING:
    from dialogue.orders import OrderStore
    from dialogue.project import Project
    from dialogue.training import TrainedAssistant

__all__ = ["BotReply", "Engine", "TurnOutcome", "message_language"]

log = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
_PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z_][\w-]*)(?P<entities>\{.*\})?$", re.DOTALL)
_FAILURES = frozenset({ACTION_CLARIFY, "action_two_stage_fallback"})


@dataclass(frozen=True, slots=True)
class TurnOutcome:
    events: tuple[Mapping[str, Any], ...]  # new tracker events, as stored dicts
    replies: tuple[BotReply, ...]
    parse: ParseResult | None = None
    fallback: bool = False
    handoff_requested: bool = False
    # Seconds per stage: nlu, policy, action (knowledge answers: generation, checking too).
    timings: Mapping[str, float] = field(default_factory=dict)
    # What ran and why, for debugging (kefu shell --debug); not stored.
    predictions: tuple[Prediction, ...] = ()
    # The slots after the turn.
    slots: Mapping[str, Any] = field(default_factory=dict)
    # What the next turn starts from once ``events`` are stored (None: fold them again).
    snapshot: TrackerSnapshot | None = field(default=None, repr=False, compare=False)


class Engine:
    """Stateless between turns: everything it knows about a conversation is in its events.

    Build one per trained assistant (:meth:`for_project` wires actions, orders, the
    catalogue answerer and the clock from a project folder) and call :meth:`handle`.
    """

    def __init__(
        self,
        assistant: TrainedAssistant,
        *,
        fallback_threshold: float = 0.45,
        process_confidence: float = 0.9,
        rng: random.Random | None = None,
        policies: Policies | None = None,
        actions: ActionExecutor | None = None,
        knowledge: TurnKnowledge | None = None,
        clock: Clock = system_clock,
        support_hours: SupportHours = DEFAULT_SUPPORT_HOURS,
        max_actions_per_turn: int = 10,
    ) -> None:
        if max_actions_per_turn < 1:
            raise ValueError("max_actions_per_turn must be at least 1")
        self.assistant = assistant
        self.domain: Domain = assistant.domain
        self.fallback_threshold = fallback_threshold
        self.process_confidence = process_confidence
        self.rng = rng or random.Random()
        self.policies = policies or Policies.train(self.domain)
        self.actions = actions
        self.knowledge = knowledge
        self.clock = clock
        self.support_hours = support_hours
        self.max_actions_per_turn = max_actions_per_turn
        self.initial_slots: Mapping[str, Any] = {
            s.name: s.initial_value for s in self.domain.slots if s.initial_value is not None
        }
        self._domain_json = domain_json(self.domain)
        self._domain_digest = domain_digest(self._domain_json)

    @classmethod
    def for_project(
        cls,
        project: Project,
        assistant: TrainedAssistant,
        *,
        orders: OrderStore | None = None,
        clock: Clock = system_clock,
        actions: ActionExecutor | None = None,
        actions_module: str | ModuleType | None = None,
        knowledge: TurnKnowledge | None = None,
        **options: Any,
    ) -> Engine:
        """An engine for ``project``: its rules and stories; its actions (the action server
        of endpoints.yml if it names one, else ``actions_module`` or the project's
        ``actions`` package in-process, given ``orders``, ``clock`` and ``graph``, the
        knowledge answerer's graph getter when it has one); and, unless
        ``knowledge`` is given, answers from the project's knowledge/ graph files (composed
        from the facts, no language model) if it has any.
        ``options`` go to the constructor."""
        from dialogue.knowledge.conversation import ConversationKnowledge

        if knowledge is None:
            knowledge = ConversationKnowledge.for_project(project.root)
        if actions is None:
            endpoint = read_action_endpoint(project.root / "endpoints.yml")
            if endpoint is not None:
                actions = RemoteActions(endpoint.url, timeout=endpoint.timeout)
            else:
                package = actions_module or actions_package(project.root)
                if package is not None:
                    graph = (
                        knowledge.graph if isinstance(knowledge, ConversationKnowledge) else None
                    )
                    actions = InProcessActions.from_package(
                        package, root=project.root, orders=orders, clock=clock, graph=graph
                    )
        return cls(
            assistant,
            policies=Policies.for_project(project),
            actions=actions,
            knowledge=knowledge,
            clock=clock,
            **options,
        )

    # --- the NLU ---------------------------------------------------------------------------
    def parse(self, text: str, *, language: str | None = None) -> ParseResult:
        """NLU for one message. ``/intent`` and ``/intent{"entity": "value"}`` payloads (from
        buttons) skip the classifier and keep ``language`` (the conversation's)."""
        payload = _PAYLOAD.match(text.strip())
        if payload and payload["intent"] in self.domain.intent_names:
            entities = _payload_entities(payload["entities"])
            if entities is not None:
                score = IntentScore(payload["intent"], 1.0)
                return ParseResult(
                    text=text,
                    intent=score,
                    intent_ranking=(score,),
                    entities=entities,
                    language=language or "en",
                )
        return self.assistant.nlu.parse(text)

    # --- one turn --------------------------------------------------------------------------
    async def handle(
        self,
        *,
        history: Sequence[Mapping[str, Any]],
        text: str,
        message_seq: int | None = None,
        locale: str | None = None,
        conversation_id: str | None = None,
        snapshot: TrackerSnapshot | None = None,
    ) -> TurnOutcome:
        """Answer ``text`` given the stored events ``history``; append the outcome's events.

        With ``snapshot`` (the previous outcome's, which this turn takes over), ``history``
        holds only the events stored after it."""
        now = self.clock()
        turn = Turn(
            self.domain,
            events_from_dicts(history),
            initial_slots=self.initial_slots,
            now=now.timestamp(),
            sender_id=conversation_id or "customer",
            snapshot=snapshot,
        )
        if self._session_needed(turn):
            session_start_events(turn, self)
        current_language = turn.state.language or (locale if locale in ("en", "zh") else None)
        started = time.perf_counter()
        parse = self.parse(text, language=current_language)
        turn.timed("nlu", time.perf_counter() - started)
        language = message_language(parse, current_language)
        if language != parse.language:
            parse = replace(parse, language=language)
        user = UserUttered(
            text=text,
            intent=parse.intent.name,
            confidence=parse.intent.confidence,
            entities=tuple(e.to_dict() for e in parse.entities),
            language=parse.language,
            message_seq=message_seq,
            parse_data=parse.to_dict(),
            timestamp=turn.now,
        )
        turn.add(user)
        if turn.state.paused:
            # A person has the conversation: record the message, say nothing.
            return self._outcome(turn, parse)
        if turn.state.language != parse.language:
            turn.add(SlotSet("language", parse.language, timestamp=turn.now))
        for name, value in extract_global_slots(self.domain, self._things_named(user)).items():
            if turn.state.slots.get(name) != value:
                turn.add(SlotSet(name, value, timestamp=turn.now))
        await self._run_actions(turn)
        return self._outcome(turn, parse)

    def _things_named(self, user: UserUttered) -> UserUttered:
        """The message as slots read it: an attribute's value the NLU took for a thing
        ("is it in San Jose?") leaves the thing in focus as it is."""
        if not isinstance(self.knowledge, QuestionScope) or not user.entities:
            return user
        try:
            kept = self.knowledge.without_values(user.entities)
        except Exception:
            log.exception("the knowledge answerer could not read the entities")
            return user
        return user if len(kept) == len(user.entities) else replace(user, entities=tuple(kept))

    def _outcome(self, turn: Turn, parse: ParseResult) -> TurnOutcome:
        return TurnOutcome(
            events=tuple(e.to_dict() for e in turn.new),
            replies=tuple(turn.replies),
            parse=parse,
            fallback=turn.fallback,
            handoff_requested=turn.handoff,
            predictions=tuple(turn.predictions),
            timings=dict(turn.timings),
            slots=dict(turn.state.slots),
            snapshot=turn.snapshot(),
        )

    def _session_needed(self, turn: Turn) -> bool:
        if not turn.session_open:
            return True
        minutes = self.domain.session_config.session_expiration_time
        last_time = turn.latest_time
        return bool(minutes > 0 and last_time is not None and turn.now - last_time > minutes * 60)

    async def _run_actions(self, turn: Turn) -> None:
        last = Prediction(ACTION_LISTEN, "none")
        while True:
            started = time.perf_counter()
            prediction = self.predict(turn)
            turn.timed("policy", time.perf_counter() - started)
            last = prediction
            if prediction.action == ACTION_LISTEN:
                break
            if turn.executed >= self.max_actions_per_turn:
                log.warning(
                    "stopped after %d actions in one turn (next would be %s by %s); listening",
                    turn.executed,
                    prediction.action,
                    prediction.policy,
                )
                last = Prediction(ACTION_LISTEN, "ActionLimit")
                break
            turn.executed += 1
            turn.predictions.append(prediction)
            started = time.perf_counter()
            await self._execute(turn, prediction)
            turn.timed("action", time.perf_counter() - started)
            if turn.stop:
                last = Prediction(ACTION_LISTEN, last.policy)
                break
        turn.predictions.append(last)
        turn.add(ActionExecuted(ACTION_LISTEN, last.policy, last.confidence, timestamp=turn.now))

    # --- choosing the next action ----------------------------------------------------------
    def predict(self, turn: Turn) -> Prediction:
        """The next action for the conversation in ``turn`` (see the module docstring); the
        first one after a message is re-decided with the graph (:mod:`dialogue.graph_first`)."""
        prediction = self._policy_prediction(turn)
        state = turn.state
        message = state.latest_message
        if turn.executed or state.latest_action != ACTION_LISTEN or message is None:
            return prediction
        if state.followup_action:
            return prediction
        loop = state.active_loop
        return GraphFirst(
            self.domain, self.knowledge, self._core_fallback, self.process_confidence
        ).route(
            prediction,
            text=message.text,
            confidence=message.confidence,
            entities=list(message.entities),
            slots=dict(state.slots),
            language="zh" if state.language == "zh" else "en",
            active_loop=loop.name if loop is not None else None,
        )

    def _policy_prediction(self, turn: Turn) -> Prediction:
        state = turn.state
        if state.followup_action:
            return Prediction(state.followup_action, "FollowupAction")
        records, current = turn.states.records, turn.states.current()
        loop = state.active_loop
        after_message = state.latest_action == ACTION_LISTEN and state.latest_message is not None
        waiting_form = loop is not None and state.latest_action != loop.name

        rule = self.policies.rules.predict(records, current, skip_implicit_listen=waiting_form)
        if rule is not None and rule.action not in turn.rejected:
            return Prediction(rule.action, "RulePolicy", 1.0, rule.rule)
        if loop is not None:
            if state.latest_action == loop.name:
                return Prediction(ACTION_LISTEN, "FormPolicy", 1.0, loop.name)
            if not loop.rejected:
                detail = "ask again" if not loop.validate else "fill"
                return Prediction(loop.name, "FormPolicy", 1.0, detail)
        memo = self.policies.memoization
        if memo is not None:
            found = memo.predict(records, current)
            if found is not None and found.action not in turn.rejected:
                return Prediction(found.action, "MemoizationPolicy", 1.0, f"{found.history} states")
        if not after_message:
            return Prediction(ACTION_LISTEN, "FallbackPolicy", 1.0, "nothing more to do")
        message = state.latest_message
        failed_before = any(
            a in _FAILURES or a == self._core_fallback for a in turn.previous_turn_actions()
        )
        unsure = message is not None and (
            message.intent == FALLBACK_INTENT
            or (message.confidence is not None and message.confidence < self.fallback_threshold)
        )
        if (unsure or loop is None) and failed_before:
            return Prediction(ACTION_HANDOFF, "FallbackPolicy", 1.0, "second failure in a row")
        if unsure:
            confidence = message.confidence if message and message.confidence else 0.0
            return Prediction(ACTION_CLARIFY, "FallbackPolicy", confidence, "NLU unsure")
        if loop is not None:
            return Prediction(loop.name, "FormPolicy", 1.0, "ask again")
        return Prediction(self._core_fallback, "FallbackPolicy", 1.0, "no policy predicted")

    @property
    def _core_fallback(self) -> str:
        return self.policies.settings.core_fallback_action

    # --- running an action -----------------------------------------------------------------
    async def _execute(self, turn: Turn, prediction: Prediction) -> None:
        name = prediction.action
        state = turn.state
        loop = state.active_loop
        if loop is not None and state.latest_action == ACTION_LISTEN and name != loop.name:
            # Something else answers the message: the form will ask again afterwards.
            turn.add(LoopInterrupted(True, timestamp=turn.now))
        elif loop is not None and name == loop.name and prediction.detail == "ask again":
            turn.add(LoopInterrupted(True, timestamp=turn.now))
        if name in BUILTIN_ACTIONS:
            await run_builtin(self, turn, name, prediction)
        elif name.startswith("text:"):
            turn.add(
                ActionExecuted(
                    None,
                    prediction.policy,
                    prediction.confidence,
                    action_text=name[5:],
                    timestamp=turn.now,
                )
            )
            turn.say(Message(name[5:]))
        elif name in self.domain.responses:
            turn.add(
                ActionExecuted(name, prediction.policy, prediction.confidence, timestamp=turn.now)
            )
            turn.say(self.render(name, turn.state.slots))
            # What the response states is in focus: "how long does it take?" after the
            # shipping answer.
            focus_on(self.domain, turn, fact_nodes(self.domain, name))
        elif self.domain.form(name) is not None:
            outcome = await run_form(self, turn, name, prediction)
            if outcome is FormRun.FAILED:
                turn.stop = True
            elif outcome is FormRun.REJECTED:
                # As for custom actions: no policy may predict it again for this message
                # (a rule that starts the form would otherwise loop until the action limit).
                turn.rejected.add(name)
        else:
            await self._run_custom(turn, name, prediction)

    async def _run_custom(self, turn: Turn, name: str, prediction: Prediction) -> None:
        try:
            result = await self.call_action(name, turn)
        except ActionRejected:
            turn.add(
                ActionExecutionRejected(
                    name, prediction.policy, prediction.confidence, timestamp=turn.now
                )
            )
            turn.rejected.add(name)
            return
        except ActionError as error:
            turn.add(
                ActionExecuted(name, prediction.policy, prediction.confidence, timestamp=turn.now)
            )
            self.fail(turn, name, error)
            return
        turn.add(ActionExecuted(name, prediction.policy, prediction.confidence, timestamp=turn.now))
        self.apply_result(turn, result)

    async def call_action(
        self, name: str, turn: Turn, *, extra_events: Sequence[Event] = ()
    ) -> ActionResult:
        """Run custom action ``name`` through the executor with the webhook contract;
        ``extra_events`` are appended to the tracker it sees (a form's slot candidates)."""
        if self.actions is None:
            raise ActionNotFound(name, "no action executor is configured for this assistant")
        events = [*turn.since_restart(), *extra_events]
        state = turn.state_with(extra_events) if extra_events else turn.state
        tracker = tracker_json(
            sender_id=turn.sender_id,
            events=events,
            state=state,
            domain=self.domain,
        )
        call = action_call(
            name, tracker=tracker, domain=self._domain_json, digest=self._domain_digest
        )
        return await self.actions.run(call)

    def apply_result(self, turn: Turn, result: ActionResult) -> None:
        """Send an action's messages (rendered with the slots its events set) and add its
        events, in Rasa's order: messages first."""
        events = [event_from_dict(e) for e in result.events]
        slots = dict(turn.state.slots)
        for event in events:
            if isinstance(event, SlotSet):
                slots[event.name] = event.value
        for response in result.responses:
            turn.say(self._message(response, slots))
        for event in events:
            if isinstance(event, BotUttered):
                turn.say(Message(event.text, event.response, event.buttons, event.data))
            else:
                turn.add(event)

    def fail(self, turn: Turn, name: str, error: ActionError) -> None:
        """An action gave no result: log the error, apologise, end the turn."""
        log.error("action %s failed: %s", name, error, exc_info=error.__cause__ or error)
        if "utter_action_failed" in self.domain.responses:
            turn.say(self.render("utter_action_failed", turn.state.slots))
        else:
            language = "zh" if turn.state.language == "zh" else "en"
            turn.say(Message(_ACTION_FAILED[language], response="utter_action_failed"))
        turn.stop = True

    def render(
        self, name: str, slots: Mapping[str, Any], values: Mapping[str, Any] | None = None
    ) -> Message:
        facts = self.knowledge.render_fact if isinstance(self.knowledge, FactSource) else None
        return render_response(self.domain, name, slots, rng=self.rng, values=values, facts=facts)

    def _message(self, response: Mapping[str, Any], slots: Mapping[str, Any]) -> Message:
        """A rasa-sdk ``utter_message`` dict as a message."""
        template = response.get("response") or response.get("template")
        known = {
            "text",
            "buttons",
            "elements",
            "custom",
            "template",
            "response",
            "image",
            "attachment",
            "quick_replies",
        }
        values = {k: v for k, v in response.items() if k not in known}
        if template:
            message = self.render(str(template), slots, values)
        else:
            message = Message(str(response.get("text") or ""))
        buttons = tuple(
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in response.get("buttons") or ()
            if isinstance(b, Mapping)
        )
        extra = dict(message.extra)
        for key in ("image", "attachment", "custom", "elements"):
            if response.get(key):
                extra[key] = response[key]
        return Message(message.text, message.response, buttons or message.buttons, extra)


_ACTION_FAILED = {
    "en": "Sorry, something went wrong on my side. Please try again in a moment.",
    "zh": "抱歉，我这边出了点问题，请稍后再试。",
}


_WORD = re.compile(r"[^\s]+")
_LETTERS = re.compile(r"^[^\W\d_]{2,}$")


def message_language(parse: ParseResult, current: str | None) -> str:
    """The language to answer ``parse`` in: its own, except that a message with no words
    of its own (an order ID, an email address, "A10001 / 12:30") keeps the conversation's
    ``current`` language."""
    if current is None or parse.language == current or parse.language != "en":
        return parse.language
    text = list(parse.text)
    for entity in parse.entities:
        text[entity.start : entity.end] = " " * (entity.end - entity.start)
    words = [
        w.strip(".,!?;:()[]\"'")
        for w in _WORD.findall("".join(text))
        if "@" not in w and not any(c.isdigit() for c in w)
    ]
    return parse.language if any(_LETTERS.match(w) for w in words) else current


def _payload_entities(raw: str | None) -> tuple[Entity, ...] | None:
    """Entities of a payload's JSON part (None: not valid JSON, so not a payload)."""
    if not raw:
        return ()
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    entities = []
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            entities.append(Entity(str(name), item, 0, 0, "payload", 1.0, text=str(item)))
    return tuple(entities)
