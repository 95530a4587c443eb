import Datasets
import Engine
import HostIO
import Language
import Plotting

/// `predict FILE`, `predict DIR`, `predict test N`, `predict train N`: its declaration.
enum PredictCommand {
    static let spec = CommandSpec(
        name: "predict",
        usage: "predict FILE | predict DIR | predict test N | predict train N",
        summary: "the digit in a picture (PNG, JPEG, BMP, GIF, PGM/PPM), a folder of them, or a data sample",
        details: """
            A picture is prepared as MNIST's digits were: transparency over white, grey, inverted when
            the ink is dark on light paper, cropped to the ink, scaled so the longer side is 20 pixels,
            centred by its centre of mass in 28x28; thin strokes on big canvases are thickened. It prints
            the prediction with the top-3 probabilities and writes PLOTS/predict-NAME.png with the
            picture, the 28x28 input the model saw and the probabilities. A folder laid out as
            DIR/<digit>/*.png also gets its accuracy.
            """,
        subcommands: ["test", "train"].map {
            SubcommandSpec($0, [ArgumentSpec("N", .integer(0...Int.max), noun: "a sample number")])
        },
        subcommandNoun: "sample set",
        arguments: [ArgumentSpec("FILE", .path)],
        examples: ["predict my-digit.png", "predict drawings/", "predict test 17"])

    static let entry = CommandEntry(spec: spec, handler: Session.predict)
}

extension Session {
    /// Pictures larger than this are refused before they are read.
    static let maximumPictureBytes = 64 << 20

    func predict(_ invocation: Invocation) throws(Diagnostic) -> Outcome {
        let model = try requireModel(for: invocation)
        guard model.architecture.inputWidth == DigitPicture.side * DigitPicture.side else {
            throw Diagnostic(
                "predict reads 28x28 digits; this model takes \(model.architecture.inputWidth) features",
                at: invocation.verb.span)
        }
        if let split = invocation.subcommand, let index = invocation.argument("N") {
            try predictSample(split: split, indexWord: index.word, index: index.intValue, model: model, invocation: invocation)
            return .done
        }
        guard let file = invocation.argument("FILE")?.word else { return .done }
        switch host.kind(of: resolve(file.text)) {
        case .missing:
            throw Diagnostic("no such file or folder: \(file.text)", at: file.span)
        case .directory:
            try predictFolder(file, model: model, invocation: invocation)
        case .file, .other:
            try predictPicture(file, model: model, invocation: invocation)
        }
        return .done
    }

    // MARK: - One picture

    private func predictPicture(_ file: Word, model: Model, invocation: Invocation) throws(Diagnostic) {
        let picture = try readPicture(resolve(file.text), shownAs: file.text, span: file.span)
        let probabilities = try classify([picture.pixels], model: model, invocation: invocation)[0]
        emit(.text(Self.describe(probabilities, truth: nil)))
        var notes: [String] = []
        if picture.inverted { notes.append("inverted (dark ink on light paper)") }
        if picture.thickening > 0 { notes.append("strokes thickened") }
        emit(
            .text(
                "prepared like MNIST: \(picture.width)x\(picture.height) \(picture.format), ink cropped, scaled to 20 px, centred by mass"
                    + (notes.isEmpty ? "" : "; " + notes.joined(separator: ", "))))
        let original = GrayImage(
            width: picture.preview.width, height: picture.preview.height,
            pixels: picture.preview.brightness.map { Float($0) / 255 })
        let input = picture.pixels.map { Float($0) / 255 }
        // The extension stays in the name, so d.png and d.jpg do not overwrite each other's plot.
        let stem = Self.plotStem(Self.lastComponent(file.text))
        let script = try plotting(invocation, name: "predict-\(stem)") { output throws(PlottingError) in
            try predictionPanel(
                original: original, input: input, probabilities: probabilities.map(Double.init),
                title: file.text, output: output)
        }
        let preview = wantsPreviews ? try? blockCharacterImage(input) : nil
        try publish(script, preview: preview, invocation: invocation)
    }

