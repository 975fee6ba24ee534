"""Checking requests and responses against an OpenAPI 3.0 document with
openapi-schema-validator (the validator openapi-core is built on), and building
responses the document allows.

Stripe sends form bodies in bracket notation (``line_items[0][price_data][currency]=usd``),
which openapi-core cannot deserialize (deepObject in request bodies); we decode them to
nested objects and let string leaves stand for the integers and booleans they encode."""

import re
from urllib.parse import parse_qsl

from jsonschema import validators
from openapi_schema_validator import OAS30ReadValidator, OAS30Validator, OAS30WriteValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4


class SpecViolation(AssertionError):
    pass


def _nullable_composite(keyword):
    """Stripe's document (OpenAPI 3.0.0) marks composed schemas ``{"anyOf": [...],
    "nullable": true}`` and means that null is allowed; openapi-schema-validator applies
    ``nullable`` only beside ``type`` and not to ``enum`` (the 3.0.3 reading), while Stripe
    sends null for such fields; so null is let through those keywords here too."""

    def check(validator, value, instance, schema):
        if instance is None and schema.get("nullable"):
            return
        yield from keyword(validator, value, instance, schema)

    return check


def _with_nullable_composites(base):
    return validators.extend(
        base,
        {
            name: _nullable_composite(base.VALIDATORS[name])
            for name in ("anyOf", "oneOf", "allOf", "enum")
        },
    )


OAS30ReadValidator = _with_nullable_composites(OAS30ReadValidator)
OAS30WriteValidator = _with_nullable_composites(OAS30WriteValidator)
OAS30Validator = _with_nullable_composites(OAS30Validator)


def _is_integer_text(checker, instance):
    return (
        isinstance(instance, int | str)
        and not isinstance(instance, bool)
        and (isinstance(instance, int) or re.fullmatch(r"-?\d+", instance) is not None)
    )


def _is_number_text(checker, instance):
    if isinstance(instance, bool):
        return False
    if isinstance(instance, int | float):
        return True
    return isinstance(instance, str) and re.fullmatch(r"-?\d+(\.\d+)?", instance) is not None


def _is_boolean_text(checker, instance):
    return isinstance(instance, bool) or instance in ("true", "false")


def _form_validator(base):
    checker = base.TYPE_CHECKER.redefine_many(
        {"integer": _is_integer_text, "number": _is_number_text, "boolean": _is_boolean_text}
    )
    return validators.extend(base, type_checker=checker)


FormWriteValidator = _form_validator(OAS30WriteValidator)
# For example payloads that show some of an object's fields: each field present must be
# as the document describes it; absent ones are not demanded.
PartialValidator = validators.extend(OAS30ReadValidator, {"required": lambda *args: iter(())})


