// MitosisCaffe module.
