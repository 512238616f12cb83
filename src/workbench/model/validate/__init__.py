"""Every check of the workbench's inputs, in one package: one module per kind of input.

Readers (:mod:`workbench.model.reading`, :mod:`workbench.model.settings`, :mod:`workbench.run.matrix`,
:mod:`workbench.analysis.coding`'s review files) parse a file into records with line numbers; the
functions here say what is wrong with them, as :class:`~workbench.model.errors.Problem` lists
(``path:line: message``). A new rule is written once, here. Messages name files and fields,
never a command-line flag: a bad function argument is an :meth:`InputError.parameter`, which the
CLI renames to its flag.

The module is light on purpose (no pandas): a bad input is reported without the start-up cost
of the analysis libraries.
"""
from __future__ import annotations

from workbench.model.validate.data import (broader_problems, dataset_problems, document_problems, framework_problems,
                                          text_file_problem)
from workbench.model.validate.matrix import (REPORT_FIELDS, REPORT_NAME_MAX, RESERVED_REPORT_NAMES, check_name,
                                             parameter_value_problem, report_entry_problems)
from workbench.model.validate.reviews import DECISIONS, review_row_problems
from workbench.model.validate.settings import settings_problems, settings_reference_problems
from workbench.model.values import (check_number, control_character_problem, identity_key, is_invisible, is_web_url,
                                    number_problem, url_problem)

__all__ = [
    "number_problem", "check_number", "url_problem", "is_web_url", "is_invisible", "control_character_problem",
    "identity_key",
    "framework_problems", "dataset_problems", "document_problems", "text_file_problem", "broader_problems",
    "settings_problems", "settings_reference_problems",
    "check_name", "REPORT_FIELDS", "REPORT_NAME_MAX", "RESERVED_REPORT_NAMES", "parameter_value_problem", "report_entry_problems",
    "DECISIONS", "review_row_problems",
]
