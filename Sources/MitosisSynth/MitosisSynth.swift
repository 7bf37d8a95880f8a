// MitosisSynth module.
