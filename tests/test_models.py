"""The models are typed: each column's ``Mapped[...]`` says what the database allows."""

from __future__ import annotations

import sys
import typing

from scheduler import models
from scheduler.extensions import Base, db
from tests.factories import make_court


def _mapped_types(cls: type) -> dict[str, typing.Any]:
    names = dict(vars(sys.modules[cls.__module__])) | {name: getattr(models, name) for name in models.__all__}
    return {key: typing.get_args(hint)[0] for key, hint in typing.get_type_hints(cls, names).items()}


def test_every_column_is_mapped_with_the_nullability_of_its_column():
    mismatches = []
    for mapper in Base.registry.mappers:
        types = _mapped_types(mapper.class_)
        for attr in mapper.column_attrs:
            optional = type(None) in typing.get_args(types.get(attr.key))
            if attr.key not in types or optional != attr.columns[0].nullable:
                mismatches.append(f"{mapper.class_.__name__}.{attr.key}")
    assert mismatches == []
    assert db.metadata is Base.metadata and set(db.metadata.tables) >= {"users", "hearings", "signups"}


def test_rows_show_their_class_and_key(app):
    court = make_court()
    assert repr(court) == f"<Court {court.id}>"
    assert repr(models.Court()).startswith("<Court (transient ")
