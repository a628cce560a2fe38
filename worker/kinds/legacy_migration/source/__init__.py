"""The legacy Space Invoices v1 API: client, errors and record conversion."""
