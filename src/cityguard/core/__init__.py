"""Ground floor: errors, the extension registry, data directories, YAML/JSON input with
its bounds, the validated-data cache, redaction. Imports only the standard library and model."""
