"""A throw-away TLS certificate for 127.0.0.1, for the servers tests run over HTTPS."""

import base64
import hashlib
import subprocess
from pathlib import Path


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate and its key for 127.0.0.1, valid two days: what a test's browser accepts."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def spki_sha256(cert: Path) -> str:
    """The base64 SHA-256 of the certificate's public key, as Chromium's --ignore-certificate-errors-spki-list takes it.

    Told to trust this key, Chromium treats the connection as properly secure (downloads included),
    as it would a real certificate, instead of a certificate error it was told to ignore.
    """
    public_pem = subprocess.run(
        ["openssl", "x509", "-in", str(cert), "-pubkey", "-noout"], check=True, capture_output=True
    ).stdout
    public_der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "der"], input=public_pem, check=True, capture_output=True
    ).stdout
    return base64.b64encode(hashlib.sha256(public_der).digest()).decode()
