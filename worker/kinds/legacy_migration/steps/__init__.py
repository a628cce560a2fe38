"""The 8 steps of a legacy Space Invoices migration (jobs-api.md), one module per concern;
`paging.py` is the loop steps 2-6 share. The kind (../kind.py) numbers them."""