    // MARK: - A folder

    /// Every picture in DIR (and in DIR/<digit>/ folders, whose name is the truth).
    private func predictFolder(_ folder: Word, model: Model, invocation: Invocation) throws(Diagnostic) {
        let root = resolve(folder.text)
        var files: [(path: String, shown: String, truth: Int?)] = []
        var ignoredFolders: [String] = []
        for entry in host.list(root) where !entry.hasPrefix(".") {
            let path = root + "/" + entry
            if host.kind(of: path) == .directory {
                guard entry.count == 1, let digit = Int(entry) else {
                    ignoredFolders.append(entry)
                    continue
                }
                for name in host.list(path) where Self.isPicture(name) {
                    files.append((path + "/" + name, folder.text + "/" + entry + "/" + name, digit))
                }
            } else if Self.isPicture(entry) {
                files.append((path, folder.text + "/" + entry, nil))
            }
        }
        guard !files.isEmpty else {
            throw Diagnostic(
                "no pictures in \(folder.text) (looked for \(DigitPicture.fileExtensions.sorted().joined(separator: ", ")) files, and in 0/ … 9/ folders)",
                at: folder.span)
        }
        // One unreadable picture should not hide the others: it is reported and skipped.
        var pictures: [DigitPicture] = []
        var skipped: [String] = []
        var readable: [(path: String, shown: String, truth: Int?)] = []
        for file in files {
            do {
                pictures.append(try readPicture(file.path, shownAs: file.shown, span: folder.span))
                readable.append(file)
            } catch {
                skipped.append("skipped \(error.message)")
            }
        }
        guard !pictures.isEmpty else {
            throw Diagnostic("no readable pictures in \(folder.text)", at: folder.span, notes: skipped)
        }
        files = readable
        let probabilities = try classify(pictures.map(\.pixels), model: model, invocation: invocation)
        let predicted = probabilities.map(Self.best)
        var lines: [String] = []
        let labelled = files.indices.filter { files[$0].truth != nil }
        let mistakes = labelled.filter { predicted[$0] != files[$0].truth }
        for index in files.indices where files[index].truth == nil || mistakes.contains(index) {
            let truth = files[index].truth.map { " (true \($0))" } ?? ""
            let confidence = NumberFormat.fixed(Double(probabilities[index][predicted[index]]), 4)
            lines.append("\(files[index].shown): \(predicted[index])\(truth), probability \(confidence)")
        }
        var summary = "predicted \(files.count) picture(s) in \(folder.text)"
        if !labelled.isEmpty {
            let right = labelled.count - mistakes.count
            summary +=
                ": accuracy \(NumberFormat.fixed(Double(right) / Double(labelled.count), 4)) (\(right)/\(labelled.count) right"
                + (mistakes.isEmpty ? ")" : ", mistakes below)")
        }
        if !ignoredFolders.isEmpty {
            lines.append("ignored folder(s) \(ignoredFolders.joined(separator: ", ")): only 0/ … 9/ name a digit")
        }
        emit(.text(([summary] + lines + skipped).joined(separator: "\n")))
        let shown = Array(files.indices.prefix(maxGridImages))
        let images = shown.map { index in
            DigitImage(
                pixels: pictures[index].pixels.map { Float($0) / 255 },
                caption: files[index].truth.map {
                    predicted[index] == $0 ? "\(predicted[index])" : "\(predicted[index]) (true \($0))"
                }
                    ?? "\(predicted[index])",
                isMistake: files[index].truth.map { predicted[index] != $0 } ?? false)
        }
        let stem = Self.plotStem(Self.lastComponent(folder.text))
        let script = try plotting(invocation, name: "predict-\(stem)") { output throws(PlottingError) in
            try digitGrid(title: "\(folder.text): the inputs the model saw, with its predictions", images: images, output: output)
        }
        try publish(script, preview: nil, invocation: invocation)
    }

    // MARK: - A sample of the loaded data

