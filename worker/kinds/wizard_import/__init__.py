"""The wizard's import job kind: from an uploaded workbook or CSV file to staged records."""
