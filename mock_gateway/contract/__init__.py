"""The contract as data and code: schemas, operations, input parsers, errors, OpenAPI."""
