"""Configurable rules as CEL: application conditions, scoring, benefit standards, publicity, alerts.

    cel.compile_expression(source, input_names) -> Program   check + compile, raises CelError
    cel.evaluate(source, inputs, types, expected)            one typed expression, plain Python result
    cel.evaluate_condition(source, data) -> bool             untyped data (BPMN gateway conditions)
    RuleSet(...).validate() -> [Problem]; .check()           on save
    RuleSet.decide / score / compute / run -> Decision       stored with a case; Decision.to_json()
"""
from app.rules.cel import CelError, evaluate, evaluate_condition
from app.rules.ruleset import CONDITION, SCORING, STANDARD, Decision, Input, Outcome, Problem, Rule, RuleSet

__all__ = [
    "CONDITION", "SCORING", "STANDARD", "CelError", "Decision", "Input", "Outcome", "Problem", "Rule", "RuleSet",
    "evaluate", "evaluate_condition",
]
