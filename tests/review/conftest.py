# The review queue works on the claims the claims tests file: the same fixtures serve both.
from tests.claims.conftest import claimant, incident, request_ctx, signed_in  # noqa: F401
