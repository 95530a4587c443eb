// Finding MNIST for `load mnist`: an explicit path=, then $DNB_DATA, then
// ./data/mnist/, then ~/.keras/datasets/mnist.npz; only when none of them
// exists, a download of Keras's mnist.npz into ~/.keras/datasets/.

import Digests
import HostIO

/// Where `load mnist` looks, in order: path=, DNB_DATA, ./data/mnist/,
/// ~/.keras/datasets/mnist.npz, then download.
///
/// `path=` and `DNB_DATA` may name a folder holding the four IDX files
/// (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
/// `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each possibly spelt
/// with `.idx` instead of `-idx` and possibly ending in `.gz`), a folder
/// holding `mnist.npz`, or an .npz file. A relative path is taken from
/// `currentDirectory`, and a leading `~/` from `homeDirectory`. When either
/// setting is given but holds no data, that is an error naming it: the
/// search never silently moves on from a place the user chose.
public struct MNISTLocator: Sendable {
    public var explicitPath: String?
    public var environment: [String: String]
    public var currentDirectory: String
    public var homeDirectory: String

    /// Fetches the download; tests inject a fake so they never touch the network.
    var download: Downloader = MNISTDownloader.live
    /// What to download.
    var downloadURL = MNISTDownloader.url
    /// The SHA-256 (hex) the download must have.
    var expectedSHA256 = MNISTDownloader.sha256

    public init(explicitPath: String?, environment: [String: String], currentDirectory: String, homeDirectory: String) {
        self.explicitPath = explicitPath
        self.environment = environment
        self.currentDirectory = currentDirectory
        self.homeDirectory = homeDirectory
    }

    /// Loads from the first place that has data; downloads only when none does.
    ///
    /// `onDownloadProgress(bytesSoFar, totalBytes)` is called during a
    /// download only (`totalBytes` is nil when the server does not say).
    /// The download goes to ~/.keras/datasets/mnist.npz (via a temporary file
    /// and a rename) after its SHA-256 and contents check out.
    ///
    /// - Throws: `.notFound` when path= or DNB_DATA holds no data;
    ///   `.downloadFailed` (with a hint listing where to put the files) when
    ///   nothing was found and the download fails; reader errors naming the
    ///   file for data that is there but damaged.
    public func load(onDownloadProgress: (Int, Int?) -> Void) throws(DatasetError) -> TrainTestData {
        if let path = explicitPath {
            return try loadChosen(path, setting: "path=")
        }
        if let path = environment["DNB_DATA"], !path.isEmpty {
            return try loadChosen(path, setting: "DNB_DATA=")
        }
        let local = joinPath(currentDirectory, "data/mnist")
        if fileKind(local) == .directory {
            switch folderContents(local) {
            case .idx(let files): return try loadIDX(files, shown: "./data/mnist")
            case .npz(let file): return try loadNPZ(file, shown: "./data/mnist/mnist.npz")
            case .partialIDX(let missing):
                throw .notFound(
                    searched: ["./data/mnist"],
                    hint: "\(local) has some MNIST IDX files but lacks \(missing.joined(separator: ", ")); "
                        + Self.expectedLayout)
            case .nothing: break
            }
        }
        let cached = joinPath(homeDirectory, ".keras/datasets/mnist.npz")
        if fileKind(cached) == .file {
            return try loadNPZ(cached, shown: "~/.keras/datasets/mnist.npz")
        }
        return try downloadAndLoad(onDownloadProgress)
    }

    /// What path= and DNB_DATA may name.
    static let expectedLayout =
        "expected a folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte "
        + "and t10k-labels-idx1-ubyte (each may end in .gz), a folder with mnist.npz, or an .npz file"

    /// Where the files may be placed instead of downloading them.
    var placementHint: String {
        "put MNIST in one of these places instead: `load mnist path=DIR_OR_NPZ`; the DNB_DATA environment "
            + "variable (a folder with the four IDX files, gzipped or not, or mnist.npz); "
            + "\(joinPath(currentDirectory, "data/mnist"))/ (./data/mnist/, the same forms); "
            + "or \(joinPath(homeDirectory, ".keras/datasets/mnist.npz")) (~/.keras/datasets/mnist.npz, "
            + "a copy of \(downloadURL))"
    }

    /// Loads from a place the user named (`setting` is "path=" or "DNB_DATA=");
    /// no data there is an error, never a reason to look elsewhere.
    func loadChosen(_ path: String, setting: String) throws(DatasetError) -> TrainTestData {
        let resolved = resolvePath(path)
        let place = setting + path
        let shownResolved = resolved == path ? "" : " (\(resolved))"
        switch fileKind(resolved) {
        case .missing:
            throw .notFound(searched: [place], hint: "\(path)\(shownResolved) does not exist; " + Self.expectedLayout)
        case .file:
            let bytes = try readDataFile(resolved)
            let isZip = bytes.count >= 4 && bytes.littleEndianUInt32(at: 0) == 0x0403_4B50
            if !isZip, resolved.lowercased().contains("idx") {
                throw .notFound(
                    searched: [place],
                    hint: "\(path) is a single IDX file; give the folder that holds all four, "
                        + "or use `load idx IMAGES LABELS`")
            }
            var data = try readMNISTNPZ(bytes, name: resolved)
            data.origin = "\(path) (npz)"
            return data
        case .directory:
            if let problem = folderAccessProblem(resolved) {
                throw .unreadable(path: resolved, reason: problem)
            }
            switch folderContents(resolved) {
            case .idx(let files): return try loadIDX(files, shown: path)
            case .npz(let file): return try loadNPZ(file, shown: joinPath(path, "mnist.npz"))
            case .partialIDX(let missing):
                throw .notFound(
                    searched: [place],
                    hint: "\(path)\(shownResolved) lacks \(missing.joined(separator: ", ")); " + Self.expectedLayout)
            case .nothing:
                throw .notFound(
                    searched: [place], hint: "\(path)\(shownResolved) holds no MNIST files; " + Self.expectedLayout)
            }
        case .other:
            throw .unreadable(path: resolved, reason: "not a file or a folder")
        }
    }

