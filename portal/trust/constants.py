"""Named values of the trust pages (kept apart from portal/constants.py, which every feature edits)."""

from enum import StrEnum


class SenderKind(StrEnum):
    """What a pasted sender is, and so what reports are grouped by."""

    EMAIL = "email"
    LINK = "link"
    PHONE = "phone"
    OTHER = "other"


class Verdict(StrEnum):
    OFFICIAL = "official"  # exactly one of ours, after normalising
    IMITATION = "imitation"  # made to look like one of ours
    UNKNOWN = "unknown"  # not ours, and not made to look like ours either


class CodeAnswer(StrEnum):
    VALID = "valid"  # we issued it and it still works
    REPLACED = "replaced"  # we issued it, but a newer code (or time) retired it
    UNKNOWN = "unknown"  # not a code we issued


class ReportChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"  # or a chat app
    PHONE_CALL = "call"
    LETTER = "letter"
    OTHER = "other"


class LetterRequestSource(StrEnum):
    POST_FORM = "self"  # the person, on "I lost my code"
    SUPPORT = "support"  # a support agent, for a caller whose identity they checked


class TrustAudit(StrEnum):
    """Audit actions of this feature (record_audit takes any string)."""

    ORGANISATION_UPDATED = "organisation.updated"  # details: which fields changed
    LOGO_UPDATED = "organisation.logo_updated"  # details: SHA-256, type and size of the stored image
    LOGO_REMOVED = "organisation.logo_removed"
    SUSPICIOUS_REPORTS_VIEWED = "suspicious_reports.viewed"
    LETTER_REQUESTED = "letter_request.queued"  # details: source
    LETTER_REQUEST_FILE_CREATED = "letter_request_file.created"  # details: count, SHA-256
    LETTER_REQUEST_FILE_DOWNLOADED = "letter_request_file.downloaded"


# Edit distance at or under which a domain reads as an imitation of one of ours.
LOOKALIKE_DISTANCE = 2
REPORT_TEXT_MAX = 5000
# NoticeCode.source of a code printed in a letter from the letters-on-request queue.
REQUESTED_LETTER_CODE_SOURCE = "letter_request"


class ContactKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"


# How long the link confirming a new email address works.
EMAIL_CONFIRM_HOURS = 24
CONTACT_UPDATED = "contact.updated"  # audit: which kinds changed, never the values
CONTACT_EMAIL_REQUESTED = "contact.email_change_requested"
