import Digests
import Foundation
import HostIO
import Testing

@testable import Datasets

/// The real MNIST, where `DNB_DATA` points at it (CI and `make test` set it to
/// ../shared/data/mnist). Unset: skipped. Set but unusable: a failure, so a
/// broken data path never passes silently.
@Suite struct RealMNISTTests {
    static let dataPath = ProcessInfo.processInfo.environment["DNB_DATA"]

    @Test(.enabled(if: dataPath != nil, "DNB_DATA is not set"))
    func loadsTheRealMNIST() throws {
        let path = Self.dataPath ?? ""
        var locator = MNISTLocator(
            explicitPath: nil, environment: ["DNB_DATA": path],
            currentDirectory: FileManager.default.currentDirectoryPath, homeDirectory: "/nonexistent-dnb-home")
        locator.download = { url, _ throws(DownloadFailure) in
            Issue.record("DNB_DATA=\(path) was not used; the locator tried to download \(url)")
            throw DownloadFailure(reason: "no downloads in tests")
        }
        let data = try locator.load { _, _ in }
        #expect(data.train.count == 60000)
        #expect(data.test.count == 10000)
        #expect(data.train.rows == 28 && data.train.cols == 28)
        #expect(data.test.rows == 28 && data.test.cols == 28)
        #expect(data.train.pixels.count == 60000 * 784)
        #expect(data.train.labels.first == 5)
        #expect(data.test.classCounts == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        #expect(data.train.pixelRange == (min: 0, max: 255))
        #expect(data.origin.hasPrefix(path))

        // A folder that also holds Keras's mnist.npz must hold the same arrays there.
        let folder = locator.resolvePath(path)
        if fileKind(folder) == .directory, fileKind(folder + "/mnist.npz") == .file,
            case .idx = locator.folderContents(folder)
        {
            let npz = try readNPZFile(folder + "/mnist.npz")
            #expect(npz.train == data.train)
            #expect(npz.test == data.test)
        }
    }

    /// The decompressed files match the SHA-256 sums in the data's README.
    @Test(.enabled(if: dataPath != nil, "DNB_DATA is not set"))
    func decompressedFilesMatchTheirPublishedHashes() throws {
        let locator = MNISTLocator(
            explicitPath: nil, environment: [:], currentDirectory: FileManager.default.currentDirectoryPath,
            homeDirectory: "/nonexistent-dnb-home")
        let folder = locator.resolvePath(Self.dataPath ?? "")
        let sums = [
            "t10k-images-idx3-ubyte.gz": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "t10k-labels-idx1-ubyte.gz": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        ]
        for (name, sum) in sums where fileKind(folder + "/" + name) == .file {
            let bytes = try gunzip(readFileBytes(folder + "/" + name), name: name)
            #expect(SHA256.hexDigest(bytes) == sum, "\(name)")
        }
    }
}
