"""The OpenAPI 3.0 description of the content API (served at /api/v1/openapi.json;
the tests run schemathesis against it)."""

NINJS_ARTICLE = {
    "type": "object",
    "required": ["uri", "type", "headline", "firstcreated", "versioncreated", "pubstatus"],
    "additionalProperties": False,
    "properties": {
        "uri": {"type": "string"},
        "type": {"type": "string", "enum": ["text"]},
        "version": {"type": "string"},
        "firstcreated": {"type": "string", "format": "date-time"},
        "versioncreated": {"type": "string", "format": "date-time"},
        "pubstatus": {"type": "string", "enum": ["usable", "withheld", "canceled"]},
        "language": {"type": "string"},
        "headline": {"type": "string"},
        "byline": {"type": "string"},
        "located": {"type": "string"},
        "description_text": {"type": "string"},
        "body_html": {"type": "string"},
        "subject": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "code": {"type": "string"},
                    "scheme": {"type": "string"},
                },
            },
        },
        "copyrightholder": {"type": "string"},
        "usageterms": {"type": "string"},
        "altids": {"type": "object", "additionalProperties": {"type": "string"}},
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
            "description": "A site's published articles as IPTC ninjs 2.0, newest first.",
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
