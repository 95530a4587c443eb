import Digests
import HostIO
import Testing

@testable import Datasets

/// Each test gets its own temporary folder holding `cwd/` and `home/`.
@Suite struct MNISTLocatorTests {
    let train = Fixture.imageSet(count: 20, rows: 2, cols: 3)
    let test = Fixture.imageSet(count: 10, rows: 2, cols: 3)

    /// A locator over temporary folders that fails the test if it tries to download.
    func locator(_ root: String, path: String? = nil, environment: [String: String] = [:]) -> MNISTLocator {
        var locator = MNISTLocator(
            explicitPath: path, environment: environment, currentDirectory: root + "/cwd", homeDirectory: root + "/home")
        locator.download = { url, _ throws(DownloadFailure) in
            Issue.record("unexpected download of \(url)")
            throw DownloadFailure(reason: "no network in tests")
        }
        return locator
    }

    func load(_ locator: MNISTLocator) throws(DatasetError) -> TrainTestData {
        try locator.load { _, _ in Issue.record("unexpected progress report") }
    }

    @Test(arguments: [(false, "-"), (true, "-"), (false, "."), (true, ".")])
    func readsAnIDXFolder(gzipped: Bool, separator: String) throws {
        let root = Fixture.temporaryFolder()
        defer { Fixture.remove(root) }
        Fixture.writeIDXFolder(root + "/idx", train: train, test: test, gzipped: gzipped, separator: separator)
        let data = try load(locator(root, path: root + "/idx"))
        #expect(data.train == train)
        #expect(data.test == test)
        #expect(data.origin == "\(root)/idx (IDX\(gzipped ? ", gzip" : ""))")
    }

    @Test func readsAnNPZFileOrAFolderWithMNISTNPZ() throws {
        let root = Fixture.temporaryFolder()
        defer { Fixture.remove(root) }
        Fixture.write(Fixture.mnistNPZ(train: train, test: test, deflated: true), root + "/cwd/keras/mnist.npz")
        let file = try load(locator(root, path: "keras/mnist.npz"))  // relative to the current directory
        #expect(file.train == train)
        #expect(file.origin == "keras/mnist.npz (npz)")
        let folder = try load(locator(root, environment: ["DNB_DATA": root + "/cwd/keras"]))
        #expect(folder.test == test)
        #expect(folder.origin == "\(root)/cwd/keras/mnist.npz (npz)")
    }

    /// Four places with different data: each is used only when those before it are absent.
    @Test func searchOrderIsPathThenDNBDataThenDataMNISTThenKeras() throws {
        let root = Fixture.temporaryFolder()
        defer { Fixture.remove(root) }
        let sets = (1...4).map { Fixture.imageSet(count: $0, rows: 1, cols: 1) }
        Fixture.writeIDXFolder(root + "/explicit", train: sets[0], test: sets[0], gzipped: true)
        Fixture.writeIDXFolder(root + "/env", train: sets[1], test: sets[1], gzipped: false)
        Fixture.writeIDXFolder(root + "/cwd/data/mnist", train: sets[2], test: sets[2], gzipped: true)
        Fixture.write(
            Fixture.mnistNPZ(train: sets[3], test: sets[3], deflated: false), root + "/home/.keras/datasets/mnist.npz")
        let environment = ["DNB_DATA": root + "/env"]

        #expect(try load(locator(root, path: root + "/explicit", environment: environment)).train.count == 1)
        #expect(try load(locator(root, environment: environment)).train.count == 2)
        #expect(try load(locator(root, environment: ["DNB_DATA": ""])).train.count == 3)
        let local = try load(locator(root))
        #expect(local.train.count == 3)
        #expect(local.origin == "./data/mnist (IDX, gzip)")
        Fixture.remove(root + "/cwd/data")
        let cached = try load(locator(root))
        #expect(cached.train.count == 4)
        #expect(cached.origin == "~/.keras/datasets/mnist.npz (npz)")
    }

    @Test func aChosenPlaceWithoutDataIsAnErrorNamingIt() throws {
        let root = Fixture.temporaryFolder()
        defer { Fixture.remove(root) }
        // Good data further down the search order must not be used instead.
        Fixture.writeIDXFolder(root + "/cwd/data/mnist", train: train, test: test, gzipped: false)
        Fixture.write([1, 2, 3], root + "/empty/readme.txt")

        let missing = Fixture.error { () throws(DatasetError) in try load(locator(root, path: "/no/such/folder")) }
        guard case .notFound(let searched, let hint)? = missing else {
            Issue.record("expected .notFound, got \(String(describing: missing))")
            return
        }
        #expect(searched == ["path=/no/such/folder"])
        #expect(hint.hasPrefix("/no/such/folder does not exist; expected a folder with train-images-idx3-ubyte"))
        #expect(missing?.description.hasPrefix("no MNIST data found in path=/no/such/folder\nhint: ") == true)

        let empty = Fixture.error { () throws(DatasetError) in
            try load(locator(root, environment: ["DNB_DATA": root + "/empty"]))
        }
        #expect(empty?.message == "no MNIST data found in DNB_DATA=\(root)/empty")
        #expect(empty?.hint?.contains("holds no MNIST files") == true)

        let relative = Fixture.error { () throws(DatasetError) in try load(locator(root, path: "nowhere")) }
        #expect(relative?.hint?.hasPrefix("nowhere (\(root)/cwd/nowhere) does not exist") == true)
    }

