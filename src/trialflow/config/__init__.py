"""Trial-file loading and validation, and the typed clinical options built from it."""
