"""Date and number formats per language (settings.FORMAT_MODULE_PATH): one date format, "3 Dec 2026",
and 24-hour times everywhere (issue 20). Hindi and Marathi read the same until translated."""
