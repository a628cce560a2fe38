"""Where migrations read from: the legacy v1 API (`legacy`) and exported workbooks."""
