import Datasets

extension FuzzTargets {
    /// `load idx IMAGES LABELS`: both readers, raw or gzipped.
    public static let idx = FuzzTarget(
        name: "idx", summary: "IDX images and labels (readIDXImages, readIDXLabels)",
        maximumLength: 1 << 20, maximumExpandedLength: 1 << 20, dictionary: "idx.dict"
    ) { bytes in
        let images = outcome { () throws(DatasetError) in _ = try readIDXImages(bytes, name: "fuzz-images") }
        let labels = outcome { () throws(DatasetError) in _ = try readIDXLabels(bytes, name: "fuzz-labels") }
        return images == .accepted ? images : labels
    }

    /// Gzipped IDX files (`load mnist` on a folder of .gz files): the same
    /// readers, given only inputs that start with gzip's magic number.
    public static let gzip = FuzzTarget(
        name: "gzip", summary: "gzip members, through the IDX readers",
        maximumLength: 1 << 20, maximumExpandedLength: 1 << 20, dictionary: "gzip.dict"
    ) { bytes in
        guard bytes.count >= 2, bytes[0] == 0x1f, bytes[1] == 0x8b else { return .refused("not gzip") }
        let images = outcome { () throws(DatasetError) in _ = try readIDXImages(bytes, name: "fuzz.gz") }
        let labels = outcome { () throws(DatasetError) in _ = try readIDXLabels(bytes, name: "fuzz.gz") }
        return images == .accepted ? images : labels
    }

    /// One NPY array (header and data), placed in an otherwise valid
    /// mnist.npz as `x_train` and then as `y_train`, read by `readMNISTNPZ`
    /// (`load npz`, `load mnist path=FILE.npz`). NPY v1 headers reach 64 KiB.
    public static let npy = FuzzTarget(
        name: "npy", summary: "one NPY array inside an .npz (readMNISTNPZ)",
        maximumLength: 70_000, maximumExpandedLength: 1 << 17, dictionary: "npy.dict"
    ) { bytes in
        var arrays = NPZBuilder.mnistArrays()
        arrays[0].data = bytes
        let asImages = outcome { () throws(DatasetError) in
            _ = try readMNISTNPZ(NPZBuilder.storedZip(arrays), name: "fuzz.npz")
        }
        arrays = NPZBuilder.mnistArrays()
        arrays[1].data = bytes
        let asLabels = outcome { () throws(DatasetError) in
            _ = try readMNISTNPZ(NPZBuilder.storedZip(arrays), name: "fuzz.npz")
        }
        return asImages == .accepted ? asImages : asLabels
    }

    /// A whole .npz file (`load npz FILE`).
    public static let npz = FuzzTarget(
        name: "npz", summary: "an .npz archive (readMNISTNPZ)",
        maximumLength: 1 << 20, maximumExpandedLength: 1 << 20, dictionary: "npz.dict"
    ) { bytes in
        outcome { () throws(DatasetError) in _ = try readMNISTNPZ(bytes, name: "fuzz.npz") }
    }

    /// `predict FILE`: every decoder (PNG, JPEG, BMP, GIF through stb_image;
    /// PGM/PPM/PNM in Swift) and the MNIST-style centring after it.
    public static let picture = FuzzTarget(
        name: "picture", summary: "a picture for predict (DigitPicture(decoding:))",
        maximumLength: 1 << 20, maximumExpandedLength: 1 << 20, dictionary: "picture.dict"
    ) { bytes in
        do {
            _ = try DigitPicture(decoding: bytes, name: "fuzz.png")
            return .accepted
        } catch {
            return .refused(String(describing: error))
        }
    }

    /// The outcome of a reader call.
    static func outcome(_ body: () throws(DatasetError) -> Void) -> FuzzOutcome {
        do {
            try body()
            return .accepted
        } catch {
            return .refused(String(describing: error))
        }
    }
}
