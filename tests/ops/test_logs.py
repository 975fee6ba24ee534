import io
import json
import logging
import logging.config

import pytest
from django.conf import settings as django_settings

from dateline.ops.logs import logging_config


@pytest.fixture
def log_lines():
    """Configure logging as DATELINE_LOG_FORMAT=json would, into a buffer; yields a
    function returning the lines written so far, parsed."""
    logging.config.dictConfig(logging_config("json"))
    buffer = io.StringIO()
    for handler in logging.getLogger("dateline").handlers:
        handler.setStream(buffer)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    logging.config.dictConfig(django_settings.LOGGING)


@pytest.mark.django_db
class RequestLogTests:
    def test_one_json_line_per_request_with_its_id(self, client, war_site, log_lines):
        """A request writes one JSON line with method, path, view, status, duration and
        the request id the response echoes."""
        response = client.get("/privacy/", headers={"host": "spacewar.localhost"})
        [line] = [entry for entry in log_lines() if entry["logger"] == "dateline.request"]
        assert line["request_id"] == response["X-Request-ID"]
        assert len(response["X-Request-ID"]) == 32
        assert (line["method"], line["path"], line["view"], line["status"]) == (
            "GET", "/privacy/", "privacy", 200,
        )  # fmt: skip
        assert line["level"] == "INFO" and isinstance(line["duration_ms"], float)
        assert line["time"].endswith("+00:00")

    def test_proxy_request_id_is_kept(self, client, war_site, log_lines):
        """A sane X-Request-ID from the proxy is used and echoed."""
        response = client.get(
            "/privacy/", headers={"host": "spacewar.localhost", "X-Request-ID": "lb-7f3a.91"}
        )
        assert response["X-Request-ID"] == "lb-7f3a.91"
        assert log_lines()[-1]["request_id"] == "lb-7f3a.91"

    @pytest.mark.parametrize(
        "hostile", ["x" * 300, "abc def", "<script>alert(1)</script>", "id\u2028forged", ""]
    )
    def test_hostile_request_id_is_replaced(self, client, war_site, hostile):
        """An over-long or odd X-Request-ID is replaced by a generated one."""
        response = client.get(
            "/privacy/", headers={"host": "spacewar.localhost", "X-Request-ID": hostile}
        )
        assert response["X-Request-ID"] != hostile and len(response["X-Request-ID"]) == 32

    def test_no_query_string_cookie_or_authorization(self, client, war_site, log_lines):
        """Query strings (tokens travel there), cookies and Authorization headers
        never reach the log."""
        client.cookies["sessionid"] = "cookie-value-4242"
        client.get(
            "/privacy/?unsubscribe_token=tok-9876&email=reader%40example.org",
            headers={"host": "spacewar.localhost", "Authorization": "Bearer bearer-5555"},
        )
        client.get("/missing/?token=tok-1111", headers={"host": "spacewar.localhost"})
        text = json.dumps(log_lines())
        for secret in ("tok-9876", "reader", "cookie-value-4242", "bearer-5555", "tok-1111"):
            assert secret not in text
        assert "/missing/" in text  # the 404 is logged, by path


class RedactionTests:
    def test_messages_are_scrubbed(self, log_lines):
        """E-mail addresses, bearer tokens and secret-like parameters in any message
        are replaced before the line is written."""
        logging.getLogger("dateline.newsletters").warning(
            "bounce for reader@example.org, url /c/?token=abc123&x=1, Authorization: Bearer zz9 "
            "password=hunter2"
        )
        [line] = log_lines()
        assert line["message"] == (
            "bounce for [email], url /c/?token=[redacted]&x=1, Authorization: Bearer [redacted] "
            "password=[redacted]"
        )

    def test_unknown_format_is_refused(self):
        """DATELINE_LOG_FORMAT accepts text or json and says so."""
        with pytest.raises(ValueError, match="'text' or 'json'"):
            logging_config("xml")