def decode_form(body: str) -> dict:
    """``a[b][0][c]=1`` -> ``{"a": {"b": [{"c": "1"}]}}`` (Stripe's encoding)."""
    root: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node):
    if isinstance(node, dict):
        node = {k: _lists(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            return [node[k] for k in sorted(node, key=int)]
    return node


class Document:
    """One OpenAPI document: find the operation of a request, validate bodies, build
    responses."""

    def __init__(self, document: dict, *, uri: str):
        self.document = document
        self.uri = uri
        self.registry = Registry().with_resource(
            uri, Resource.from_contents(document, default_specification=DRAFT4)
        )
        self._routes = []
        for template, item in document["paths"].items():
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            for method, operation in item.items():
                if isinstance(operation, dict) and "responses" in operation:
                    # Literal paths before templated ones (/orders/x/capture vs /orders/{id}).
                    self._routes.append(
                        (
                            template.count("{"),
                            re.compile(pattern),
                            method.upper(),
                            template,
                            operation,
                        )
                    )
        self._routes.sort(key=lambda route: route[0])

    def operation(self, method: str, path: str):
        for _, pattern, route_method, template, operation in self._routes:
            if route_method == method and pattern.match(path):
                return template, operation
        return None, None

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            pointer = schema["$ref"].removeprefix("#/").split("/")
            node = self.document
            for part in pointer:
                node = node[part.replace("~1", "/").replace("~0", "~")]
            schema = node
        return schema

    def _validator(self, cls, pointer: str):
        return cls({"$ref": f"{self.uri}#{pointer}"}, registry=self.registry)

    def _pointer(self, template, method, *rest) -> str:
        escaped = template.replace("~", "~0").replace("/", "~1")
        return "/".join(["/paths", escaped, method.lower(), *rest])

    def check_request(
        self, method, path, *, content_type: str, body: bytes, headers=None, echoes=()
    ) -> tuple[str, dict, object]:
        """The operation's template, its definition and the decoded body; raises
        SpecViolation when the request is not one the document allows."""
        template, operation = self.operation(method, path)
        if operation is None:
            raise SpecViolation(f"{method} {path} is not an operation of {self.uri}")
        for parameter in operation.get("parameters", []):
            parameter = self.resolve(parameter)
            required_header = parameter.get("in") == "header" and parameter.get("required")
            if required_header and (headers is None or not headers.get(parameter["name"])):
                raise SpecViolation(f"{method} {template}: header {parameter['name']} required")
        request_body = operation.get("requestBody")
        request_body = self.resolve(request_body) if request_body else None
        text = body.decode("utf-8") if body else ""
        media = content_type.split(";")[0].strip()
        if request_body is None:
            return template, operation, None
        if not text:
            if request_body.get("required"):
                raise SpecViolation(f"{method} {template}: request body required")
            return template, operation, None
        content = request_body["content"]
        if media not in content:
            raise SpecViolation(
                f"{method} {template}: content type {media!r} not in {list(content)}"
            )
        if media == "application/x-www-form-urlencoded":
            instance, cls = decode_form(text), FormWriteValidator
        else:
            import json

            instance = json.loads(text)
            # An operation that takes back what the provider sent (PayPal's
            # verify-webhook-signature takes the event as delivered) may carry the
            # properties the document marks readOnly; elsewhere readOnly is enforced.
            cls = OAS30Validator if operation.get("operationId") in echoes else OAS30WriteValidator
        escaped_media = media.replace("/", "~1")
        pointer = self._pointer(template, method, "requestBody")
        if "$ref" in operation["requestBody"]:
            pointer = operation["requestBody"]["$ref"].removeprefix("#")
        validator = self._validator(cls, f"{pointer}/content/{escaped_media}/schema")
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
        if errors:
            raise SpecViolation(
                f"{method} {template} request body: "
                + "; ".join(
                    f"{'/'.join(map(str, e.path)) or '(body)'}: {e.message[:200]}"
                    for e in errors[:5]
                )
            )
        return template, operation, instance

    def check_partial(self, schema_name: str, instance) -> None:
        """``instance`` agrees with components/schemas/``schema_name`` in every field it has."""
        validator = self._validator(PartialValidator, f"/components/schemas/{schema_name}")
        errors = list(validator.iter_errors(instance))
        if errors:
            raise SpecViolation(
                f"{schema_name}: "
                + "; ".join(f"{'/'.join(map(str, e.path))}: {e.message[:200]}" for e in errors[:5])
            )

    def response_schema_pointer(self, template, method, status: int) -> str | None:
        responses = self.operation_by_template(template, method)["responses"]
        key = str(status) if str(status) in responses else "default"
        if key not in responses:
            raise SpecViolation(f"{method} {template}: status {status} is not documented")
        response = responses[key]
        pointer = self._pointer(template, method, "responses", key)
        if "$ref" in response:
            pointer = response["$ref"].removeprefix("#")
            response = self.resolve(response)
        if "content" not in response:
            return None
        return f"{pointer}/content/application~1json/schema"

    def operation_by_template(self, template, method):
        return self.document["paths"][template][method.lower()]

    def check_response(self, template, method, status: int, body) -> None:
        pointer = self.response_schema_pointer(template, method, status)
        if pointer is None:
            if body not in (None, b"", ""):
                raise SpecViolation(f"{method} {template} {status}: the document says no body")
            return
        errors = list(self._validator(OAS30ReadValidator, pointer).iter_errors(body))
        if errors:
            raise SpecViolation(
                f"{method} {template} {status} response: "
                + "; ".join(f"{'/'.join(map(str, e.path))}: {e.message[:200]}" for e in errors[:5])
            )

    def minimal(self, schema: dict, depth: int = 0):
        """The smallest instance of ``schema``: required properties only, null where
        the document allows it."""
        schema = self.resolve(schema)
        if depth > 12:
            return None
        if schema.get("nullable"):
            return None
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self.minimal(schema[key][0], depth + 1)
        if "allOf" in schema:
            merged = {}
            for part in schema["allOf"]:
                value = self.minimal(part, depth + 1)
                if isinstance(value, dict):
                    merged.update(value)
            return merged
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type", "object" if "properties" in schema else "string")
        if kind == "object":
            properties = schema.get("properties", {})
            return {
                name: self.minimal(properties.get(name, {}), depth + 1)
                for name in schema.get("required", [])
            }
        if kind == "array":
            return []
        if kind == "integer":
            return int(schema.get("minimum", 0))
        if kind == "number":
            return schema.get("minimum", 0)
        if kind == "boolean":
            return False
        if schema.get("format") == "date-time":
            return "2026-01-01T00:00:00Z"
        return "x" * int(schema.get("minLength", 0))

    def shaped(self, template, method, status: int, values: dict) -> dict:
        """A response body for ``status``: the document's minimal instance with
        ``values`` laid over it, checked against the document."""
        pointer = self.response_schema_pointer(template, method, status)
        schema = {"$ref": "#" + pointer.removeprefix("#")}
        body = _overlay(self.minimal(schema), values)
        self.check_response(template, method, status, body)
        return body


def _overlay(base, values):
    if isinstance(base, dict) and isinstance(values, dict):
        merged = dict(base)
        for key, value in values.items():
            merged[key] = _overlay(base.get(key), value)
        return merged
    return values
