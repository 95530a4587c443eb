import Datasets
import Engine
import Language
import Plotting

/// `load mnist|idx|npz|model`: its declaration and its handler.
enum LoadCommand {
    static let path = Option<String?>("path", .path, default: nil, "folder of IDX files, or an .npz file (load mnist)")

    static let spec = CommandSpec(
        name: "load",
        usage: "load mnist [path=DIR_OR_NPZ] | load idx IMAGES LABELS [IMAGES LABELS] | load npz FILE | load model FILE",
        summary: "read MNIST, other data of the same shape, or a saved model",
        details: """
            load mnist looks, in order, at path=, $DNB_DATA, ./data/mnist/ and ~/.keras/datasets/mnist.npz
            (a folder of the four IDX files, gzipped or not, or a Keras mnist.npz); only when all are
            absent does it download Keras's mnist.npz into ~/.keras/datasets/.
            load idx reads IDX image and label files (training pair, then an optional test pair);
            load npz reads an archive with x_train, y_train, x_test and y_test.
            load model reads a model saved by `save model` (weights, architecture, normalization and
            optimizer state), so `fit` resumes where it stopped and `predict` works at once; also a
            Keras 3 .keras file or a legacy Keras .h5 file (Sequential models of the layers dnb has),
            read in a child process so a damaged file cannot end the session.
            """,
        subcommands: [
            SubcommandSpec(Form.mnist.rawValue, options: [path.name]),
            SubcommandSpec(
                Form.idx.rawValue,
                [
                    ArgumentSpec("IMAGES", .path), ArgumentSpec("LABELS", .path),
                    ArgumentSpec("TEST_IMAGES", .path, .optional), ArgumentSpec("TEST_LABELS", .path, .withPrevious),
                ], options: []),
            SubcommandSpec(Form.npz.rawValue, [ArgumentSpec("FILE", .path)], options: []),
            SubcommandSpec(Form.model.rawValue, [ArgumentSpec("FILE", .path)], options: []),
        ],
        subcommandNoun: "data kind",
        options: [path.spec],
        examples: ["load mnist", "load mnist path=data/mnist.npz", "load idx train-images.gz train-labels.gz"])

    static let entry = CommandEntry(spec: spec, handler: Session.load)

    enum Form: String {
        case mnist, idx, npz, model
    }
}

extension Session {
    func load(_ invocation: Invocation) throws(Diagnostic) -> Outcome {
        let files = invocation.arguments.map(\.word)
        let form = try invocation.form(LoadCommand.Form.self)
        let started = ContinuousClock.now
        let loaded: (train: ImageSet, test: ImageSet, origin: String)
        switch form {
        case .model:
            try loadModel(from: files[0], invocation: invocation)
            return .done
        case .mnist:
            let locator = MNISTLocator(
                explicitPath: invocation[LoadCommand.path].map(resolve), environment: environment.variables,
                currentDirectory: environment.currentDirectory, homeDirectory: environment.homeDirectory)
            do {
                let data = try locator.load { received, total in
                    self.emit(.progress(Self.downloadStatus(received: received, total: total)))
                }
                loaded = (data.train, data.test, data.origin)
            } catch {
                throw Diagnostic(error.description, at: invocation.span(of: LoadCommand.path) ?? invocation.wholeSpan)
            }
        case .idx:
            let train = try readPair(files[0], files[1])
            let test =
                files.count == 4
                ? try readPair(files[2], files[3]) : ImageSet(rows: train.rows, cols: train.cols, pixels: [], labels: [])
            if files.count == 4, test.rows != train.rows || test.cols != train.cols {
                throw Diagnostic(
                    "test images are \(test.rows)x\(test.cols) but training images are \(train.rows)x\(train.cols)",
                    at: files[2].span)
            }
            loaded = (train, test, files.map(\.text).joined(separator: ", "))
        case .npz:
            let bytes = try read(files[0])
            do {
                let data = try readMNISTNPZ(bytes, name: files[0].text)
                loaded = (data.train, data.test, data.origin)
            } catch {
                throw Diagnostic(error.description, at: files[0].span)
            }
        }
        let seconds = (ContinuousClock.now - started).seconds
        state.data = LoadedData(train: loaded.train, test: loaded.test, origin: loaded.origin)
        state.lastValidationFraction = 0
        let train = loaded.train
        emit(
            .text(
                "loaded \(NumberFormat.grouped(train.count)) training and \(NumberFormat.grouped(loaded.test.count)) test images, "
                    + "\(train.rows)x\(train.cols), from \(loaded.origin) in \(NumberFormat.seconds(seconds))"))
        return .done
    }

    /// An images file and its labels; the error points at the file it is about.
    private func readPair(_ images: Word, _ labels: Word) throws(Diagnostic) -> ImageSet {
        let imageBytes = try read(images)
        let labelBytes = try read(labels)
        do {
            return try readIDXPair(images: imageBytes, imagesName: images.text, labels: labelBytes, labelsName: labels.text)
        } catch {
            throw Diagnostic(error.description, at: error.file == labels.text ? labels.span : images.span)
        }
    }

    static func downloadStatus(received: Int, total: Int?) -> String {
        let megabytes = Double(received) / 1_048_576
        if let total, total > 0 {
            let percent = Int(Double(received) * 100 / Double(total))
            return "downloading mnist.npz: \(percent)% (\(NumberFormat.fixed(megabytes, 1)) MB)"
        }
        return "downloading mnist.npz: \(NumberFormat.fixed(megabytes, 1)) MB"
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
