"""Pieces several features share: database helpers, audit log, clock, markdown, security, i18n."""
