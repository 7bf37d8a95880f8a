/// Errors in a dataset folder: each names the file (and line) and says what to do.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    /// The dataset folder does not exist or cannot be listed.
    case unreadableFolder(path: String, reason: String)
    /// The folder holds no images in the tutorial's layout.
    case noImages(path: String)
    /// A centre line that is not two numbers.
    case badCSVLine(file: String, line: Int, text: String)
    /// A centre outside the image.
    case centreOutsideImage(file: String, line: Int, x: Double, y: Double, width: Int, height: Int)
    /// A file that cannot be read.
    case unreadableFile(path: String, reason: String)
    /// An image name that does not follow `PP_II`.
    case badName(path: String)

    public var description: String {
        switch self {
        case let .unreadableFolder(path, reason):
            return "\(path): cannot read the dataset folder (\(reason)). HINT: pass a folder of PP_II.tif images with PP_II.csv centres."
        case let .noImages(path):
            return "\(path): no images found. HINT: a dataset is a folder of PP_II.tif/.tiff/.png/.jpg images with PP_II.csv files (see README, 'Dataset layout'); `mitosis synth` makes one."
        case let .badCSVLine(file, line, text):
            return "\(file):\(line): expected two numbers 'x,y' but found '\(text)'. HINT: one mitosis centre per line, x (column) first; use --csv-order yx for row-first files."
        case let .centreOutsideImage(file, line, x, y, width, height):
            return "\(file):\(line): centre (x \(x), y \(y)) lies outside the \(width)x\(height) image. HINT: check the column order (--csv-order xy|yx) and that the CSV belongs to this image."
        case let .unreadableFile(path, reason):
            return "\(path): \(reason)"
        case let .badName(path):
            return "\(path): the name does not follow PP_II (patient, underscore, image). HINT: the patient id is the part before the first '_'."
        }
    }
}
