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
# Who may read a date of birth. Support confirm a caller's answer instead ("check the caller's date
# of birth": match or no match, audited): with the last name and a notice code it signs a person in.
ROLES_READING_BIRTH_DATES = (Role.ADMIN, Role.LEGAL)
ROLES_MANAGING_INCIDENTS = (Role.ADMIN,)
ROLES_IMPORTING = (Role.ADMIN,)
ROLES_READING_OUTBOX = (Role.ADMIN, Role.SUPPORT)
ROLES_READING_AUDIT_LOG = (Role.ADMIN, Role.AUDITOR)
# The staff accounts screen: invite, change role, deactivate, reset an authenticator.
ROLES_MANAGING_STAFF = (Role.ADMIN,)
# Templates, batches, approval, sending, cancelling and letter files: the incident team only.
ROLES_MANAGING_NOTICES = (Role.ADMIN,)
# Legal workspace (docs/legal.md): claimant lists go to legal and, with payment details masked, to the
# incident team; full payout details only to legal; the declaration and regulator report are counts.
ROLES_EXPORTING_CLAIMANTS = (Role.LEGAL, Role.ADMIN)
ROLES_SEEING_FULL_PAYMENT_DETAILS = (Role.LEGAL,)
ROLES_EXPORTING_EXCLUSIONS = (Role.LEGAL,)
ROLES_READING_LEGAL_REPORTS = (Role.LEGAL, Role.ADMIN)
ROLES_RECORDING_FILINGS = (Role.LEGAL,)


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
    PERSON_BIRTH_DATE_CHECKED = "person.birth_date_checked"  # details: match or not, never the date
    REGISTER_IMPORTED = "register.imported"
    INCIDENT_CREATED = "incident.created"
    INCIDENT_UPDATED = "incident.updated"
    NOTICE_CODE_REISSUED = "notice_code.reissued"
    CONTRACTOR_VERIFIED = "contractor.verified"
    LANGUAGE_CHOSEN = "person.language_chosen"  # a verified person's choice: mail follows it
    STAFF_SIGNED_OUT = "staff.signed_out"  # every session of the account ends with it
    STAFF_DEACTIVATED = "staff.deactivated"
    STAFF_TOTP_RESET = "staff.totp_reset"  # never the secret
    PEOPLE_SEARCHED = "people.searched"  # details say how (email / contractor id), never the term
    OUTBOX_MESSAGE_VIEWED = "outbox.message_viewed"
    TEMPLATE_CREATED = "template.created"
    TEMPLATE_SAVED = "template.saved"  # a new immutable version
    BATCH_CREATED = "batch.created"
    BATCH_AUDIENCE_CHANGED = "batch.audience_changed"
    BATCH_TEMPLATE_CHANGED = "batch.template_changed"  # a draft pointed at a default reminder template
    BATCH_SCHEDULED = "batch.scheduled"
    BATCH_TEST_SENT = "batch.test_sent"
    BATCH_APPROVED = "batch.approved"  # details carry the frozen audience count
    BATCH_CANCELLED = "batch.cancelled"
    BATCH_FAILED_RETRIED = "batch.failed_retried"
    BATCH_UNKNOWN_RESOLVED = "batch.unknown_resolved"  # details: resend or mark_sent, and how many
    LETTER_FILE_CREATED = "letter_file.created"  # details carry the file's SHA-256
    LETTER_FILE_DOWNLOADED = "letter_file.downloaded"
    MONITORING_PRODUCT_CREATED = "monitoring_product.created"
    MONITORING_PRODUCT_UPDATED = "monitoring_product.updated"
    ACTIVATION_CODES_IMPORTED = "activation_codes.imported"  # details: count, file SHA-256; never a code
    ACTIVATION_CODES_REJECTED = "activation_codes.rejected"  # details: problem count, file SHA-256
    INCIDENT_UPDATE_PUBLISHED = "incident_update.published"
    INCIDENT_UPDATE_EMAILED = "incident_update.emailed"  # details: how many subscribers were emailed
    CLAIM_SUBMITTED = "claim.submitted"  # never the answers: those are in the claim
    CLAIM_VIEWED = "claim.viewed"
    CLAIM_PAYMENT_DETAILS_VIEWED = "claim.payment_details_viewed"
    CLAIM_DOCUMENT_DOWNLOADED = "claim.document_downloaded"
    CLAIM_APPROVED = "claim.approved"
    CLAIM_DENIED = "claim.denied"
    CLAIM_INFO_REQUESTED = "claim.info_requested"
    CLAIM_INFO_PROVIDED = "claim.info_provided"
    CLAIM_APPEALED = "claim.appealed"
    CLAIM_WITHDRAWN = "claim.withdrawn"  # by the claimant, before a decision
    CLAIM_PAID = "claim.paid"
    CLAIM_SETTINGS_UPDATED = "claim_settings.updated"
    BATCH_SEND_STARTED = "batch.send_started"  # sending began (now, or a scheduled batch came due)
    BATCH_STOPPED = "batch.stopped"  # SendGrid refused our credentials; details carry the status code
    BATCH_SENT = "batch.sent"  # nothing left queued or sending; details carry the counts
    EXPORT_REQUESTED = "export.requested"  # details: kind, format, filters, payment details included or not
    EXPORT_STARTED = "export.started"  # a builder claimed the queued job (exactly one does)
    EXPORT_CREATED = "export.created"  # details: filters, row count, columns and the file's SHA-256 (the manifest)
    EXPORT_FAILED = "export.failed"
    EXPORT_DOWNLOADED = "export.downloaded"
    EXPORTS_PURGED = "exports.purged"  # files older than the retention period deleted; details: ids
    REPORT_EXPORTED = "report.exported"  # declaration / regulator report CSV; details carry its SHA-256
    EXCLUSION_REQUESTED = "exclusion.requested"
    EXCLUSION_WITHDRAWN = "exclusion.withdrawn"
    MONITORING_CODE_ASSIGNED = "monitoring.code_assigned"  # details: product and enrollment, never the code
    # details: jurisdiction, who, filed_on, reference, and whether it replaced an earlier record
    REGULATOR_FILING_RECORDED = "regulator_filing.recorded"
    AUDIT_EXPORTED = "audit.exported"  # details: the filters and how many events
    STAFF_INVITED = "staff.invited"  # target the invite; details: role, expiry, re-enrolment or not; never the link
    STAFF_ENROLLED = "staff.enrolled"  # an enrolment link used: password and authenticator set
    STAFF_ROLE_CHANGED = "staff.role_changed"  # details: from, to
    REGULATOR_FILING_REMOVED = "regulator_filing.removed"
    RECORD_DOWNLOADED = "record.downloaded"  # details: format, reference, SHA-256 of what was sent
    DATA_REQUEST_MADE = "data_request.made"  # details: kind, due date; never what to correct
    DATA_REQUEST_DECIDED = "data_request.decided"  # details: kind, decision; the reason stays on the request
    PERSON_ERASED = "person.erased"  # details: how many rows of each table were wiped or deleted, files removed
    LEGAL_HOLD_SET = "legal_hold.set"
    LEGAL_HOLD_LIFTED = "legal_hold.lifted"
    RETENTION_PURGED = "retention.purged"  # details: per incident, per kind of data, how many rows and files


