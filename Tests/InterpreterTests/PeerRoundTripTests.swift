import Foundation
import HostIO
import Testing

@testable import Interpreter

/// dnb → Keras and ONNX Runtime: dnb trains a dense and a conv stack on the
/// first 3,000 MNIST images (validation=0.95 holds out the rest), saves
/// `.keras` and `.onnx`, and Keras's `load_model` (JAX backend) and
/// onnxruntime, fed the raw 0–255 test pixels, must give dnb's own
/// probabilities within 1e-5 (Tests/Peers/check_dnb_model.py).
@Suite(.serialized) struct PeerRoundTripTests {
    static let dataPath = ProcessInfo.processInfo.environment["DNB_DATA"]
    static let python = ProcessInfo.processInfo.environment["DNB_PYTHON"]
    static let checker = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Peers/check_dnb_model.py").path

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var commands: String
        /// What one epoch on 3,000 images reaches at least (the test is about agreement).
        var learns = 0.5
        var testDescription: String { name }
    }

    static let cases = [
        Case(
            name: "dense",
            commands: """
                normalize
                build dense 64 relu, dropout 0.2, dense 10 softmax
                fit epochs=1 validation=0.95 optimizer=adam
                """),
        Case(
            name: "conv",
            commands: """
                normalize standardize
                build conv 8 3x3 relu padding=same, maxpool 2, conv 16 3x3 relu, maxpool 2, flatten, dropout 0.5, dense 10 softmax
                fit epochs=1 validation=0.95 optimizer=rmsprop
                """),
        Case(
            name: "batchnorm",
            commands: """
                normalize
                build dense 64, batchnorm, activation relu, dense 10 softmax
                fit epochs=1 validation=0.95 optimizer=sgd momentum=0.9
                """),
        Case(
            name: "pooling",
            commands: """
                normalize
                build conv 8 3x3, batchnorm, activation relu, avgpool 2, conv 16 3x3 relu, globalavgpool, dense 10 softmax
                fit epochs=1 validation=0.95 optimizer=adam
                """,
            // A global-pooling net learns slowly (about 0.2 after this epoch): this case is about agreement.
            learns: 0.1),
    ]

    @Test(
        .enabled(if: dataPath != nil, "DNB_DATA is not set (the real MNIST)"),
        .enabled(if: python != nil, "DNB_PYTHON (a python with keras, jax, onnx, onnxruntime) is not set"),
        arguments: cases)
    func kerasAndONNXRuntimeGiveDnbsProbabilities(_ recipe: Case) throws {
        let harness = try Harness(variables: ["DNB_DATA": try #require(Self.dataPath)])
        let failure = harness.run(
            "load mnist\n" + recipe.commands + "\nsave model \(recipe.name).keras\nsave model \(recipe.name).onnx\n")
        #expect(failure == nil, "\(failure ?? "")")
        let model = try #require(harness.session.state.model?.model)
        let test = try #require(harness.session.state.data?.test)
        // The first 2,000 test images: enough for the figures, quick in Keras.
        let count = 2000
        let pixels = Array(test.pixels[0..<(count * 784)])
        let probabilities = try model.predict(pixels: pixels, count: count, scaling: harness.session.inputScaling)
        try harness.write("pixels.u8", pixels)
        try harness.write("labels.u8", Array(test.labels[0..<count]))
        try harness.write(
            "probabilities.f32",
            probabilities.flatMap { value in
                withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) }
            })
        let result = try runProcess(
            ProcessRequest(
                try #require(Self.python), ["-W", "ignore", Self.checker, harness.directory, recipe.name],
                timeout: .seconds(300)))
        #expect(result.status == 0, "\(result.errorText)")
        let line = try #require(result.outputText.split(separator: "\n").last.map(String.init))
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        print("peer round trip \(recipe.name): \(line)")
        let kerasDiff = try #require(figures["keras_max_diff"] as? Double)
        let onnxDiff = try #require(figures["onnx_max_diff"] as? Double)
        #expect(kerasDiff <= 1e-5, "Keras: max |p_dnb - p_keras| = \(kerasDiff)")
        #expect(onnxDiff <= 1e-5, "ONNX Runtime: max |p_dnb - p_onnx| = \(onnxDiff)")
        let dnbAccuracy = try #require(figures["dnb_accuracy"] as? Double)
        #expect(figures["keras_accuracy"] as? Double == dnbAccuracy)
        #expect(figures["onnx_accuracy"] as? Double == dnbAccuracy)
        #expect(dnbAccuracy > recipe.learns, "one epoch on 3,000 images learns something")
        #expect(figures["keras_iterations"] as? Int == 94, "3,000 / 32 steps of optimizer state travel")
        #expect(figures["keras_iterations_after_fit"] as? Int == 95, "Keras's fit continues from it")
        let expectedShape = ["conv", "pooling"].contains(recipe.name) ? [28, 28, 1] : [784]
        #expect(figures["input_shape"] as? [Int] == expectedShape)
    }
}
