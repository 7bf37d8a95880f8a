// MitosisStore module.
