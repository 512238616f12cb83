"""What YAML 1.1 reads from an unquoted value otherwise than a person reading it does.

PyYAML follows YAML 1.1, where ``010`` is the octal 8, ``2:1`` the base-60 121 and ``1_0`` ten, and an
impossible calendar date stops the parser with a bare ValueError. A data file written by a researcher
means none of these: :func:`scalar_problem` names each, so that the reader says which line to fix.
"""
from __future__ import annotations

import re

import yaml

__all__ = ["scalar_problem"]

#: The numeric tags of YAML 1.1's resolver.
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_ODD_INTEGER = re.compile(r"[-+]?(0[0-7]+|0[xXbB][0-9a-fA-F_]+|[0-9][0-9_]*(:[0-5]?[0-9])+)")


def scalar_problem(node: yaml.ScalarNode) -> str | None:
    """What YAML 1.1 would read from an unquoted value otherwise than a person reading it does, or
    cannot read at all: ``1_0`` (10), ``010`` (8), ``0x10`` (16), ``2:1`` (121), a calendar date that does not exist (``2024-02-30``: PyYAML stops with a bare ValueError).

    >>> [scalar_problem(yaml.compose(v)) is None for v in ("10", "1.5", "true", "2024-02-29", "'010'")]
    [True, True, True, True, True]
    >>> [scalar_problem(yaml.compose(v)) is None for v in ("1_0", "010", "0x10", "2:1", "2023-02-29")]
    [False, False, False, False, False]
    """
    tag, value = node.tag, node.value
    if tag in _NUMBER_TAGS and "_" in value:
        return f"'{value}' is read as a number: write it without '_' (or in quotes if it is text)"
    if tag in _NUMBER_TAGS and (_ODD_INTEGER.fullmatch(value) or ":" in value):
        return f"'{value}' is read as an octal, hexadecimal or base-60 number: write a plain decimal number (or quote it if it is text)"
    if tag == "tag:yaml.org,2002:timestamp":
        try:
            yaml.SafeLoader("").construct_yaml_timestamp(node)
        except ValueError:
            return f"'{value}' is no date of the calendar (write YYYY-MM-DD)"
    return None
