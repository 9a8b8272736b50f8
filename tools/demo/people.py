"""Generated, obviously fictional contractors for `make demo`: varied countries, languages, exposures."""

import random
from datetime import date, timedelta

# country, region choices, preferred languages, first names, last names, national-id label, phone prefix
COUNTRIES = [
    (
        "US",
        ["US-CA", "US-TX", "US-NY", "US-MA", "US-FL", "US-WA"],
        ["en", "es"],
        ["James", "Maria", "Aaliyah", "Carlos", "Emily", "DeShawn"],
        ["Johnson", "García", "Nguyen", "Williams", "Ortiz"],
        "SSN",
        "+1",
    ),
    (
        "IN",
        ["IN-MH", "IN-KA", "IN-DL", "IN-TN"],
        ["hi", "en"],
        ["Priya", "Arjun", "Ananya", "Rahul", "Sneha"],
        ["Sharma", "Iyer", "Reddy", "Patel", "Nair"],
        "PAN",
        "+91",
    ),
    (
        "PH",
        ["PH-00", "PH-CEB", "PH-DAV"],
        ["fil", "en"],
        ["Maricel", "Jomar", "Kristine", "Paolo"],
        ["Santos", "Reyes", "Dela Cruz", "Bautista"],
        "TIN",
        "+63",
    ),
    (
        "KE",
        ["KE-30", "KE-01"],
        ["sw", "en"],
        ["Wanjiru", "Otieno", "Amina", "Kiprop"],
        ["Mwangi", "Odhiambo", "Chebet", "Kamau"],
        "KRA PIN",
        "+254",
    ),
    (
        "BR",
        ["BR-SP", "BR-RJ", "BR-MG"],
        ["pt-BR"],
        ["Lucas", "Ana", "Gabriel", "Júlia"],
        ["Silva", "Souza", "Oliveira", "Pereira"],
        "CPF",
        "+55",
    ),
    (
        "NG",
        ["NG-LA", "NG-FC"],
        ["en"],
        ["Chinedu", "Aisha", "Tunde", "Ngozi"],
        ["Okafor", "Bello", "Adeyemi", "Eze"],
        "NIN",
        "+234",
    ),
    (
        "MX",
        ["MX-CMX", "MX-JAL"],
        ["es"],
        ["Sofía", "Diego", "Valeria", "Mateo"],
        ["Hernández", "López", "Martínez", "Ramírez"],
        "CURP",
        "+52",
    ),
    (
        "FR",
        ["FR-75C", "FR-69"],
        ["fr"],
        ["Camille", "Louis", "Chloé", "Hugo"],
        ["Martin", "Bernard", "Dubois", "Lefèvre"],
        "NIR",
        "+33",
    ),
    ("DE", ["DE-BE", "DE-BY"], ["en"], ["Lena", "Jonas"], ["Müller", "Schmidt"], "Steuer-ID", "+49"),
]

CATEGORY_WEIGHTS = {
    "national_id": 0.7,
    "id_document": 0.45,
    "payment": 0.8,
    "tax_form": 0.4,
    "address": 0.85,
    "contact": 0.95,
    "date_of_birth": 0.6,
    "video": 0.3,
    "task_records": 0.9,
    "communications": 0.5,
    "resume": 0.35,
    "credentials": 0.25,
}


def _detail(category: str, rng: random.Random, id_label: str) -> str:
    last4 = f"{rng.randrange(10000):04d}"
    projects = rng.sample(["Atlas", "Birch", "Cedar", "Delta", "Ember", "Fjord"], 2)
    return {
        "national_id": f"{id_label} ending {last4}",
        "id_document": f"{rng.randint(1, 4)} passport or ID scans and a verification selfie",
        "payment": rng.choice(
            [f"bank account ending {last4}", "PayPal account email", f"mobile-money wallet ending {last4}"]
        ),
        "tax_form": rng.choice(["W-9 form (2024)", "W-8BEN form (2025)"]),
        "address": "home address as given at sign-up",
        "contact": "email address and mobile number",
        "date_of_birth": "date of birth",
        "video": f"{rng.randint(1, 3)} recorded interview video(s)",
        "task_records": f"{rng.randint(20, 900)} task records, projects {projects[0]} and {projects[1]}",
        "communications": f"{rng.randint(3, 120)} chat messages and support tickets",
        "resume": "CV with education and employment history",
        "credentials": "platform password hash and 1 API key",
    }[category]


def generate_people(count: int, attack_days: list[date], seed: int = 2026):
    """Yield (people row, [exposure rows]) for ``count`` fictional contractors.

    ``attack_days``: the days of the incident's attack window; each record was copied on one of them.
    """
    rng = random.Random(seed)  # noqa: S311 - repeatable fiction, not security
    for number in range(1, count + 1):
        country, regions, languages, firsts, lasts, id_label, prefix = rng.choice(COUNTRIES)
        contractor_id = f"CTR-{100000 + number}"
        first, last = rng.choice(firsts), rng.choice(lasts)
        born = date(1965, 1, 1) + timedelta(days=rng.randrange(365 * 38))
        person = {
            "contractor_id": contractor_id,
            "first_name": first,
            "last_name": last,
            "email": f"{contractor_id.lower()}@contractors.example",
            "phone": f"{prefix} {rng.randrange(10**8, 10**9)}",
            "country": country,
            "region": rng.choice(regions),
            "address_line1": f"{rng.randint(1, 400)} Example Street",
            "address_line2": "",
            "city": "Sample City",
            "postal_code": f"{rng.randrange(10000, 99999)}",
            "date_of_birth": born.isoformat(),
            "national_id_last4": f"{rng.randrange(10000):04d}",
            "preferred_language": rng.choice(languages),
        }
        exposed = [code for code, weight in CATEGORY_WEIGHTS.items() if rng.random() < weight] or ["contact"]
        exposures = [
            {
                "contractor_id": contractor_id,
                "category": code,
                "detail": _detail(code, rng, id_label),
                "exposed_at": rng.choice(attack_days).isoformat(),
            }
            for code in exposed
        ]
        yield person, exposures
