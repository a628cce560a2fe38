"""The operator CLI: `python -m api_stub ops status|workers|jobs|job ID|retry|cancel|watch|
keys [revoke|rotate KEY]|audit`.

It talks to the operators' API (/ops, api_stub/routes/ops.py) over HTTP only, never to
Postgres or Redis, with an operator key (--key, else $OPERATOR_KEY) at --url (else
$API_URL, else http://127.0.0.1:$PORT). Every subcommand takes --json to print the API's
JSON as it sends it (`workers --json`: the summary's `workers` array). `keys rotate` prints
the new key alone on stdout (what it did goes to stderr).

Exit codes, for health checks and scripts (errors go to stderr, one line: what and how to
fix it):

    0  OK
    1  the API answered an error (e.g. job not found, job not failed) or something that is
       not this API
    2  bad command line (e.g. no operator key, bulk action without a filter)
    3  the API is unreachable (connection refused, timed out)
    4  the key is refused (unknown, revoked, or not an operator's key)
    5  no worker is alive (status, workers, watch; output printed all the same)
  130  interrupted by Ctrl-C (watch stops with its last refresh's code instead)
"""

from api_stub.ops_cli.commands import run
from api_stub.ops_cli.parser import add_parser

__all__ = ["add_parser", "run"]
