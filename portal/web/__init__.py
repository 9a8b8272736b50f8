"""Web plumbing every blueprint shares: sessions, request limits, throttles, response headers,
paging and the shared form fields. Used by routes only; nothing below the routes imports it."""
