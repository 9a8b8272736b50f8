"""The batch views, all staff: preparing a batch, then watching and steering its delivery."""

from portal.batches.routes import delivery, prepare  # noqa: F401
