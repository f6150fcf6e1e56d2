"""The project's number formats (settings.FORMAT_MODULE_PATH), over Django's own per locale."""
