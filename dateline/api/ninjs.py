"""Articles as IPTC ninjs 2.0 JSON (https://iptc.org/standards/ninjs/): only the
properties the standard defines. Full text (``body_html``) only where the story's
source allows it in the API; the network's own stories always."""

from dateline.network.models import public_base_url


def article_ninjs(entry, *, language: str) -> dict:
    document = {
        "uri": f"urn:dateline:story:{entry.story_id}",
        "type": "text",
        "version": "1",
        "firstcreated": entry.published_at.isoformat(timespec="seconds"),
        "versioncreated": (entry.updated_at or entry.published_at).isoformat(timespec="seconds"),
        "pubstatus": "usable",
        "language": language or "en",
        "headline": entry.headline,
        "byline": entry.byline,
        "located": entry.place,
        "description_text": entry.teaser,
        "subject": [
            {"name": entry.section_name, "code": entry.section_slug, "scheme": "dateline:section"}
        ],
        "copyrightholder": entry.agency_name,
        "usageterms": "Linking is welcome; republishing needs the copyright holder's permission.",
        "altids": {"url": public_base_url(entry.host) + entry.path},
    }
    if entry.full_text_api:
        document["body_html"] = entry.body
    return document
