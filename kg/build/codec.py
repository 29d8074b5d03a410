"""The records as JSON: what the build cache writes and reads back (``DocResult`` <-> JSON)."""
from __future__ import annotations

import dataclasses
import enum
import typing
from functools import cache

from kg import records

# Record classes by name, for decoding; facts are a union, so every record carries its class name.
_RECORDS = {cls.__name__: cls for cls in (
    records.Article, records.EntityKey, records.Mention, records.Entity, records.Evidence, records.Statement,
    records.Meeting, records.Mandate, records.Position, records.DocResult)}
_TAG = "@record"


def to_json(value: typing.Any) -> typing.Any:
    """JSON-ready form of a record (tagged with its class name), tuple, enum or scalar."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {_TAG: type(value).__name__}
        out.update({f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)})
        return out
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


@cache
def _enum_fields(cls: type) -> dict[str, type[enum.Enum]]:
    hints = typing.get_type_hints(cls)
    return {name: t for name, t in hints.items() if isinstance(t, type) and issubclass(t, enum.Enum)}


def from_json(value: typing.Any) -> typing.Any:
    """Inverse of ``to_json``: records rebuilt, lists back to tuples."""
    if isinstance(value, list):
        return tuple(from_json(v) for v in value)
    if isinstance(value, dict):
        if _TAG not in value or value[_TAG] not in _RECORDS:
            raise ValueError(f"not a known record: {str(value)[:80]}")
        cls = _RECORDS[value[_TAG]]
        kwargs = {k: from_json(v) for k, v in value.items() if k != _TAG}
        for name, etype in _enum_fields(cls).items():
            if name in kwargs:
                kwargs[name] = etype(kwargs[name])
        return cls(**kwargs)
    return value
