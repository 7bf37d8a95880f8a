/// The tool's version, as `mitosis --version` prints it and model bundles record it.
public enum MitosisVersion {
    public static let string = "0.6.0"
}
