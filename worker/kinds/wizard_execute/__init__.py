"""The wizard's execute (wizard-api.md): one transaction that writes a migration's contacts,
ledger accounts, journal entries and outstanding documents into the target, creates the
entity, and stores the reconciliation proof computed from what it wrote. The kind itself is
`kind.WIZARD_EXECUTE`."""
