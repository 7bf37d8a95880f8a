// MitosisData module.
