import pytest
from cryptography.hazmat.primitives.asymmetric import ec


@pytest.fixture(scope="session")
def signing_key():
    """The key our stand-in for SendGrid signs event bodies with (generated, never stored)."""
    return ec.generate_private_key(ec.SECP256R1())
