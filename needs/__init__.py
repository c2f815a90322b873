"""Needs analysis, the method's first phase: what a company's people need.

Two sources: the company's workforce data set (`read_workforce`, indicators) and the needs
interviews workers give the desk (stored by `storage.save_interview`, aggregated here).
Together they become the company needs report (`build_report`, `render_csv`,
`render_html`) with suggested measures linked to the knowledge base, and nothing in it may
point at a person: every figure goes through `needs.suppression`. Company plans
(`read_plan`, `plan_line`) say which measures a company already offers.

Knows storage and the knowledge base's topics only.
"""

from __future__ import annotations

from needs.indicators import INDICATOR_KEYS, INDICATORS, Tally, tally
from needs.interview import INTERVIEW_INDICATORS, aggregate_interviews
from needs.plans import PlanFileError, PlanWording, plan_line, read_plan
from needs.render import render_csv, render_html
from needs.report import TooFewPeople, build_report
from needs.suggestions import RULES, suggest
from needs.suppression import (
    MIN_GROUP_SIZE,
    Cell,
    check_k,
    is_disclosive,
    protect,
    protect_partition,
    stable_cohort,
)
from needs.synth import FORMATS as SYNTH_FORMATS
from needs.synth import synth_rows, write_synth
from needs.workforce import Employee, WorkforceFileError, read_workforce, validate_rows

__all__ = [
    "INDICATORS",
    "INDICATOR_KEYS",
    "INTERVIEW_INDICATORS",
    "MIN_GROUP_SIZE",
    "RULES",
    "SYNTH_FORMATS",
    "Cell",
    "Employee",
    "PlanFileError",
    "PlanWording",
    "Tally",
    "TooFewPeople",
    "WorkforceFileError",
    "aggregate_interviews",
    "build_report",
    "check_k",
    "is_disclosive",
    "plan_line",
    "protect",
    "protect_partition",
    "read_plan",
    "read_workforce",
    "render_csv",
    "render_html",
    "stable_cohort",
    "suggest",
    "synth_rows",
    "tally",
    "validate_rows",
    "write_synth",
]
