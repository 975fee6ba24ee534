"""ads.txt as the IAB Tech Lab specifies it (ads.txt 1.1, §3): records of
``domain, account id, DIRECT|RESELLER[, certification authority id]``, variables
``name=value``, comments after ``#``."""

import re

VARIABLES = {"contact", "subdomain", "inventorypartnerdomain", "ownerdomain", "managerdomain"}
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.I)
_ACCOUNT = re.compile(r"^[\w.\-:]{1,200}$")


def ads_txt_errors(content: str) -> list[str]:
    """Every line that is neither blank, a comment, a variable nor a valid record,
    with its number and what is wrong."""
    errors = []
    for number, raw in enumerate(content.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=" in line and "," not in line:
            name, _, value = line.partition("=")
            if name.strip().lower() not in VARIABLES:
                errors.append(
                    f"line {number}: unknown variable {name.strip()!r} "
                    f"(use {', '.join(sorted(VARIABLES))})"
                )
            elif not value.strip():
                errors.append(f"line {number}: {name.strip()} has no value")
            continue
        fields = [field.strip() for field in line.split(",")]
        if len(fields) not in (3, 4):
            errors.append(
                f"line {number}: a record has 3 or 4 comma-separated fields "
                f"(domain, account ID, DIRECT or RESELLER[, authority ID]); this has {len(fields)}"
            )
            continue
        domain, account, relationship = fields[:3]
        if not _DOMAIN.match(domain):
            errors.append(f"line {number}: {domain!r} is not a domain name like example.com")
        if not _ACCOUNT.match(account):
            errors.append(f"line {number}: {account!r} is not a publisher account ID")
        if relationship.upper() not in {"DIRECT", "RESELLER"}:
            errors.append(
                f"line {number}: the relationship must be DIRECT or RESELLER, not {relationship!r}"
            )
    return errors
