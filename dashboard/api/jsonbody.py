"""Strict JSON for request bodies: malformed, too deep, or holding numbers no model input can take are
named errors (400), never a RecursionError or an OverflowError deep inside scoring."""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 32  # a predict or job body is {"instances": [{field: value}]}: depth 3 is all it needs
INT64 = 2**63


class BodyError(ValueError):
    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.code, self.field, self.message = code, field, message


def parse_json_body(raw: bytes | str) -> Any:
    """The parsed body, or :class:`BodyError` (``invalid_json``, ``too_deep``)."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise BodyError("too_deep", "body", f"the JSON is nested deeper than {MAX_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise BodyError("invalid_json", "body", f"the body is not valid JSON{where}") from None
    check_json_value(value)
    return value


def check_record_numbers(records: list[Any], fields: list[str], prefix: str = "instances") -> None:
    """Numbers no model input can take, in the schema's fields (other keys are ignored, as the OpenAPI
    document allows): an integer beyond int64 or a non-finite float, named by path."""
    wanted = set(fields)
    for row, record in enumerate(records):
        if isinstance(record, dict):
            for key in wanted.intersection(record):
                _check_number(record[key], f"{prefix}[{row}].{str(key)[:40]}")


def _check_number(item: Any, path: str) -> None:
    if isinstance(item, bool):
        return
    if isinstance(item, int) and not -INT64 <= item < INT64:
        raise BodyError("number_out_of_range", path[:80], f"{len(str(abs(item)))}-digit integer is out of range")
    if isinstance(item, float) and not math.isfinite(item):
        raise BodyError("number_out_of_range", path[:80], "the number is out of range (not finite)")


def check_json_value(value: Any) -> None:
    """The depth limit, walked without recursion; the error names the path."""
    stack: list[tuple[Any, str, int]] = [(value, "body", 1)]
    while stack:
        item, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BodyError("too_deep", path[:80], f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend(
                (v, f"{path}.{str(k)[:40]}" if path != "body" else str(k)[:40], depth + 1) for k, v in item.items()
            )
        elif isinstance(item, list):
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(item))
