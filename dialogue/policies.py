"""The trained dialogue policies of a project, and what a prediction says.

:meth:`Policies.for_project` reads the project's rules and stories and "trains" the rule
and memoization policies (building their lookup tables takes milliseconds, so it is
done when an engine is built rather than stored). The order in which the engine asks
them is documented in docs/dialogue.md: rules, then the active form, then memoized
stories, then fallback.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dialogue.domain import Domain
from dialogue.memoization import MemoizationPolicy
from dialogue.project import Project
from dialogue.rules import RulePolicy
from dialogue.stories import Story, read_story_files

__all__ = ["Policies", "PolicySettings", "Prediction"]

log = logging.getLogger(__name__)

_KNOWN = {"RulePolicy", "MemoizationPolicy", "AugmentedMemoizationPolicy"}
_DEFAULT_FALLBACK_ACTION = "action_default_fallback"


@dataclass(frozen=True, slots=True)
class Prediction:
    """The next action, the policy that chose it, its confidence, and why (a rule's name,
    how many states a story matched, ...)."""

    action: str
    policy: str
    confidence: float = 1.0
    detail: str | None = None


@dataclass(frozen=True)
class PolicySettings:
    """What config.yml's ``policies:`` says that kefu uses. Without a policies section,
    Rasa's defaults apply (rules and memoization with ``max_history`` 5)."""

    max_history: int = 5
    memoization: bool = True
    augmented: bool = False
    core_fallback_action: str = _DEFAULT_FALLBACK_ACTION

    @classmethod
    def from_config(cls, policies: Sequence[Mapping[str, object]]) -> PolicySettings:
        if not policies:
            return cls()
        names = [str(p.get("name")) for p in policies]
        ignored = [n for n in names if n not in _KNOWN]
        if ignored:
            log.info("policies kefu does not implement are ignored: %s", ", ".join(ignored))
        memo = next(
            (
                p
                for p in policies
                if p.get("name") in ("MemoizationPolicy", "AugmentedMemoizationPolicy")
            ),
            None,
        )
        rule = next((p for p in policies if p.get("name") == "RulePolicy"), {})
        history = memo.get("max_history", 5) if memo is not None else 5
        fallback = rule.get("core_fallback_action_name", _DEFAULT_FALLBACK_ACTION)
        return cls(
            max_history=int(history) if isinstance(history, int) else 5,
            memoization=memo is not None,
            augmented=memo is not None and memo.get("name") == "AugmentedMemoizationPolicy",
            core_fallback_action=str(fallback),
        )


@dataclass(frozen=True)
class Policies:
    rules: RulePolicy
    memoization: MemoizationPolicy | None
    settings: PolicySettings

    @classmethod
    def train(
        cls,
        domain: Domain,
        *,
        stories: Sequence[Story] = (),
        rules: Sequence[Story] = (),
        settings: PolicySettings | None = None,
    ) -> Policies:
        settings = settings or PolicySettings()
        memo = (
            MemoizationPolicy.train(
                stories, domain, max_history=settings.max_history, augmented=settings.augmented
            )
            if settings.memoization
            else None
        )
        return cls(RulePolicy.train(rules, domain), memo, settings)

    @classmethod
    def for_project(cls, project: Project) -> Policies:
        """Policies from the project's data files (stories and rules) and config.yml.
        Malformed story files raise TrainingDataError naming file and line."""
        files = list(dict.fromkeys((*project.story_files, *project.rule_files)))
        found = read_story_files(files)
        return cls.train(
            project.domain,
            stories=found.stories,
            rules=found.rules,
            settings=PolicySettings.from_config(project.config.policies),
        )
