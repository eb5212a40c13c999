"""Admin pages for security: the audit log, site-wide security settings, account lock-down."""
