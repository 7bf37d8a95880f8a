// MitosisPipeline module.
