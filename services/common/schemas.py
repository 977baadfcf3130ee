"""Loading input with marshmallow: a ValidationError becomes a 400 naming the fields."""
from marshmallow import ValidationError

from .errors import from_marshmallow


def load(schema, payload):
    try:
        return schema.load(payload if payload is not None else {})
    except ValidationError as err:
        raise from_marshmallow(err)
