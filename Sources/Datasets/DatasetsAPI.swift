// CONTRACT SKELETON — the datasets helper replaces this file with the real
// implementation split into files (IDXReader.swift, Gzip.swift, NPZReader.swift,
// MNISTLocator.swift, Normalization.swift, ...), keeping these public
// signatures (additions are fine).

/// A labelled set of grey images, `pixels` is count × rows × cols, row-major.
public struct ImageSet: Sendable, Equatable {
    public var rows: Int
    public var cols: Int
    public var pixels: [UInt8]
    public var labels: [UInt8]
    public var count: Int { labels.count }
    public init(rows: Int, cols: Int, pixels: [UInt8], labels: [UInt8]) {
        self.rows = rows; self.cols = cols; self.pixels = pixels; self.labels = labels
    }
}

/// MNIST's two splits and where they came from.
public struct TrainTestData: Sendable {
    public var train: ImageSet
    public var test: ImageSet
    /// Human-readable origin, e.g. "../shared/data/mnist (IDX, gzip)".
    public var origin: String
}

public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case malformed(file: String, reason: String)
    case notFound(searched: [String], hint: String)
    case downloadFailed(url: String, reason: String, hint: String)
    public var description: String { "" }
}

/// Reads a file's bytes (the only file-reading code in this module).
public func readFileBytes(_ path: String) throws(DatasetError) -> [UInt8] { [] }

/// IDX readers from bytes (raw or gzip, detected by magic); `name` appears in errors.
public func readIDXImages(_ bytes: [UInt8], name: String) throws(DatasetError) -> (count: Int, rows: Int, cols: Int, pixels: [UInt8]) { (0, 0, 0, []) }
public func readIDXLabels(_ bytes: [UInt8], name: String) throws(DatasetError) -> [UInt8] { [] }
/// Keras's mnist.npz: x_train, y_train, x_test, y_test.
public func readMNISTNPZ(_ bytes: [UInt8], name: String) throws(DatasetError) -> TrainTestData { throw .malformed(file: name, reason: "") }

/// Where `load mnist` looks, in order: path=, DNB_DATA, ./data/mnist/, ~/.keras/datasets/mnist.npz, then download.
public struct MNISTLocator: Sendable {
    public var explicitPath: String?
    public var environment: [String: String]
    public var currentDirectory: String
    public var homeDirectory: String
    public init(explicitPath: String?, environment: [String: String], currentDirectory: String, homeDirectory: String) {
        self.explicitPath = explicitPath; self.environment = environment
        self.currentDirectory = currentDirectory; self.homeDirectory = homeDirectory
    }
    /// Loads from the first place that has data; downloads only when none does.
    public func load(onDownloadProgress: (Int, Int?) -> Void) throws(DatasetError) -> TrainTestData { throw .notFound(searched: [], hint: "") }
}

/// Preprocessing from pixels to flat float features.
public enum Normalization: Sendable, Equatable {
    /// x / 255, into [0, 1].
    case scale
    /// (x - mean) / std per feature, with the training set's statistics.
    case standardize(mean: [Float], std: [Float])
    /// Statistics from `pixels` (count × width).
    public static func standardizing(_ pixels: [UInt8], width: Int) -> Normalization { .scale }
    public func apply(_ pixels: [UInt8], width: Int) -> [Float] { [] }
}
