"""Comparing people's text the way people type it."""

import unicodedata


def fold(text: str | None) -> str:
    """Lower case, accents off, letters and digits only: "O'Brien-Núñez" -> "obriennunez".

    A register and a phone keyboard disagree on accents, case, spaces, hyphens and apostrophes;
    the identity check and the duplicate-claim signals both compare names this way.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return "".join(ch for ch in plain if ch.isalnum())