class SignInStep(StrEnum):
    """Where a staff sign-in failed, recorded in the audit log (never the password or code)."""

    PASSWORD = "password"  # noqa: S105 - the name of a step, not a secret
    CODE = "code"


class MailKind(StrEnum):
    NOTICE_CODE_REISSUE = "notice_code_reissue"
    BATCH_TEST = "batch_test"  # an admin's test of a batch's notice, to their own address
    MONITORING_CODE = "monitoring_code"  # an activation code, provider link and enroll-by date
    UPDATES_SUBSCRIBED = "updates_subscribed"  # confirmation, with the unsubscribe link
    NEW_EXPOSURES = "new_exposures"  # category titles only: "sign in to see what is new"
    INCIDENT_UPDATE = "incident_update"  # an admin's posted update, to subscribers
    CLAIM_SUBMITTED = "claim_submitted"  # the confirmation with the claim reference (no payment details)
    CLAIM_NEEDS_INFO = "claim_needs_info"  # the deficiency notice, with the cure deadline
    CLAIM_DECIDED = "claim_decided"  # approved or denied (with the reason and the appeal deadline)
    NOTICE = "notice"  # a batch's notice, "delivered" by the outbox backend


class Channel(StrEnum):
    EMAIL = "email"  # SendGrid, or the outbox backend in the embedded mode
    LETTER = "letter"  # a print vendor's mail-merge file


class AudienceKind(StrEnum):
    FILTER = "filter"
    LIST = "list"  # contractor ids uploaded as a CSV file


