"""What ``bench-web``'s gunicorn serves: the portal as production builds it, plus a hello-world route.

The hello-world route is the baseline: the same gunicorn, the same workers, the same middleware
(proxy headers, HTTPS enforcement, security headers, rate limiter, sessions) and the same
connections, and nothing of the portal's own work. Only this benchmark adds it.
"""

from portal import create_app

HELLO_PATH = "/bench/hello"
HELLO_TEXT = "Hello, world!"

app = create_app()


@app.route(HELLO_PATH)
def hello():
    return HELLO_TEXT
