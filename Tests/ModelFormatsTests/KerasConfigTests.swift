import JSON
import Testing

@testable import ModelFormats

/// Keras configs dnb refuses: each error names the layer's class and name.
@Suite struct KerasConfigTests {
    static func layer(_ className: String, _ name: String, _ config: String = "", inbound: String? = nil) -> String {
        let nodes =
            inbound.map {
                #", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["\#($0)", 0, 0]}}]}]"#
            } ?? ""
        return #"{"class_name": "\#(className)", "config": {"name": "\#(name)"\#(config.isEmpty ? "" : ", " + config)}\#(nodes)}"#
    }

    static func model(_ layers: [String], as className: String = "Sequential") -> [UInt8] {
        Array(#"{"class_name": "\#(className)", "config": {"layers": [\#(layers.joined(separator: ", "))]}}"#.utf8)
    }

    static let input = layer("InputLayer", "input_layer", #""batch_shape": [null, 784]"#)

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var bytes: [UInt8]
        var expected: String
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(
            label: "an unsupported layer",
            bytes: model([input, layer("Dense", "dense", #""units": 8"#), layer("LeakyReLU", "leaky", #""negative_slope": 0.3"#)]
            ),
            expected: "layer \"leaky\" (LeakyReLU): dnb has no such layer"),
        Case(
            label: "a functional model that is not a chain",
            bytes: model(
                [
                    input, layer("Dense", "a", #""units": 8"#, inbound: "input_layer"),
                    layer("Dense", "b", #""units": 8"#, inbound: "input_layer"),
                    layer("Dense", "c", #""units": 10, "activation": "softmax""#, inbound: "a"),
                ], as: "Functional"),
            expected: "not a sequential stack of layers: layer \"b\" takes input_layer, not just \"a\" before it"),
        Case(
            label: "a shape that does not fit",
            bytes: model([
                layer("InputLayer", "in", #""batch_shape": [null, 28, 28, 1]"#),
                layer("Dense", "dense", #""units": 10, "activation": "softmax""#),
            ]),
            expected: "layer \"dense\" (Dense): dense takes a flat input but receives (None, 28, 28, 1); add flatten before it"),
        Case(
            label: "dilated convolution",
            bytes: model([
                layer("InputLayer", "in", #""batch_shape": [null, 28, 28, 1]"#),
                layer("Conv2D", "conv", #""filters": 4, "kernel_size": [3, 3], "dilation_rate": [2, 2]"#),
            ]),
            expected: "layer \"conv\" (Conv2D): dnb has no dilated convolutions"),
        Case(
            label: "a model class dnb does not read",
            bytes: Array(#"{"class_name": "MyModel", "config": {"layers": []}}"#.utf8),
            expected: "dnb reads Sequential models (and functional ones that are a chain), not MyModel"),
        Case(
            label: "no input shape", bytes: model([layer("Dense", "d", #""units": 10"#)]),
            expected: "says nothing of its input shape"),
    ]

    @Test(arguments: cases)
    func refusedNamingTheLayer(_ bad: Case) {
        do {
            let file = try KerasFuzzing.config(bad.bytes)
            Issue.record("accepted: \(file.architecture.widths)")
        } catch {
            #expect(error.description.contains(bad.expected), "\(error.description)")
        }
    }

    @Test func aFunctionalChainWithKeras2InputIsAccepted() throws {
        let file = try KerasFuzzing.config(
            Self.model(
                [
                    Self.layer("InputLayer", "x", #""batch_input_shape": [null, 28, 28]"#),
                    Self.layer("Flatten", "f", inbound: "x"),
                    Self.layer("Dense", "d", #""units": 10"#, inbound: "f"),
                    Self.layer("Activation", "s", #""activation": "softmax""#, inbound: "d"),
                ], as: "Functional"))
        #expect(file.architecture.widths == "28x28x1-784-10")
        #expect(file.architecture.stack.last?.activation == .softmax, "the softmax layer joins the last Dense")
    }

    @Test func aNormalizationAdaptedOnScaledPixelsTakesRawOnes() throws {
        let file = try KerasFuzzing.config(
            Self.model([
                Self.input, Self.layer("Normalization", "norm", #""axis": -1, "mean": [0.5], "variance": [0.04]"#),
                Self.layer("Dense", "d", #""units": 10, "activation": "softmax""#),
            ]))
        guard case .standardize(let mean, let std) = file.inputScaling else {
            Issue.record("Normalization gives standardize")
            return
        }
        #expect(mean.count == 784 && mean.allSatisfy { $0 == 127.5 })
        #expect(std.allSatisfy { abs($0 - 51) < 1e-4 }, "√0.04 · 255")
    }
}
