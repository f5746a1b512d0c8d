"""Errors that name the user's file or field and say what to do."""


class DataError(ValueError):
    """Bad input data (annotations, images, stores); the message names the file and the fix."""


class ConfigError(ValueError):
    """A config value out of range or inconsistent; the message names the field."""
