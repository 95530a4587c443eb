import Foundation
import Testing

@testable import Interpreter

/// `save model` / `load model` by extension: refusals that list the formats,
/// contents that do not match the name, and damaged Keras files, which are
/// read in a child process: a clear error, and the session goes on.
@Suite struct ModelFormatCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/keras").path

    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: fixtures + "/" + name)))
    }

    func trained() throws -> Harness {
        let harness = try Harness()
        try writeBarFixtures(harness)
        let failure = harness.run(
            """
            load idx train-images train-labels test-images test-labels
            normalize
            build dense 8 relu, dense 10 softmax
            fit epochs=1
            """)
        #expect(failure == nil, "\(failure ?? "")")
        return harness
    }

    @Test func saveModelRefusesOtherExtensionsListingTheOnesThatWork() throws {
        let harness = try trained()
        let failure = try #require(harness.run("save model m.pt"))
        #expect(failure.contains("save model writes .safetensors, .keras or .onnx files: the extension decides the format"))
        #expect(failure.contains("Received: m.pt"))
        let h5 = try #require(harness.run("save model m.h5"))
        #expect(h5.contains("dnb reads Keras's legacy .h5 but writes .keras"))
    }

    @Test func loadModelRefusesOtherExtensionsListingTheOnesThatWork() throws {
        let harness = try Harness()
        let failure = try #require(harness.run("load model m.pt"))
        #expect(failure.contains("load model reads .safetensors, .keras or .h5 files"))
        let onnx = try #require(harness.run("load model m.onnx"))
        #expect(onnx.contains("dnb writes ONNX but does not read it back"))
    }

    @Test func aFileWhoseContentsDoNotMatchItsNameGetsTheFormatFound() throws {
        let harness = try trained()
        #expect(harness.run("save model m.safetensors") == nil)
        try harness.write(
            "renamed.keras", Array(try Data(contentsOf: URL(fileURLWithPath: harness.directory + "/m.safetensors"))))
        let failure = try #require(harness.run("load model renamed.keras"))
        #expect(
            failure.contains(
                "renamed.keras: this is a safetensors file, not a Keras .keras file (a zip archive) as its name says; rename it to end in .safetensors"
            ))
        try harness.write("keras.h5", try Self.fixture("rescaled.keras"))
        let other = try #require(harness.run("load model keras.h5"))
        #expect(other.contains("keras.h5: this is a Keras .keras file (a zip archive), not an HDF5 file"))
    }

    @Test func saveAndLoadKerasInTheSession() throws {
        let harness = try trained()
        #expect(harness.run("evaluate\nsave model m.keras\nsave model m.onnx") == nil)
        let before = try #require(harness.lines.first { $0.hasPrefix("test: ") })
        #expect(harness.output.contains("saved the model as a Keras .keras file (a zip archive) (784-8-10"))
        #expect(harness.output.contains("saved the model as an ONNX file (784-8-10"))
        #expect(harness.run("load model m.keras\nevaluate") == nil, "read back in a child process")
        let after = try #require(harness.lines.last { $0.hasPrefix("test: ") })
        #expect(before == after, "the same model gives the same evaluation")
        #expect(
            harness.output.contains(
                "loaded the model from m.keras: 784-8-10, 6,370 parameters, 1 epoch(s) trained, rmsprop after"))
    }

    struct Damage: Sendable, CustomTestStringConvertible {
        var label: String
        var damage: @Sendable ([UInt8]) -> [UInt8]
        var testDescription: String { label }
    }

    static let damages: [Damage] = [
        Damage(label: "truncated to half") { Array($0.prefix($0.count / 2)) },
        Damage(label: "truncated after the signature") { Array($0.prefix(600)) },
        Damage(label: "bytes flipped") { bytes in
            var out = bytes
            for index in stride(from: 700, to: out.count, by: 37) { out[index] ^= 0xA5 }
            return out
        },
        Damage(label: "superblock zeroed") { bytes in
            var out = bytes
            for index in 8..<min(96, out.count) { out[index] = 0 }
            return out
        },
    ]

    @Test(arguments: damages)
    func aMangledH5GetsAClearErrorAndTheNextCommandWorks(_ damage: Damage) throws {
        let harness = try Harness()
        try harness.write("mangled.h5", damage.damage(try Self.fixture("rescaled.h5")))
        try harness.write("good.h5", try Self.fixture("rescaled.h5"))
        let failure = try #require(harness.run("load model mangled.h5"), "a damaged file is refused")
        #expect(failure.contains("mangled.h5: "), "\(failure)")
        #expect(harness.session.state.model == nil, "the session is unchanged")
        #expect(harness.run("load model good.h5") == nil, "and the next command works")
        #expect(harness.output.contains("loaded the model from good.h5: 784-16-10"))
    }

    @Test func aMangledKerasFileGetsAClearError() throws {
        let harness = try Harness()
        var bytes = try Self.fixture("rescaled.keras")
        for index in stride(from: 3000, to: bytes.count, by: 41) { bytes[index] ^= 0x5A }
        try harness.write("mangled.keras", bytes)
        let failure = try #require(harness.run("load model mangled.keras"))
        #expect(failure.contains("mangled.keras: "), "\(failure)")
        #expect(harness.run("help") == nil)
    }
}

/// Seed A's usage with a model from TensorFlow's beginner quickstart: load
/// the `.keras` file Keras wrote, then predict a person's picture.
@Suite struct KerasQuickstartPredictTests {
    @Test func aQuickstartKerasFilePredictsAPicture() throws {
        let harness = try Harness()
        try harness.write("quickstart.keras", try ModelFormatCommandTests.fixture("quickstart.keras"))
        let picture = URL(fileURLWithPath: ModelFormatCommandTests.fixtures).deletingLastPathComponent()
            .appendingPathComponent("digits/formats/seven.jpg").path
        try harness.write("seven.jpg", Array(try Data(contentsOf: URL(fileURLWithPath: picture))))
        #expect(harness.run("load model quickstart.keras\npredict seven.jpg") == nil)
        #expect(harness.output.contains("note: the last layer \"dense_1\" gives logits (no softmax): dnb applies softmax"))
        #expect(harness.output.contains("predicted "), "\(harness.output)")
    }
}
