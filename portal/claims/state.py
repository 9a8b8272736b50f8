"""A person's claim in one incident as the exposure page shows it: the claim, if any, and whether the
deadline has passed (templates/claims/_exposure_actions.html)."""

from dataclasses import dataclass

from portal.claims.drafts import claim_deadline_passed
from portal.claims.status import status_words
from portal.dao.claims import dao_get_claim_by_person_and_incident
from portal.models import Claim


@dataclass(frozen=True)
class ClaimState:
    claim: Claim | None
    deadline_passed: bool

    @property
    def status_text(self):
        return status_words(self.claim.status) if self.claim else ""


def claim_state_for(person, incident) -> ClaimState:
    return ClaimState(dao_get_claim_by_person_and_incident(person.id, incident.id), claim_deadline_passed(incident))
