"""Readers and writers between accord scenarios and other formats (GENIUS XML, ...)."""
