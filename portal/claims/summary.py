"""A claim as a list of lines to show: from the draft while filing, from its benefit rows once sent."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from portal.claims.drafts import chosen_benefits, draft_losses, load_draft
from portal.claims.payment import PAYMENT_METHOD_LABELS, mask_details, open_details
from portal.claims.service import lost_time_cents
from portal.constants import BenefitKind, ClaimStatus
from portal.crypto import DecryptionError
from portal.dao.claims import dao_get_claim_documents
from portal.models import Claim, ClaimDocument, ClaimSettings

BENEFIT_LABELS = {
    BenefitKind.OUT_OF_POCKET: _l("Money you lost because of the breach"),
    BenefitKind.LOST_TIME: _l("Time you spent dealing with the breach"),
    BenefitKind.ALTERNATIVE_CASH: _l("A fixed cash payment, without documents"),
    BenefitKind.MONITORING: _l("Identity monitoring instead of cash"),
}


@dataclass
class BenefitLine:
    kind: str
    amount_cents: int = 0
    hours: Decimal = Decimal(0)
    incurred_on: date | None = None
    description: str = ""
    documents: list[ClaimDocument] = field(default_factory=list)
    key: str = ""  # a loss's key in the draft (to remove it)

    @property
    def label(self):
        return BENEFIT_LABELS.get(self.kind, self.kind)


@dataclass
class ClaimSummary:
    kinds: list[str]
    lines: list[BenefitLine]
    payment_method: str
    payment_masked: str
    documents: list[ClaimDocument]

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)

    @property
    def payment_label(self):
        return PAYMENT_METHOD_LABELS.get(self.payment_method, "")

    def lines_of(self, kind: str) -> list[BenefitLine]:
        return [line for line in self.lines if line.kind == kind]

    @property
    def loose_documents(self) -> list[ClaimDocument]:
        """Documents sent with an answer to legal rather than with one benefit."""
        return [document for document in self.documents if document.benefit_id is None]


def masked_payment(claim: Claim) -> str:
    try:
        return mask_details(claim.payment_method, open_details(claim.id, claim.payment_details_enc))
    except (DecryptionError, ValueError):
        return "••••"


def _draft_lines(claim: Claim, settings: ClaimSettings, documents: dict[int, ClaimDocument]) -> list[BenefitLine]:
    draft = load_draft(claim)
    chosen = chosen_benefits(draft)
    lines = []
    if BenefitKind.OUT_OF_POCKET in chosen:
        for loss in draft_losses(draft):
            lines.append(
                BenefitLine(
                    BenefitKind.OUT_OF_POCKET,
                    loss.amount_cents,
                    incurred_on=loss.incurred_on,
                    description=loss.description,
                    key=loss.key,
                    documents=[documents[i] for i in loss.document_ids if i in documents],
                )
            )
    if BenefitKind.LOST_TIME in chosen and draft.get("lost_time", {}).get("hours"):
        lost_time = draft["lost_time"]
        hours = Decimal(lost_time["hours"])
        lines.append(
            BenefitLine(
                BenefitKind.LOST_TIME,
                lost_time_cents(hours, settings),
                hours=hours,
                description=lost_time.get("description", ""),
                documents=[documents[i] for i in lost_time.get("document_ids", []) if i in documents],
            )
        )
    if BenefitKind.ALTERNATIVE_CASH in chosen:
        lines.append(BenefitLine(BenefitKind.ALTERNATIVE_CASH, settings.alternative_cash_cents))
    if BenefitKind.MONITORING in chosen:
        lines.append(BenefitLine(BenefitKind.MONITORING))
    return lines


def _filed_lines(claim: Claim, documents: list[ClaimDocument]) -> list[BenefitLine]:
    order = list(BenefitKind)
    lines = []
    for benefit in sorted(claim.benefits, key=lambda b: (order.index(b.kind) if b.kind in order else 9, b.id)):
        lines.append(
            BenefitLine(
                benefit.kind,
                benefit.amount_cents,
                hours=Decimal(benefit.hours or 0),
                incurred_on=benefit.incurred_on,
                description=benefit.description,
                documents=[d for d in documents if d.benefit_id == benefit.id],
            )
        )
    return lines


def claim_summary(claim: Claim, settings: ClaimSettings) -> ClaimSummary:
    documents = dao_get_claim_documents(claim.id)
    if claim.status == ClaimStatus.DRAFT:
        lines = _draft_lines(claim, settings, {document.id: document for document in documents})
        kinds = chosen_benefits(load_draft(claim))
    else:
        lines = _filed_lines(claim, documents)
        kinds = sorted({line.kind for line in lines}, key=lambda kind: list(BenefitKind).index(kind))
    masked = masked_payment(claim) if claim.payment_details_enc else ""
    return ClaimSummary(
        kinds=kinds, lines=lines, payment_method=claim.payment_method, payment_masked=masked, documents=documents
    )