    private func predictSample(
        split: String, indexWord: Word, index: Int, model: Model, invocation: Invocation
    ) throws(Diagnostic) {
        let data = try requireData(for: invocation)
        let set = split == "test" ? data.test : data.train
        guard index < set.count else {
            throw Diagnostic(
                "the \(split) set has samples 0 to \(max(0, set.count - 1)). Received: \(indexWord.text)", at: indexWord.span)
        }
        let examples = try examples(split, for: invocation)
        let width = examples.width
        let probabilities: [Float]
        do {
            probabilities = try model.predict(try examples.rows(index..<(index + 1)))
        } catch {
            throw Diagnostic(error.description, at: invocation.verb.span)
        }
        let truth = Int(set.labels[index])
        emit(.text("\(split) sample \(index): " + Self.describe(probabilities, truth: truth)))
        let input = set.pixels[(index * width)..<((index + 1) * width)].map { Float($0) / 255 }
        let original = GrayImage(width: set.cols, height: set.rows, pixels: input.map { 1 - $0 })
        let script = try plotting(invocation, name: "predict-\(split)-\(index)") { output throws(PlottingError) in
            try predictionPanel(
                original: original, input: input, probabilities: probabilities.map(Double.init),
                title: "\(split) sample \(index) (true \(truth))", output: output)
        }
        try publish(script, preview: wantsPreviews ? try? blockCharacterImage(input) : nil, invocation: invocation)
    }

    // MARK: - Shared pieces

    private func readPicture(_ path: String, shownAs shown: String, span: SourceSpan) throws(Diagnostic) -> DigitPicture {
        let size = host.size(of: path)
        guard size <= Self.maximumPictureBytes else {
            throw Diagnostic(
                "\(shown) is \(NumberFormat.bytes(size)): too large for a picture of a digit (at most \(NumberFormat.bytes(Self.maximumPictureBytes)))",
                at: span)
        }
        let bytes: [UInt8]
        do {
            bytes = try host.read(path)
        } catch {
            throw Diagnostic(error.message(naming: shown), at: span)
        }
        do {
            return try DigitPicture(decoding: bytes, name: shown)
        } catch {
            throw Diagnostic(error.description, at: span)
        }
    }

    /// Class probabilities for 28x28 pictures, normalized as the model's training data was.
    private func classify(_ pictures: [[UInt8]], model: Model, invocation: Invocation) throws(Diagnostic) -> [[Float]] {
        let classes = model.classes
        do {
            let flat = try model.predict(
                pixels: pictures.flatMap { $0 }, count: pictures.count, scaling: inputScaling)
            return (0..<pictures.count).map { Array(flat[($0 * classes)..<(($0 + 1) * classes)]) }
        } catch {
            throw Diagnostic(error.description, at: invocation.verb.span)
        }
    }

    static func best(_ probabilities: [Float]) -> Int {
        probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
    }

    /// `predicted 7 — 7 0.9931, 1 0.0042, 2 0.0011` (and `, true 7` for a labelled sample).
    static func describe(_ probabilities: [Float], truth: Int?) -> String {
        let top = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }.prefix(3)
        let ranked = top.map { "\($0) \(NumberFormat.fixed(Double(probabilities[$0]), 4))" }.joined(separator: ", ")
        let verdict = truth.map { best(probabilities) == $0 ? " (true \($0), right)" : " (true \($0), wrong)" } ?? ""
        return "predicted \(best(probabilities))\(verdict) — top 3: \(ranked)"
    }

    static func isPicture(_ name: String) -> Bool {
        let last = lastComponent(name)
        guard let dot = last.lastIndex(of: "."), dot != last.startIndex else { return false }
        return DigitPicture.fileExtensions.contains(last[last.index(after: dot)...].lowercased())
    }

    /// `a/b/c.png` → `c.png`; trailing slashes are ignored.
    static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// A plot name from a file name: letters, digits, `_` and `-` only.
    static func plotStem(_ name: String) -> String {
        let cleaned = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
        return cleaned.isEmpty ? "picture" : String(cleaned.prefix(60))
    }
}
