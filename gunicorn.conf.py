# gunicorn reads this file from the working directory; the settings live in the package so that
# `mock-gateway serve`, the container and the benchmark start the server the same way.
from mock_gateway.serving.gunicorn_conf import *  # noqa: F403