    @Test func aPartialIDXFolderListsWhatIsMissing() {
        let root = Fixture.temporaryFolder()
        defer { Fixture.remove(root) }
        Fixture.writeIDXFolder(root + "/idx", train: train, test: test, gzipped: true)
        Fixture.remove(root + "/idx/t10k-labels-idx1-ubyte.gz")
        let error = Fixture.error { () throws(DatasetError) in try load(locator(root, path: root + "/idx")) }
        #expect(error?.hint?.hasPrefix("\(root)/idx lacks t10k-labels-idx1-ubyte; expected") == true)
    }

    @Test func aSingleIDXFileSuggestsLoadIDX() {
        let root = Fixture.temporaryFolder()
        defer { Fixture.remove(root) }
        Fixture.writeIDXFolder(root + "/idx", train: train, test: test, gzipped: true)
        let error = Fixture.error { () throws(DatasetError) in
            try load(locator(root, path: root + "/idx/train-images-idx3-ubyte.gz"))
        }
        #expect(error?.hint?.contains("use `load idx IMAGES LABELS`") == true)
    }

    @Test func damagedDataNamesTheFile() {
        let root = Fixture.temporaryFolder()
        defer { Fixture.remove(root) }
        Fixture.writeIDXFolder(root + "/cwd/data/mnist", train: train, test: test, gzipped: false)
        Fixture.write(Fixture.idxLabels([1, 2, 42]), root + "/cwd/data/mnist/t10k-labels-idx1-ubyte")
        let error = Fixture.error { () throws(DatasetError) in try load(locator(root)) }
        #expect(
            error
                == .malformed(
                    file: root + "/cwd/data/mnist/t10k-labels-idx1-ubyte", reason: "label 42 at index 2 is not a digit 0...9"))
    }

    @Test func aFailedDownloadSaysWhereToPutTheFiles() {
        let root = Fixture.temporaryFolder()
        defer { Fixture.remove(root) }
        var locator = locator(root)
        locator.download = { url, _ throws(DownloadFailure) in
            #expect(url == "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz")
            throw DownloadFailure(reason: "The Internet connection appears to be offline.")
        }
        let error = Fixture.error { () throws(DatasetError) in try locator.load { _, _ in } }
        guard case .downloadFailed(let url, let reason, let hint)? = error else {
            Issue.record("expected .downloadFailed, got \(String(describing: error))")
            return
        }
        #expect(url == MNISTDownloader.url)
        #expect(reason == "The Internet connection appears to be offline.")
        for place in ["path=", "DNB_DATA", "./data/mnist/", "~/.keras/datasets/mnist.npz", root + "/cwd/data/mnist/"] {
            #expect(hint.contains(place), "hint lacks \(place)")
        }
        #expect(fileKind(root + "/home/.keras") == .missing)
    }

    @Test func aDownloadWithTheWrongHashIsRejectedAndNotSaved() {
        let root = Fixture.temporaryFolder()
        defer { Fixture.remove(root) }
        var locator = locator(root)
        locator.download = { _, _ throws(DownloadFailure) in Array("<html>captive portal</html>".utf8) }
        let error = Fixture.error { () throws(DatasetError) in try locator.load { _, _ in } }
        #expect(error?.message.contains("the 27 bytes received have SHA-256 ") == true)
        #expect(error?.message.hasSuffix("expected \(MNISTDownloader.sha256)") == true)
        #expect(fileKind(root + "/home/.keras/datasets/mnist.npz") == .missing)
    }

    @Test func aGoodDownloadIsSavedAndReportsProgress() throws {
        let root = Fixture.temporaryFolder()
        defer { Fixture.remove(root) }
        let archive = Fixture.mnistNPZ(train: train, test: test, deflated: true)
        var locator = locator(root)
        locator.expectedSHA256 = SHA256.hexDigest(archive)
        locator.download = { _, onProgress throws(DownloadFailure) in
            onProgress(100, archive.count)
            onProgress(archive.count, archive.count)
            return archive
        }
        var reports: [String] = []
        let data = try locator.load { reports.append("\($0)/\($1.map(String.init) ?? "?")") }
        #expect(reports == ["100/\(archive.count)", "\(archive.count)/\(archive.count)"])
        #expect(data.train == train)
        #expect(data.origin == "~/.keras/datasets/mnist.npz (npz, downloaded)")
        #expect(try readFileBytes(root + "/home/.keras/datasets/mnist.npz") == archive)

        // The next load finds the saved file and does not download again.
        let again = try load(self.locator(root))
        #expect(again.origin == "~/.keras/datasets/mnist.npz (npz)")
    }

    @Test func aDownloadThatCannotBeSavedIsStillUsed() throws {
        let root = Fixture.temporaryFolder()
        defer { Fixture.remove(root) }
        Fixture.write([0], root + "/home")  // home is a file: ~/.keras cannot be created
        let archive = Fixture.mnistNPZ(train: train, test: test, deflated: false)
        var locator = locator(root)
        locator.expectedSHA256 = SHA256.hexDigest(archive)
        locator.download = { _, _ throws(DownloadFailure) in archive }
        let data = try locator.load { _, _ in }
        #expect(data.test == test)
        #expect(data.origin == "\(MNISTDownloader.url) (npz, downloaded; not saved: \(root)/home is not a folder)")
    }

    @Test func resolvesPaths() {
        let locator = MNISTLocator(explicitPath: nil, environment: [:], currentDirectory: "/work/", homeDirectory: "/root")
        #expect(locator.resolvePath("data") == "/work/data")
        #expect(locator.resolvePath("/abs") == "/abs")
        #expect(locator.resolvePath("~") == "/root")
        #expect(locator.resolvePath("~/m.npz") == "/root/m.npz")
        #expect(locator.resolvePath("../x") == "/work/../x")
    }
}
