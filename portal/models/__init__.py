"""Models, one module per aggregate. Importing this package registers every table."""

from portal.models.audit import AuditCheckpoint, AuditEvent
from portal.models.checklist import StepCompletion
from portal.models.claims import (
    Claim,
    ClaimBenefit,
    ClaimDocument,
    ClaimSettings,
    ClaimStatusChange,
    FraudSignal,
)
from portal.models.incidents import Incident, PublicPageVersion
from portal.models.legal import ExclusionRequest, ExportJob, RegulatorFiling
from portal.models.mail import OutboxMessage
from portal.models.monitoring import ActivationCode, MonitoringEnrollment, MonitoringProduct
from portal.models.notices import (
    Batch,
    NoticeTemplate,
    NoticeTemplateContent,
    NoticeTemplateVersion,
    Notification,
    NotificationEvent,
)
from portal.models.people import Exposure, NoticeCode, Person
from portal.models.privacy import DataRequest, LegalHold
from portal.models.staff import StaffInvite, StaffUser
from portal.models.trust import (
    ContactChange,
    LetterRequest,
    LetterRequestFile,
    Organisation,
    OutsideNotice,
    ReturnedLetter,
    SupportResend,
    SuspiciousReport,
)
from portal.models.updates import IncidentUpdate, Subscription
from portal.models.web_session import WebSession

__all__ = [
    "ActivationCode",
    "AuditCheckpoint",
    "AuditEvent",
    "Batch",
    "Claim",
    "ClaimBenefit",
    "ClaimDocument",
    "ClaimSettings",
    "ClaimStatusChange",
    "ContactChange",
    "DataRequest",
    "ExclusionRequest",
    "ExportJob",
    "Exposure",
    "FraudSignal",
    "Incident",
    "IncidentUpdate",
    "LegalHold",
    "LetterRequest",
    "LetterRequestFile",
    "MonitoringEnrollment",
    "MonitoringProduct",
    "NoticeCode",
    "NoticeTemplate",
    "NoticeTemplateContent",
    "NoticeTemplateVersion",
    "Notification",
    "NotificationEvent",
    "Organisation",
    "OutboxMessage",
    "OutsideNotice",
    "Person",
    "PublicPageVersion",
    "RegulatorFiling",
    "ReturnedLetter",
    "StaffInvite",
    "StaffUser",
    "StepCompletion",
    "Subscription",
    "SupportResend",
    "SuspiciousReport",
    "WebSession",
]