# A batch audience of the people to remind before a deadline (portal/dao/audience.py has the SQL).
class Reminder(StrEnum):
    CLAIM_NOT_SUBMITTED = "claim_draft"  # before claim_deadline
    INFO_NOT_ANSWERED = "info_unanswered"  # before the cure deadline
    MONITORING_NOT_ENROLLED = "not_enrolled"  # before enrollment_deadline
    NEVER_VERIFIED = "never_verified"  # never checked in with a notice code
    RETURNED_ADDRESS_UPDATED = "returned_readdressed"  # a letter came back; the address is new since


class BatchStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"  # audience frozen into Notification rows
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"
    STOPPED = "stopped"  # SendGrid refused our credentials (401/403); an admin must act


BATCH_CANCELLABLE = (
    BatchStatus.DRAFT,
    BatchStatus.APPROVED,
    BatchStatus.SCHEDULED,
    BatchStatus.SENDING,
    BatchStatus.STOPPED,
)
BATCH_FINISHED = (BatchStatus.SENT, BatchStatus.CANCELLED)


class NotificationStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a sender (its claim_token), not posted yet: certainly not sent
    POSTING = "posting"  # marked by its sender just before its request left: may have reached SendGrid
    ACCEPTED = "accepted"  # SendGrid answered 202
    DELIVERED = "delivered"
    DEFERRED = "deferred"  # the receiving server said "later"; SendGrid keeps trying
    BOUNCED = "bounced"
    DROPPED = "dropped"
    FAILED = "failed"  # we gave up: 400, or retries exhausted
    UNKNOWN = "unknown"  # left "posting" by a crash or a lost answer; an admin decides resend or mark sent
    CANCELLED = "cancelled"


NOTIFICATION_WAITING_FOR_ADMIN = (NotificationStatus.UNKNOWN,)
NOTIFICATION_PENDING = (NotificationStatus.QUEUED, NotificationStatus.SENDING, NotificationStatus.POSTING)
NOTIFICATION_UNDELIVERABLE = (NotificationStatus.BOUNCED, NotificationStatus.DROPPED, NotificationStatus.FAILED)
# "Never notified": a person with one of these in any batch of the incident has been reached, or is
# about to be (queued, sending), or may have been (unknown, until an admin decides). Mailing them
# again from another batch would be the double notice the sending rules forbid (docs/architecture.md).
NOTIFICATION_NOTIFIED = (
    NotificationStatus.QUEUED,
    NotificationStatus.SENDING,
    NotificationStatus.POSTING,
    NotificationStatus.ACCEPTED,
    NotificationStatus.DEFERRED,
    NotificationStatus.DELIVERED,
    NotificationStatus.UNKNOWN,
)
# "Last notice bounced": the person's latest notification in the incident never reached their inbox.
NOTIFICATION_BOUNCED = (NotificationStatus.BOUNCED, NotificationStatus.DROPPED)


class UnknownResolution(StrEnum):
    """What an admin decides for notifications left ``unknown`` (see docs/sending.md)."""

    RESEND = "resend"  # back to queued: they will be mailed (again, perhaps)
    MARK_SENT = "mark_sent"  # treat as accepted: never mailed again


class DeliveryEvent(StrEnum):
    """SendGrid Event Webhook event names we act on; the rest are kept as history only."""

    PROCESSED = "processed"
    DEFERRED = "deferred"
    DELIVERED = "delivered"
    BOUNCE = "bounce"
    DROPPED = "dropped"
    SPAM_REPORT = "spamreport"
    UNSUBSCRIBE = "unsubscribe"
    GROUP_UNSUBSCRIBE = "group_unsubscribe"


class EnrollmentStatus(StrEnum):
    ENROLLED = "enrolled"  # holds an activation code
    WAITING = "waiting"  # the pool was empty; served when codes are imported


# Who configures monitoring products, imports activation codes and posts incident updates.
ROLES_MANAGING_MONITORING = (Role.ADMIN,)
ROLES_POSTING_UPDATES = (Role.ADMIN,)


class ClaimStatus(StrEnum):
    DRAFT = "draft"  # saved server-side while the contractor fills it in
    SUBMITTED = "submitted"
    NEEDS_INFO = "needs_info"  # a deficiency notice was sent; the claimant can answer until the cure deadline
    APPROVED = "approved"
    DENIED = "denied"
    PAID = "paid"
    WITHDRAWN = "withdrawn"


