"""The people ``make demo`` prints: one for each contractor path, so a newcomer can try every flow.

Each persona is an ordinary register row (imported with everyone else) whose situation is set up
for one path: no claim yet, a claim waiting for their answer, a denied claim to appeal, no email, an
email that bounced, a Massachusetts address, or a preferred language other than English. ``flow``
names the path; the credentials list each persona under it and tests/test_demo.py checks that each
one reaches it. Register languages are BCP 47 tags as registers write them (``pt-BR``); the portal
maps each onto the language codes it offers (``LANGUAGES``: ``pt``) with ``portal.core.i18n.best_language``.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Persona:
    flow: str  # what tests/test_demo.py checks this person can reach
    heading: str  # the path, as the credentials list it
    try_this: str  # what to do, for the newcomer
    contractor_id: str
    first_name: str
    last_name: str
    date_of_birth: str  # ISO
    country: str
    region: str
    preferred_language: str
    email: str | None = None  # None: a made-up address from the contractor id; "" : no email at all
    categories: tuple[str, ...] = ("national_id", "payment", "address", "contact", "task_records")
    details: dict[str, str] = field(default_factory=dict)

    @property
    def email_address(self) -> str:
        return f"{self.contractor_id.lower()}@contractors.example" if self.email is None else self.email


PERSONAS = (
    Persona(
        "claim",
        "File a claim (no claim yet)",
        "File a claim from the start: money you lost (attach any small PDF or photo as proof), time spent, "
        "how to be paid, then Submit. The status page follows; the confirmation email is in the staff outbox.",
        "CTR-900001",
        "Wanjiru",
        "Kamau",
        "1990-03-27",
        "KE",
        "KE-30",
        "en",
        categories=("national_id", "id_document", "payment", "address", "contact", "task_records"),
        details={"national_id": "KRA PIN ending 118Q", "payment": "M-Pesa wallet ending 4410"},
    ),
    Persona(
        "claim-needs-info",
        "Answer a request for more information",
        "Claim status shows what the claims team needs; answer it (a short note is enough).",
        "CTR-900002",
        "Ngozi",
        "Eze",
        "1984-11-02",
        "NG",
        "NG-LA",
        "en",
    ),
    Persona(
        "claim-denied",
        "Appeal a decision",
        "Claim status shows why the claim was not approved; appeal the decision.",
        "CTR-900003",
        "Jonas",
        "Schmidt",
        "1979-06-15",
        "DE",
        "DE-BE",
        "en",
    ),
    Persona(
        "exclusion",
        "Ask to be excluded from the settlement",
        "Ask to be excluded, check your answers and send; then withdraw the request from the same page.",
        "CTR-900004",
        "Chinedu",
        "Okafor",
        "1992-01-09",
        "NG",
        "NG-FC",
        "en",
    ),
    Persona(
        "no-email",
        "No email address on file",
        "Enroll in identity monitoring: the activation code is shown on screen, as there is no email to send "
        "it to. Get updates explains why it cannot email you.",
        "CTR-900005",
        "Paolo",
        "Bautista",
        "1988-08-21",
        "PH",
        "PH-CEB",
        "en",
        email="",
    ),
    Persona(
        "bounced",
        "Email bounced (the notice came by letter)",
        "Staff: the batch 'First notices by email' shows this person's email bounced; 'Create a letter batch "
        "for the bounced' posts the notice instead (a second admin approves). The code here is the letter's.",
        "CTR-900006",
        "Rahul",
        "Iyer",
        "1986-02-01",
        "IN",
        "IN-KA",
        "en",
        details={"national_id": "PAN ending 4F2K"},
    ),
    Persona(
        "us-ma",
        "United States, Massachusetts",
        "US steps (credit freezes with the three bureaus, an IRS Identity Protection PIN) and three-bureau "
        "credit monitoring, of which only a few codes are in stock: later enrollments join the waiting list.",
        "CTR-900007",
        "Emily",
        "Johnson",
        "1994-09-16",
        "US",
        "US-MA",
        "en",
        details={"national_id": "SSN ending 0457"},
    ),
    Persona(
        "lost-code",
        "No notice code: ask for a new one",
        "Choose 'I don't have my notice code' and enter this email; the new code arrives in this person's "
        "demo mailbox, instance/mailbox/<email>.txt.",
        "CTR-900008",
        "Kiprop",
        "Odhiambo",
        "1983-12-17",
        "KE",
        "KE-01",
        "en",
    ),
    *(
        Persona(
            "language",
            f"Preferred language: {name}",
            f"The contractor pages open in {name} (a draft translation, not yet reviewed by a native "
            "speaker; staff pages stay in English); the Language menu switches. Every path works as for "
            "anyone, e.g. Get updates.",
            f"CTR-90001{number}",
            first,
            last,
            born,
            country,
            region,
            tag,
        )
        for number, (tag, name, first, last, born, country, region) in enumerate(
            (
                ("es", "Spanish", "Sofía", "Hernández", "1991-11-02", "MX", "MX-JAL"),
                ("pt-BR", "Brazilian Portuguese", "Ana", "Oliveira", "1976-09-13", "BR", "BR-SP"),
                ("fr", "French", "Camille", "Dubois", "1989-05-30", "FR", "FR-69"),
                ("hi", "Hindi", "Priya", "Sharma", "1995-07-04", "IN", "IN-MH"),
                ("fil", "Filipino", "Maricel", "Santos", "1987-10-11", "PH", "PH-00"),
                ("sw", "Swahili", "Amina", "Chebet", "1993-04-22", "KE", "KE-30"),
            )
        )
    ),
)

PHONES = {
    "BR": "+55 11 91234 5678",
    "DE": "+49 30 901820",
    "FR": "+33 4 72 00 00 00",
    "IN": "+91 98765 43210",
    "KE": "+254 712 345 678",
    "MX": "+52 33 1234 5678",
    "NG": "+234 803 123 4567",
    "PH": "+63 917 123 4567",
    "US": "+1 617 555 0100",
}
DETAILS = {
    "national_id": "national identity or tax number ending 2291",
    "id_document": "2 passport scans and a verification selfie",
    "payment": "bank account ending 7730",
    "address": "home address as given at sign-up",
    "contact": "email address and mobile number",
    "task_records": "412 task records, projects Atlas and Birch",
}


def persona_rows(persona: Persona, attack_days: list) -> tuple[dict, list[dict]]:
    """The persona's register row and exposure rows, in the import's CSV columns."""
    person = {
        "contractor_id": persona.contractor_id,
        "first_name": persona.first_name,
        "last_name": persona.last_name,
        "email": persona.email_address,
        "phone": PHONES.get(persona.country, "+1 202 555 0100"),
        "country": persona.country,
        "region": persona.region,
        "address_line1": "12 Example Street",
        "address_line2": "",
        "city": "Sample City",
        "postal_code": "02110" if persona.region == "US-MA" else "10101",
        "date_of_birth": persona.date_of_birth,
        "national_id_last4": "2291",
        "preferred_language": persona.preferred_language,
    }
    exposures = [
        {
            "contractor_id": persona.contractor_id,
            "category": code,
            "detail": persona.details.get(code, DETAILS.get(code, "")),
            "exposed_at": attack_days[number % len(attack_days)].isoformat(),
        }
        for number, code in enumerate(persona.categories)
    ]
    return person, exposures
