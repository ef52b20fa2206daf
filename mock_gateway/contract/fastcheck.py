"""A fast yes-check for the simple schemas on the hot path (queries, bodies, fixture rows).

jsonschema is exact but walks its validator machinery for every value; these closures answer
"certainly valid" for the subset of keywords our request and fixture schemas use. They are
conservative: when a value is unusual (a float where an integer is expected, a keyword outside
the subset) they answer False and jsonschema decides, so verdicts and messages never differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]
_ANNOTATIONS = {"$schema", "$id", "title", "description", "x-expect", "format"}


def _never(value: Any) -> bool:
    return False


def compile_check(schema: Any, resolve: Callable[[str], Any]) -> Check:
    """Compile `schema`; a keyword outside the subset makes the check defer to jsonschema."""
    if not isinstance(schema, dict):
        return _never
    if "$ref" in schema:
        if set(schema) - _ANNOTATIONS - {"$ref"}:
            return _never
        return compile_check(resolve(schema["$ref"]), resolve)
    types: frozenset[type] | None = None
    scalar: list[Check] = []  # checks of the value itself
    items: Check | None = None
    props: dict[str, Check] = {}
    required: tuple[str, ...] = ()
    closed = False
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS or keyword == "properties":
            continue
        if keyword == "type":
            types = _types(value)
            if types is None:
                return _never
        elif keyword == "items":
            items = compile_check(value, resolve)
        elif keyword == "required":
            required = tuple(value)
        elif keyword == "additionalProperties":
            if value is False:
                closed = True
            elif value is not True:
                return _never
        else:
            made = _scalar(keyword, value)
            if made is None:
                return _never
            scalar.append(made)
    if "properties" in schema:
        props = {k: compile_check(s, resolve) for k, s in schema["properties"].items()}
    known = frozenset(props)

    def check(value: Any) -> bool:
        if types is not None and type(value) not in types:
            return False
        for one in scalar:
            if not one(value):
                return False
        kind = type(value)
        if kind is list and items is not None:
            for item in value:
                if not items(item):
                    return False
        elif kind is dict:
            for key in required:
                if key not in value:
                    return False
            for key, item in value.items():
                sub = props.get(key)
                if sub is not None:
                    if not sub(item):
                        return False
                elif closed and key not in known:
                    return False
        return True

    return check


def _scalar(name: str, value: Any) -> Check | None:
    if name == "enum":
        if not all(isinstance(m, str) for m in value):
            return None
        allowed = frozenset(value)
        return lambda v: type(v) is str and v in allowed
    if name == "const":
        return lambda v: type(v) is type(value) and v == value
    if name == "minimum":
        return lambda v: type(v) not in (int, float) or v >= value
    if name == "maximum":
        return lambda v: type(v) not in (int, float) or v <= value
    if name == "exclusiveMinimum":
        return lambda v: type(v) not in (int, float) or v > value
    if name == "minLength":  # jsonschema counts code points, as len() does
        return lambda v: type(v) is not str or len(v) >= value
    if name == "maxLength":
        return lambda v: type(v) is not str or len(v) <= value
    if name == "minItems":
        return lambda v: type(v) is not list or len(v) >= value
    if name == "maxItems":
        return lambda v: type(v) is not list or len(v) <= value
    if name == "minProperties":
        return lambda v: type(v) is not dict or len(v) >= value
    if name == "maxProperties":
        return lambda v: type(v) is not dict or len(v) <= value
    if name == "uniqueItems":
        if value is False:
            return lambda v: True
        return _unique_strings if value is True else None
    if name == "pattern":
        compiled = re.compile(value)  # jsonschema matches patterns with re.search too
        return lambda v: type(v) is not str or compiled.search(v) is not None
    return None


def _unique_strings(value: Any) -> bool:
    """uniqueItems, for arrays of strings: strings are equal as JSON exactly when equal in
    Python; numbers are not (1 and 1.0 are one JSON value, True and 1 are two), so an array
    holding anything but strings defers to jsonschema."""
    if type(value) is not list:
        return True
    return all(type(item) is str for item in value) and len(set(value)) == len(value)


_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def _types(value: Any) -> frozenset[type] | None:
    """Exact Python types (not isinstance): True is no integer, 2.0 defers to jsonschema."""
    names = value if isinstance(value, list) else [value]
    if any(n not in _PYTHON_TYPES for n in names):
        return None
    return frozenset(t for n in names for t in _PYTHON_TYPES[n])