CLAIM_OPEN_FOR_REVIEW = (ClaimStatus.SUBMITTED, ClaimStatus.NEEDS_INFO)
# A claim that keeps its claimant in the settlement: while one stands they cannot ask to be excluded.
CLAIM_STANDING = (ClaimStatus.SUBMITTED, ClaimStatus.NEEDS_INFO, ClaimStatus.APPROVED, ClaimStatus.PAID)
CLAIM_CLAIMANT_CAN_EDIT = (ClaimStatus.DRAFT, ClaimStatus.NEEDS_INFO)
CLAIM_DECIDED = (ClaimStatus.APPROVED, ClaimStatus.DENIED, ClaimStatus.PAID)
# Everything but a draft: what legal sees in the queue and what fraud signals compare against.
CLAIM_FILED = (
    ClaimStatus.SUBMITTED,
    ClaimStatus.NEEDS_INFO,
    ClaimStatus.APPROVED,
    ClaimStatus.DENIED,
    ClaimStatus.PAID,
    ClaimStatus.WITHDRAWN,
)
CLAIM_APPROVABLE = (ClaimStatus.SUBMITTED, ClaimStatus.NEEDS_INFO)
CLAIM_DENIABLE = (ClaimStatus.SUBMITTED, ClaimStatus.NEEDS_INFO)
CLAIM_INFO_REQUESTABLE = (ClaimStatus.SUBMITTED,)
CLAIM_PAYABLE = (ClaimStatus.APPROVED,)
# Legal decides claims; admins may read the queue and a claim (payment details masked), nobody else.
ROLES_DECIDING_CLAIMS = (Role.LEGAL,)
ROLES_READING_CLAIMS = (Role.LEGAL, Role.ADMIN)
ROLES_CONFIGURING_CLAIMS = (Role.ADMIN,)


class PaymentMethod(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    PAYPAL = "paypal"
    MOBILE_MONEY = "mobile_money"  # M-Pesa, GCash, bKash…: a provider and a phone number
    CHECK = "check"  # posted to the address on file; no details asked


class BenefitKind(StrEnum):
    OUT_OF_POCKET = "out_of_pocket"  # documented losses, each with amount, date, description and proof
    LOST_TIME = "lost_time"  # hours at the incident's rate, self-attested up to a cap
    ALTERNATIVE_CASH = "alternative_cash"
    MONITORING = "monitoring"  # monitoring instead of cash


class FraudSignalKind(StrEnum):
    SHARED_PAYOUT_ACCOUNT = "shared_payout_account"
    MANY_CLAIMS_FROM_IP = "many_claims_from_ip"
    NEAR_DUPLICATE_IDENTITY = "near_duplicate_identity"
    REUSED_PROOF_FILE = "reused_proof_file"


class ExportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class ExportKind(StrEnum):
    CLAIMANTS = "claimants"
    EXCLUSIONS = "exclusions"


# Notices that got through to the person (the regulator report's "notified"): SendGrid took it or the
# letter went to the print vendor. Bounced, dropped and failed ones did not.
NOTIFICATION_GOT_THROUGH = (NotificationStatus.ACCEPTED, NotificationStatus.DEFERRED, NotificationStatus.DELIVERED)


class DataRequestKind(StrEnum):
    ACCESS = "access"  # GDPR Art. 15: a copy of everything held (also self-service: /my/record.json)
    CORRECTION = "correction"  # Art. 16
    ERASURE = "erasure"  # Art. 17: the person's data removed or irreversibly anonymised


class DataRequestStatus(StrEnum):
    OPEN = "open"
    GRANTED = "granted"  # for an erasure: done, in the same transaction as the decision
    REFUSED = "refused"  # with the reason the person is told


# Legal decides data requests; support see the queue (they answer the phone); admins see it too.
ROLES_READING_DATA_REQUESTS = (Role.LEGAL, Role.SUPPORT, Role.ADMIN)
ROLES_DECIDING_DATA_REQUESTS = (Role.LEGAL,)
# The retention schedule: admins and legal read it; only legal sets or lifts a legal hold.
ROLES_READING_RETENTION = (Role.ADMIN, Role.LEGAL)
ROLES_SETTING_LEGAL_HOLDS = (Role.LEGAL,)


class LetterRequestStatus(StrEnum):
    QUEUED = "queued"
    IN_FILE = "in_file"  # in an approved letter file


class ContactChangeStatus(StrEnum):
    PENDING = "pending"  # an email change waiting for the link sent to the new address
    APPLIED = "applied"
