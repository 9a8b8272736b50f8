"""The public privacy notice, built from the configuration: the retention file (what, why, how long),
the role constants (who sees what), the rules file (how fast a request is answered) and settings."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.constants import (
    ROLES_DECIDING_CLAIMS,
    ROLES_DECIDING_DATA_REQUESTS,
    ROLES_READING_BIRTH_DATES,
    ROLES_SEEING_FULL_PAYMENT_DETAILS,
    ROLES_SEEING_PERSONAL_DATA,
    Role,
)
from portal.core.time import utctoday
from portal.dao.incidents import dao_get_published_incidents
from portal.legal.jurisdictions import load_rules
from portal.privacy.deadlines import ResponsePeriod, response_periods
from portal.privacy.schedule import retention_kinds, schedule_for

ROLE_WORDS = {
    Role.ADMIN: _l("the incident team"),
    Role.LEGAL: _l("legal staff"),
    Role.SUPPORT: _l("support staff"),
    Role.AUDITOR: _l("auditors"),
}
ANCHOR_WORDS = {
    "claim_deadline": _l("after the claims deadline"),
    "last_payment": _l("after the last claim payment"),
    "message_sent": _l("after the message was sent"),
}
ACTION_WORDS = {"purge": _l("deleted"), "anonymise": _l("anonymised")}


@dataclass(frozen=True)
class WhoSees:
    what: str
    roles: list[str]


def _roles(roles) -> list[str]:
    return [str(ROLE_WORDS[role]) for role in roles]


def who_sees() -> list[WhoSees]:
    return [
        WhoSees(str(_l("Your name, contact details and what was exposed")), _roles(ROLES_SEEING_PERSONAL_DATA)),
        WhoSees(str(_l("Your date of birth")), _roles(ROLES_READING_BIRTH_DATES)),
        WhoSees(str(_l("Your claim, to decide it")), _roles(ROLES_DECIDING_CLAIMS)),
        WhoSees(str(_l("Your full payment details, to pay you")), _roles(ROLES_SEEING_FULL_PAYMENT_DETAILS)),
        WhoSees(str(_l("Your requests about your data, to decide them")), _roles(ROLES_DECIDING_DATA_REQUESTS)),
    ]


def answer_periods() -> list[tuple[str, ResponsePeriod]]:
    """(jurisdiction name, period) for every law in the rules file that sets one."""
    rules = load_rules()
    named = [
        (rules.jurisdictions[code].name if code in rules.jurisdictions else code, period)
        for code, period in response_periods().items()
    ]
    return sorted(named, key=lambda row: row[0])


def notice_context() -> dict:
    today = utctoday()
    return {
        "organisation_name": current_app.config["ORGANISATION_NAME"],
        "contact_email": current_app.config["PRIVACY_CONTACT_EMAIL"],
        "kinds": retention_kinds(),
        "anchor_words": ANCHOR_WORDS,
        "action_words": ACTION_WORDS,
        "incident_schedules": [(i, schedule_for(i, today)) for i in dao_get_published_incidents()],
        "who_sees": who_sees(),
        "answer_periods": answer_periods(),
        "default_days": current_app.config["PRIVACY_DEFAULT_RESPONSE_DAYS"],
        "backup_days": current_app.config["PRIVACY_BACKUP_DAYS"],
    }