    /// The four IDX files of a folder, by role.
    struct IDXFiles: Equatable {
        var trainImages: String
        var trainLabels: String
        var testImages: String
        var testLabels: String

        var all: [String] { [trainImages, trainLabels, testImages, testLabels] }
    }

    /// What a folder offers.
    enum FolderContents: Equatable {
        case idx(IDXFiles)
        case npz(String)
        /// Some IDX files but not all; `missing` are their canonical names.
        case partialIDX(missing: [String])
        case nothing
    }

    /// The canonical IDX names, by role (train images, train labels, test images, test labels).
    static let idxNames = [
        ("train-images", "idx3-ubyte"), ("train-labels", "idx1-ubyte"),
        ("t10k-images", "idx3-ubyte"), ("t10k-labels", "idx1-ubyte"),
    ]

    /// The four IDX files if all are present (uncompressed preferred over
    /// .gz, `-idx` over `.idx`), else mnist.npz, else what is missing.
    func folderContents(_ folder: String) -> FolderContents {
        var found: [String] = []
        var missing: [String] = []
        for (stem, kind) in Self.idxNames {
            let spellings = ["\(stem)-\(kind)", "\(stem).\(kind)", "\(stem)-\(kind).gz", "\(stem).\(kind).gz"]
            if let file = spellings.map({ joinPath(folder, $0) }).first(where: { fileKind($0) == .file }) {
                found.append(file)
            } else {
                missing.append("\(stem)-\(kind)")
            }
        }
        if missing.isEmpty {
            return .idx(IDXFiles(trainImages: found[0], trainLabels: found[1], testImages: found[2], testLabels: found[3]))
        }
        let npz = joinPath(folder, "mnist.npz")
        if fileKind(npz) == .file { return .npz(npz) }
        return found.isEmpty ? .nothing : .partialIDX(missing: missing)
    }

    /// Reads the four IDX files; `shown` is the folder as the user knows it.
    func loadIDX(_ files: IDXFiles, shown: String) throws(DatasetError) -> TrainTestData {
        let train = try readIDXPair(imagesPath: files.trainImages, labelsPath: files.trainLabels)
        let test = try readIDXPair(imagesPath: files.testImages, labelsPath: files.testLabels)
        guard train.rows == test.rows, train.cols == test.cols else {
            throw .malformed(
                file: files.testImages,
                reason: "test images are \(test.rows) x \(test.cols) but training images "
                    + "(\(files.trainImages)) are \(train.rows) x \(train.cols)")
        }
        let gzipped = files.all.filter { $0.hasSuffix(".gz") }.count
        let compression = gzipped == 4 ? ", gzip" : gzipped == 0 ? "" : ", partly gzip"
        return TrainTestData(train: train, test: test, origin: "\(shown) (IDX\(compression))")
    }

    /// Reads an .npz file; `shown` is its path as the user knows it.
    func loadNPZ(_ file: String, shown: String) throws(DatasetError) -> TrainTestData {
        var data = try readNPZFile(file)
        data.origin = "\(shown) (npz)"
        return data
    }

    /// Downloads mnist.npz, checks its SHA-256 and contents, saves it to
    /// ~/.keras/datasets/mnist.npz atomically, and returns its data. Failing
    /// to save is not fatal: the data is good, and `origin` says it was not kept.
    func downloadAndLoad(_ onProgress: (Int, Int?) -> Void) throws(DatasetError) -> TrainTestData {
        let bytes: [UInt8]
        do throws(DownloadFailure) {
            bytes = try download(downloadURL, onProgress)
        } catch {
            throw .downloadFailed(url: downloadURL, reason: error.reason, hint: placementHint)
        }
        let digest = SHA256.hexDigest(bytes)
        guard digest == expectedSHA256 else {
            throw .downloadFailed(
                url: downloadURL,
                reason: "the \(bytes.count) bytes received have SHA-256 \(digest), expected \(expectedSHA256)",
                hint: placementHint)
        }
        var data = try readMNISTNPZ(bytes, name: downloadURL)
        let folder = joinPath(homeDirectory, ".keras/datasets")
        do throws(FileWriteFailure) {
            try createDirectories(folder)
            try writeFileAtomically(bytes, to: joinPath(folder, "mnist.npz"))
            data.origin = "~/.keras/datasets/mnist.npz (npz, downloaded)"
        } catch {
            data.origin = "\(downloadURL) (npz, downloaded; not saved: \(error.reason))"
        }
        return data
    }

    /// `path` made absolute: `~` and `~/...` from `homeDirectory`, relative
    /// paths from `currentDirectory`.
    func resolvePath(_ path: String) -> String {
        if path == "~" { return homeDirectory }
        if path.hasPrefix("~/") { return joinPath(homeDirectory, String(path.dropFirst(2))) }
        if path.hasPrefix("/") { return path }
        return joinPath(currentDirectory, path)
    }
}
