import Foundation
import Testing

@testable import Engine

/// Model files written before layers became units still load, and encode back to the same bytes.
struct EarlierModelFileTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/models")

    @Test(arguments: [
        ("dense-v1.safetensors", "784-16-10", 12_730, "adam"),
        ("conv-v1.safetensors", "28x28x1-26x26x2-13x13x2-338-10", 3_410, "sgd"),
    ])
    func loadsAndEncodesToTheSameBytes(name: String, widths: String, parameters: Int, optimizer: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent(name)))
        let file = try ModelFile.decode(bytes)
        #expect(file.architecture.widths == widths && file.parameters.count == parameters && file.state.isEmpty)
        #expect(file.optimizerState?.optimizer.name == optimizer && file.epochs == 1)
        #expect(try file.encode() == bytes)
        let model = try file.makeModel()
        let probabilities = try model.predict(features: [Float](repeating: 0.5, count: 784), count: 1)
        #expect(abs(probabilities.reduce(0, +) - 1) < 1e-5)
    }
}
