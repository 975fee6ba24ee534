"""The OpenAPI 3.0 description of the content API (served at /api/v1/openapi.json;
the tests run schemathesis against it)."""


def _text_blocks(description, **extra):
    """ninjs 2.0 headlines / descriptions / bodies: arrays of {role, contenttype, value}."""
    return {
        "type": "array",
        "description": description,
        "items": {
            "type": "object",
            "required": ["role", "contenttype", "value"],
            "additionalProperties": False,
            "properties": {
                "role": {"type": "string"},
                "contenttype": {"type": "string"},
                **extra,
                "value": {"type": "string"},
            },
        },
    }


# An article as the API gives it: an IPTC ninjs 2.0 news item using the properties
# below, each in its ninjs 2.0 shape, and no other (ninjs 2.0 allows none). The
# standard's schema: http://www.iptc.org/std/ninjs/ninjs-schema_2.0.json
NINJS_ARTICLE = {
    "type": "object",
    "description": "An IPTC ninjs 2.0 news item (http://www.iptc.org/std/ninjs/).",
    "required": [
        "uri",
        "standard",
        "type",
        "representationtype",
        "version",
        "firstcreated",
        "versioncreated",
        "pubstatus",
        "language",
        "headlines",
        "subjects",
        "infosources",
        "copyrightholder",
        "usageterms",
        "altids",
    ],
    "additionalProperties": False,
    "properties": {
        "uri": {"type": "string", "description": "urn:dateline:story:<id>"},
        "standard": {
            "type": "object",
            "required": ["name", "version", "schema"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "enum": ["ninjs"]},
                "version": {"type": "string", "enum": ["2.0"]},
                "schema": {"type": "string", "format": "uri"},
            },
        },
        "type": {"type": "string", "enum": ["text"]},
        "representationtype": {
            "type": "string",
            "enum": ["full", "partial"],
            "description": "partial: the source's contract keeps the body out of the API.",
        },
        "version": {"type": "string"},
        "firstcreated": {"type": "string", "format": "date-time"},
        "versioncreated": {"type": "string", "format": "date-time"},
        "pubstatus": {"type": "string", "enum": ["usable", "withheld", "canceled"]},
        "language": {"type": "string", "description": "IETF BCP 47"},
        "headlines": _text_blocks("The headline (role main, text/plain)."),
        "by": {"type": "string", "description": "The byline, without 'By'."},
        "located": {"type": "string", "description": "The dateline's place."},
        "descriptions": _text_blocks("The teaser (role summary, text/plain)."),
        "bodies": _text_blocks(
            "The full text (role main, text/html); only where the source allows it.",
            charcount={"type": "integer", "minimum": 0},
            wordcount={"type": "integer", "minimum": 0},
        ),
        "subjects": {
            "type": "array",
            "description": "The section: its name, front page and slug.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string"},
                    "uri": {"type": "string", "format": "uri"},
                    "literal": {"type": "string"},
                },
            },
        },
        "infosources": {
            "type": "array",
            "description": "The agency credited in the dateline: its name and code.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"name": {"type": "string"}, "literal": {"type": "string"}},
            },
        },
        "copyrightholder": {"type": "string"},
        "usageterms": {"type": "string"},
        "altids": {
            "type": "array",
            "description": "role url: the article on this site; role canonical-url: the "
            "story's canonical page (another site's when it was placed there first).",
            "items": {
                "type": "object",
                "required": ["role", "value"],
                "additionalProperties": False,
                "properties": {
                    "role": {"type": "string", "enum": ["url", "canonical-url"]},
                    "value": {"type": "string", "format": "uri"},
                },
            },
        },
    },
}

# The cursors this API gives out: <UTC time>-<placement id>.
CURSOR_PATTERN = (
    r"^(19\d\d|[2-8]\d{3})(0[1-9]|1[0-2])(0[1-9]|1\d|2[0-8])"
    r"T([01]\d|2[0-3])[0-5]\d[0-5]\d\.\d{6}Z-[1-9]\d{0,17}$"
)

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}},
}


def _error_response(description):
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def openapi_document(server: str) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Dateline content API",
            "version": "1",
            "description": "A site's published articles, newest first, each an IPTC ninjs "
            "2.0 news item (http://www.iptc.org/std/ninjs/ninjs-schema_2.0.json); the "
            "list wraps them in {items, next}.",
        },
        "servers": [{"url": server}] if server else [],
        "paths": {
            "/api/v1/articles": {
                "get": {
                    "summary": "The site's articles, newest first",
                    "parameters": [
                        {"name": "section", "in": "query", "schema": {"type": "string"}},
                        {"name": "source", "in": "query", "schema": {"type": "string"}},
                        {
                            "name": "since",
                            "in": "query",
                            "schema": {"type": "string", "format": "date"},
                        },
                        {
                            "name": "until",
                            "in": "query",
                            "schema": {"type": "string", "format": "date"},
                        },
                        {
                            "name": "cursor",
                            "in": "query",
                            "description": "Opaque: copy it from a response's `next` link.",
                            "schema": {"type": "string", "pattern": CURSOR_PATTERN},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": 100,
                                "default": 20,
                            },
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of articles",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["items", "next"],
                                        "properties": {
                                            "items": {"type": "array", "items": NINJS_ARTICLE},
                                            "next": {"type": "string", "nullable": True},
                                        },
                                    }
                                }
                            },
                        },
                        "400": _error_response("A parameter is not valid"),
                    },
                }
            },
            "/api/v1/articles/{story_id}": {
                "get": {
                    "summary": "One article",
                    "parameters": [
                        {
                            "name": "story_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The article",
                            "content": {"application/json": {"schema": NINJS_ARTICLE}},
                        },
                        "404": _error_response("No such article on this site"),
                    },
                }
            },
        },
    }
