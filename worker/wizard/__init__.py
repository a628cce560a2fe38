"""The migration wizard's domain (seed 001, wizard-api.md), shared by the API and the
wizard's job kinds (wizard_import, wizard_execute): the records an import produces, the
accounting rules that turn them into journal entries, the migration's status and gates."""
