"""Parsers of agency formats, one class per format, in an explicit registry.

Agency quirks are small subclasses that override one hook and register under
their own name."""

from .base import ParsedItem, ParseError, Parser, detect_parser, get_parser, register

# Importing the modules registers their parsers.
from . import feeds, newsml_g2, ninjs, nitf, quirks  # noqa: E402, F401  isort: skip

__all__ = ["ParseError", "ParsedItem", "Parser", "detect_parser", "get_parser", "register"]
