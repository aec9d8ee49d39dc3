"""chainsym serve: a web page where a person types an expression and watches the chain rule, and a
JSON API beside it, on Starlette served by uvicorn (the optional extra `web`).

The server process never imports SymPy: every computation runs in a pool of worker processes
(pool.py) under the same limits as the command line, each request's job computed by jobs.py.

    protocol.py  the fields a request may carry, error records and their HTTP statuses (no SymPy)
    jobs.py      what a worker computes for one request (imports the library)
    pool.py      the worker processes: deadlines, memory, replacement, the bounded queue
    page.py      the page and its result panel as HTML (every echoed value escaped)
    openapi.py   the API's OpenAPI document, built from the shipped JSON schemas, and its docs page
    app.py       the Starlette application: routes, security headers, body limits
"""
