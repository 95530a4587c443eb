import Datasets
import Language

extension Session {
    /// `load mnist [path=...]`, `load idx IMAGES LABELS [IMAGES LABELS]`, `load npz FILE`.
    func load(_ command: Command) throws(Diagnostic) {
        let usage = CommandSpecs.load.usage
        let words = command.words
        guard let kindWord = words.first else {
            throw Diagnostic("load what? usage: \(usage)", at: command.verb.span)
        }
        let kind = try choose(kindWord, from: CommandSpecs.load.subcommands, what: "data kind")
        if kind == "model" {
            let files = Array(try expectWords(command, atMost: 2, usage: usage).dropFirst())
            guard let file = files.first else {
                throw Diagnostic("load model needs a file: load model FILE", at: wholeSpan(command))
            }
            if let path = command.option("path") {
                throw Diagnostic("path= goes with `load mnist`", at: path.key.span)
            }
            try loadModel(from: file, command: command)
            return
        }
        let options = try self.options(command)
        if kind != "mnist", let path = command.option("path") {
            throw Diagnostic("path= goes with `load mnist`; give the files after `load \(kind)`", at: path.key.span)
        }
        let started = ContinuousClock.now
        let loaded: (train: ImageSet, test: ImageSet, origin: String)
        switch kind {
        case "mnist":
            _ = try expectWords(command, atMost: 1, usage: usage)
            let locator = MNISTLocator(
                explicitPath: options.text("path").map(resolve), environment: environment.variables,
                currentDirectory: environment.currentDirectory, homeDirectory: environment.homeDirectory)
            do {
                let data = try locator.load { received, total in
                    self.emit(.progress(Self.downloadStatus(received: received, total: total)))
                }
                loaded = (data.train, data.test, data.origin)
            } catch {
                throw Diagnostic(error.description, at: command.option("path")?.value.span ?? wholeSpan(command))
            }
        case "idx":
            let files = Array(try expectWords(command, atMost: 5, usage: usage).dropFirst())
            guard files.count == 2 || files.count == 4 else {
                throw Diagnostic(
                    "load idx takes a training pair (IMAGES LABELS) and optionally a test pair; got \(files.count) file(s)",
                    at: wholeSpan(command))
            }
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
        default:  // npz
            let files = Array(try expectWords(command, atMost: 2, usage: usage).dropFirst())
            guard let file = files.first else {
                throw Diagnostic("load npz needs a file: load npz FILE.npz", at: wholeSpan(command))
            }
            do {
                let data = try readNPZFile(resolve(file.text))
                loaded = (data.train, data.test, file.text + " (npz)")
            } catch {
                throw Diagnostic(error.description.replacingOccurrences(of: resolve(file.text), with: file.text), at: file.span)
            }
        }
        let seconds = (ContinuousClock.now - started).seconds
        state.data = LoadedData(train: loaded.train, test: loaded.test, origin: loaded.origin)
        state.lastValidationFraction = 0
        let train = loaded.train
        emit(
            .text(
                "loaded \(Formatting.grouped(train.count)) training and \(Formatting.grouped(loaded.test.count)) test images, "
                    + "\(train.rows)x\(train.cols), from \(loaded.origin) in \(Formatting.seconds(seconds))"))
    }

    private func readPair(_ images: Word, _ labels: Word) throws(Diagnostic) -> ImageSet {
        do {
            return try readIDXPair(imagesPath: resolve(images.text), labelsPath: resolve(labels.text))
        } catch {
            // Point at whichever file the message names, as the user typed it.
            let imagesPath = resolve(images.text)
            let labelsPath = resolve(labels.text)
            let text = error.description
            let labelsAt = text.range(of: labelsPath)?.lowerBound
            let imagesAt = text.range(of: imagesPath)?.lowerBound
            let span =
                labelsAt.map { labelsAt in imagesAt.map { labelsAt < $0 } ?? true } ?? false
                ? labels.span : images.span
            let message = error.description.replacingOccurrences(of: imagesPath, with: images.text)
                .replacingOccurrences(of: labelsPath, with: labels.text)
            throw Diagnostic(message, at: span)
        }
    }

    static func downloadStatus(received: Int, total: Int?) -> String {
        let megabytes = Double(received) / 1_048_576
        if let total, total > 0 {
            let percent = Int(Double(received) * 100 / Double(total))
            return "downloading mnist.npz: \(percent)% (\(Formatting.fixed(megabytes, 1)) MB)"
        }
        return "downloading mnist.npz: \(Formatting.fixed(megabytes, 1)) MB"
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
