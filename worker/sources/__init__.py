"""What every kind's sources share: a conversation with a JSON API that rides out its
transient faults (`http.py`), offset pages read ahead of the caller (`pages.py`), and pages
kept as the API sent them, to be read again instead of asked for twice (`kept_pages.py`).
A kind keeps only what is its source's own: the endpoints, the authentication, the words
of its errors, the mapping of its records into the target's."""
