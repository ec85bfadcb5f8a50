"""The core: the public operations (api), the document model, errors, limits, and the codec registry with detection."""
