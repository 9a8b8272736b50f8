"""Every status, role and enumerated value, with its groupings, in one place."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    LEGAL = "legal"
    SUPPORT = "support"
    AUDITOR = "auditor"


STAFF_ROLES = tuple(Role)
# Who may read a person's decrypted fields (every such view is audited).
ROLES_SEEING_PERSONAL_DATA = (Role.ADMIN, Role.LEGAL, Role.SUPPORT)
ROLES_MANAGING_INCIDENTS = (Role.ADMIN,)
ROLES_IMPORTING = (Role.ADMIN,)
ROLES_READING_OUTBOX = (Role.ADMIN, Role.SUPPORT)


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


# Lower sorts first: the person sees the worst exposure at the top.
SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


class NoticeCodeSource(StrEnum):
    IMPORT = "import"  # printed by a letter vendor, arrived in people.csv
    DEMO = "demo"
    REISSUE = "reissue"  # "I lost my code"
    NOTICE = "notice"  # issued with a notification


class AuditAction(StrEnum):
    STAFF_SIGNED_IN = "staff.signed_in"
    STAFF_SIGN_IN_FAILED = "staff.sign_in_failed"
    STAFF_CREATED = "staff.created"
    PERSON_VIEWED = "person.viewed"
    REGISTER_IMPORTED = "register.imported"
    INCIDENT_CREATED = "incident.created"
    INCIDENT_UPDATED = "incident.updated"
    NOTICE_CODE_REISSUED = "notice_code.reissued"
    CONTRACTOR_VERIFIED = "contractor.verified"


class MailKind(StrEnum):
    NOTICE_CODE_REISSUE = "notice_code_reissue"


# Date-of-birth, national id, address and phone are the fields DESIGN.md says to encrypt.
ENCRYPTED_PERSON_FIELDS = ("date_of_birth", "national_id_last4", "address", "phone")


class Channel(StrEnum):
    EMAIL = "email"  # SendGrid, or the outbox backend in the embedded mode
    LETTER = "letter"  # a print vendor's mail-merge file


class BatchStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"  # audience frozen into Notification rows
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"
    STOPPED = "stopped"  # SendGrid refused our credentials (401/403); an admin must act


BATCH_EDITABLE = (BatchStatus.DRAFT,)
BATCH_CANCELLABLE = (BatchStatus.DRAFT, BatchStatus.APPROVED, BatchStatus.SCHEDULED, BatchStatus.SENDING,
                     BatchStatus.STOPPED)
BATCH_FINISHED = (BatchStatus.SENT, BatchStatus.CANCELLED)


class NotificationStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a worker; the request may or may not have reached SendGrid
    ACCEPTED = "accepted"  # SendGrid answered 202
    DELIVERED = "delivered"
    DEFERRED = "deferred"  # the receiving server said "later"; SendGrid keeps trying
    BOUNCED = "bounced"
    DROPPED = "dropped"
    FAILED = "failed"  # we gave up: 400, or retries exhausted
    UNKNOWN = "unknown"  # left "sending" by a crash; an admin decides resend or mark sent
    CANCELLED = "cancelled"


# No automatic step ever leaves these; only a person (resend / mark as sent) may.
NOTIFICATION_FINAL = (NotificationStatus.DELIVERED, NotificationStatus.BOUNCED, NotificationStatus.DROPPED,
                      NotificationStatus.FAILED, NotificationStatus.CANCELLED)
NOTIFICATION_WAITING_FOR_ADMIN = (NotificationStatus.UNKNOWN,)
NOTIFICATION_PENDING = (NotificationStatus.QUEUED, NotificationStatus.SENDING)
NOTIFICATION_UNDELIVERABLE = (NotificationStatus.BOUNCED, NotificationStatus.DROPPED, NotificationStatus.FAILED)
