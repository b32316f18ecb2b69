"""The signals tests' web process: ``python -m motcua.ops.tests.signals_process request
TEXT`` asks the page of ``signals_support`` that enqueues a task, once, through Django's test
client with the settings' own logging (stderr), and prints the response's request id;
``readyz`` prints /readyz's status and body. (A module of its own: the task must be
enqueued from ``signals_support``, never from ``__main__``, for the worker to find it.)
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.test_settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    settings.ROOT_URLCONF = "motcua.ops.tests.signals_support"
    if argv[:1] == ["request"]:
        response = Client().get("/signals-test/enqueue", {"text": argv[1]})
        assert response.status_code == 200, response.content
        print(response["X-Request-ID"])
    elif argv[:1] == ["readyz"]:
        response = Client().get("/readyz")
        print(response.status_code, response.content.decode())
    else:
        sys.exit(f"unknown command {argv!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
