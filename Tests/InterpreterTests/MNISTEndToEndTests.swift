import Foundation
import Testing

@testable import Interpreter

/// The real MNIST, through DNB_DATA as CI sets it. When DNB_DATA is set but
/// unreadable the test fails: a broken data path must not pass silently.
@Suite struct MNISTEndToEndTests {
    static let dataPath = ProcessInfo.processInfo.environment["DNB_DATA"]

    @Test(.enabled(if: dataPath != nil, "DNB_DATA is not set"))
    func shortFitOnASubsetLearnsMNIST() throws {
        let harness = try Harness(variables: ["DNB_DATA": try #require(Self.dataPath)])
        // validation=0.8 trains on the first 12,000 images only (Keras's split holds out the tail).
        let failure = harness.run(
            """
            load mnist
            normalize
            show data
            build dense 64 relu, dense 10 softmax
            fit epochs=1 batch=32 validation=0.8 optimizer=adam
            evaluate
            """)
        #expect(failure == nil, "\(failure ?? "")")
        let output = harness.output
        #expect(output.contains("loaded 60,000 training and 10,000 test images, 28x28"))
        #expect(output.contains("Epoch 1/1 - 375/375 - "), "12,000 / 32 = 375 steps")
        let evaluation = try #require(output.split(separator: "\n").first { $0.hasPrefix("test: ") })
        let accuracy = try #require(Double(String(evaluation.split(separator: " ")[5])))
        #expect(accuracy >= 0.90, "\(evaluation)")
        #expect(
            output.contains(/test +10,000 +28x28 +0–255 +980 +1135 +1032 +1010 +982 +892 +958 +1028 +974 +1009/),
            "show data gives the test set's class counts")
    }

    @Test(.enabled(if: dataPath != nil, "DNB_DATA is not set"))
    func seedBShapeHas1500StepsAnd101770Parameters() throws {
        let harness = try Harness(variables: ["DNB_DATA": try #require(Self.dataPath)])
        #expect(harness.run("load mnist\nnormalize\nbuild dense 128 relu, dense 10 softmax\nshow model") == nil)
        #expect(harness.output.contains("Total params: 101,770"))
        #expect(harness.run("fit epochs=1 validation=0.2 optimizer=adam") == nil)
        #expect(harness.output.contains("Epoch 1/1 - 1500/1500 - "))
    }
}
