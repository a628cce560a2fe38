"""Staging: bulk-loading source records into `staging.*`, and cleaning them up."""
