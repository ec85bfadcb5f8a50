"""Running decodes: the isolated worker pool and GC pauses."""
