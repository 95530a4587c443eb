import Datasets
import Foundation
import Testing

@testable import Engine
@testable import ModelFormats

/// Files Keras 3.15 wrote (Tests/Fixtures/keras, made by
/// Tests/Peers/keras_models.py --fixtures): dnb reads each and gives Keras's
/// probabilities for the same four test images within 1e-5, without Python.
@Suite struct KerasFixtureTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/keras").path

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var widths: String
        var notes: [String]
        /// Whether the file holds optimizer state (tf.keras 2's layout is read without it).
        var optimizer = true
        var testDescription: String { file }
    }

    static let cases: [Case] =
        ["keras", "h5"].flatMap { ext in
            [
                Case(
                    file: "quickstart.\(ext)", widths: "28x28x1-784-8-10",
                    notes: ["gives logits", "no Rescaling or Normalization"]),
                Case(file: "convnet.\(ext)", widths: "28x28x1-26x26x2-13x13x2-11x11x4-5x5x4-100-10", notes: ["no Rescaling"]),
                Case(file: "rescaled.\(ext)", widths: "784-16-10", notes: []),
                Case(file: "batchnorm.\(ext)", widths: "784-8-10", notes: ["no Rescaling"]),
            ]
        } + [
            // tf.keras 2's layout: fixed-length strings, `dense/kernel:0` names, batch_input_shape, no InputLayer.
            Case(file: "rescaled-tf2.h5", widths: "784-16-10", notes: [], optimizer: false),
            // Keras 2.13's .keras: weights under _layer_checkpoint_dependencies/<layer name>/vars.
            Case(file: "rescaled-keras213.keras", widths: "784-16-10", notes: [], optimizer: false),
        ]

    @Test(arguments: cases)
    func dnbGivesKerassProbabilities(_ fixture: Case) throws {
        let format = try #require(ModelFormat(path: fixture.file))
        let data = try Self.bytes(fixture.file)
        #expect(format.mismatch(data) == nil)
        let imported = try ModelCodec.decode(data, as: format)
        #expect(imported.file.architecture.widths == fixture.widths)
        #expect(imported.notes.count == fixture.notes.count, "\(imported.notes)")
        for (note, phrase) in zip(imported.notes, fixture.notes) { #expect(note.contains(phrase), "\(note)") }
        #expect(imported.file.inputScaling == .scale)
        if fixture.optimizer {
            let state = try #require(imported.file.optimizerState, "the optimizer state is read")
            #expect(state.iterations == 2, "64 images, batch 32")
        }
        let model = try imported.file.makeModel()
        let pixels = try Self.bytes("test-pixels.u8")
        let probabilities = try model.predict(pixels: pixels, count: 4, scaling: imported.file.inputScaling)
        let stem = String(fixture.file.split(separator: ".")[0].split(separator: "-")[0])
        let text = String(decoding: try Self.bytes("\(stem).probabilities.txt"), as: UTF8.self)
        let keras = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Float(String($0)) }
        #expect(keras.count == 40)
        let difference = zip(probabilities, keras).map { abs($0 - $1) }.max() ?? .infinity
        #expect(difference <= 1e-5, "max |p_dnb - p_keras| = \(difference)")
    }

    @Test func aDnbModelWrittenAsKerasReadsBackToTheSameBits() throws {
        let architecture = Architecture(
            inputShape: [28, 28, 1],
            stack: [
                LayerSpec(Conv2DLayer(filters: 3, kernelSize: 3, padding: .same, activation: .relu)),
                LayerSpec(MaxPooling2DLayer(poolSize: 2)),
                LayerSpec(FlattenLayer()), LayerSpec(DropoutLayer(rate: 0.25)),
                LayerSpec(DenseLayer(units: 10, activation: .softmax)),
            ])
        let model = try Model(architecture: architecture, seed: 3)
        let count = model.parameters.count
        let slots = (0..<2).map { slot in (0..<count).map { Float($0 % 97) * 0.001 + Float(slot) } }
        let mean = (0..<784).map { Float($0 % 255) }
        let std = (0..<784).map { Float($0 % 7) + 0.5 }
        let file = ModelFile(
            architecture: architecture, parameters: model.parameters,
            optimizerState: OptimizerState(
                optimizer: .adam(learningRate: 0.002), iterations: 1234, slots: slots, completedEpochs: 3),
            inputScaling: .standardize(mean: mean, std: std), epochs: 3, metadata: ["accuracy": "0.9"])
        let bytes = try ModelCodec.encode(file, as: .keras)
        #expect(ModelFormat.detect(bytes) == .keras)
        let back = try ModelCodec.decode(bytes, as: .keras)
        #expect(back.file.architecture == architecture)
        #expect(back.file.parameters.map(\.bitPattern) == file.parameters.map(\.bitPattern))
        #expect(back.file.optimizerState?.optimizer == .adam(learningRate: 0.002))
        #expect(back.file.optimizerState?.iterations == 1234)
        #expect(back.file.optimizerState?.slots.map { $0.map(\.bitPattern) } == slots.map { $0.map(\.bitPattern) })
        #expect(back.file.epochs == 3)
        #expect(back.file.metadata["accuracy"] == "0.9")
        guard case .standardize(let readMean, let readStd) = back.file.inputScaling else {
            Issue.record("standardize comes back as Normalization")
            return
        }
        #expect(readMean == mean)
        #expect(readStd == std, "variance = std², and √(std²) gives std back")
        #expect(back.notes.isEmpty, "\(back.notes)")
    }

    @Test func theZipWriterGivesAnArchiveTheZipReaderChecks() throws {
        let entries: [(name: String, bytes: [UInt8])] = [
            ("a.txt", Array("hello".utf8)), ("b/c.bin", [0, 1, 2, 255]), ("empty", []),
        ]
        let archive = try ZipArchive(try ZipWriter.archive(entries), name: "t.zip")
        for (name, bytes) in entries {
            let entry = try #require(archive.entry(named: name))
            #expect(try archive.contents(of: entry) == bytes)
        }
    }

    @Test(arguments: [
        ("m.safetensors", ModelFormat.safetensors), ("M.KERAS", .keras), ("a/b.c/m.h5", .h5), ("x.onnx", .onnx),
    ])
    func theExtensionDecidesTheFormat(_ path: String, _ format: ModelFormat) {
        #expect(ModelFormat(path: path) == format)
    }

    @Test(arguments: ["m.pt", "m", "dir.keras/m", "m.json", "m.keras.bak"])
    func otherExtensionsAreNoFormat(_ path: String) {
        #expect(ModelFormat(path: path) == nil)
    }

    @Test func contentsThatDoNotMatchTheNameAreNamed() throws {
        let keras = try Self.bytes("rescaled.keras")
        let h5 = try Self.bytes("rescaled.h5")
        #expect(ModelFormat.keras.mismatch(h5) == .wrongContents(expected: .keras, found: .h5))
        #expect(ModelFormat.h5.mismatch(keras) == .wrongContents(expected: .h5, found: .keras))
        let message = ModelFormat.h5.mismatch(keras)?.description ?? ""
        #expect(
            message
                == "this is a Keras .keras file (a zip archive), not an HDF5 file (Keras's legacy .h5) as its name says; rename it to end in .keras"
        )
        #expect(ModelFormat.keras.mismatch(Array("hello".utf8))?.description.contains("not a model file dnb knows") == true)
    }
}
