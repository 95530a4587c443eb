import Engine
import Foundation
import HostIO
import Plotting
import Testing

@testable import Interpreter

/// `show weights` on a convnet (its first layer's filters) and `show
/// activations N`, with a convnet made through the engine (as `build` cannot
/// make one yet), saved as a model file and loaded.
@Suite struct ConvnetPlotCommandTests {
    static let convnet = Architecture(
        inputShape: Architecture.mnistImage,
        stack: [
            .conv2D(Conv2DLayer(filters: 4, kernelSize: 3, activation: .relu)), .maxPooling2D(poolSize: 2),
            .conv2D(Conv2DLayer(filters: 6, kernelSize: 3, activation: .relu)), .flatten, .dropout(rate: 0.25),
            .dense(DenseLayer(units: 10, activation: .softmax)),
        ])

    /// Bar digits (50 test) and `conv.safetensors` in a fresh harness.
    static func harness(_ architecture: Architecture = convnet) throws -> Harness {
        let harness = try Harness()
        try writeBarFixtures(harness)
        let model = try Model(architecture: architecture, seed: 5)
        try harness.write("conv.safetensors", try ModelFile(model: model, inputScaling: .scale, epochs: 0).encode())
        return harness
    }

    static let load = "load idx train-images train-labels test-images test-labels\nnormalize\nload model conv.safetensors\n"

    @Test func weightsOfAConvnetAreItsFirstLayersFilters() throws {
        let harness = try Self.harness()
        #expect(harness.run(Self.load + "set plots=out\nshow weights") == nil)
        let script = try String(contentsOfFile: harness.directory + "/out/weights.gp", encoding: .utf8)
        #expect(script.contains("first convolution layer''s filters (4 filters 3x3; blue < 0 < red, range ±"))
        #expect(script.contains("# filter 3: 3 rows of 3, top row first\n$d3 << EOD\n"))
        #expect(!script.contains("$d4 << EOD"))
        // The datablocks hold the kernel's weights: filter f's pixel p is kernel[p * 4 + f].
        let model = try ModelFile.decode(
            Array(try Data(contentsOf: URL(fileURLWithPath: harness.directory + "/conv.safetensors")))
        )
        .makeModel()
        let kernel = model.parameters[model.parameterRanges(layer: 0).kernel]
        let firstRow = (0..<3).map { NumberFormat.significant(Double(kernel[kernel.startIndex + $0 * 4 + 1]), 4) }
        #expect(script.contains("$d1 << EOD\n" + firstRow.joined(separator: " ") + "\n"))
        expectRendered(harness, "weights")
    }

    @Test func activationsDrawEveryLayerOfTestDigitN() throws {
        let harness = try Self.harness()
        #expect(harness.run(Self.load + "set plots=out\nshow activations 7") == nil)
        #expect(
            harness.output.contains(
                "test digit 7 (true 7): predicted ")
                && harness.output.contains(
                    "drawn: input, conv2d 26x26x4, max_pooling2d 13x13x4, conv2d_1 11x11x6, dense 10"),
            "\(harness.output)")
        let script = try String(contentsOfFile: harness.directory + "/out/activations-7.gp", encoding: .utf8)
        #expect(script.contains("'input: test digit 7 (true 7)'"))
        #expect(script.contains("'conv2d (Conv2D) 26x26x4, relu'"))
        #expect(script.contains("'max_pooling2d (MaxPooling2D) 13x13x4'"))
        #expect(script.contains("'conv2d_1 (Conv2D) 11x11x6, relu'"))
        #expect(script.contains("'dense (Dense) 10 softmax: predicted "))
        // 1 input + 4 + 4 + 6 maps + 1 strip.
        #expect(script.components(separatedBy: "matrix with image").count - 1 == 16)
        expectRendered(harness, "activations-7")
    }

    @Test func activationsDefaultToTheFirstTestDigitAndWorkForDenseModels() throws {
        let harness = try Self.harness(
            Architecture(
                inputWidth: 784,
                layers: [DenseLayer(units: 16, activation: .relu), DenseLayer(units: 10, activation: .softmax)]))
        #expect(harness.run(Self.load + "show activations") == nil)
        #expect(harness.output.contains("drawn: input, dense 16, dense_1 10"), "\(harness.output)")
        #expect(FileManager.default.fileExists(atPath: harness.directory + "/plots/activations-0.gp"))
    }

    @Test func aDigitOutOfRangeIsRefusedWithACaret() throws {
        let harness = try Self.harness()
        let rendered = try #require(harness.run(Self.load + "show activations 50"))
        #expect(
            rendered.hasPrefix("test.dnb:4:18: error: the test set has digits 0 to 49. Received: 50"), "\(rendered)")
        #expect(rendered.contains("    show activations 50\n" + String(repeating: " ", count: 4 + 17) + "^~"), "\(rendered)")
        #expect(harness.run("show activations -1")?.contains("error:") == true)
    }

    @Test func activationsNeedAModelAndTestData() throws {
        let harness = try Self.harness()
        #expect(harness.run("show activations 1")?.contains("error: no model yet") == true)
        #expect(harness.run("load model conv.safetensors\nshow activations 1")?.contains("error: no data loaded") == true)
        let trainOnly = try Self.harness()
        let rendered = trainOnly.run(
            "load idx train-images train-labels\nnormalize\nload model conv.safetensors\nshow activations")
        #expect(rendered?.contains("error: the test set is empty") == true, "\(rendered ?? "")")
    }

    @Test func previewsAreBlockCharacters() throws {
        let harness = try Self.harness()
        let previews = Previews()
        harness.session = Session(
            environment: Environment(
                variables: [:], currentDirectory: harness.directory, homeDirectory: harness.directory + "/home"),
            host: harness.host,
            emit: { event in
                if case .plot(_, _, let preview?) = event { previews.texts.append(preview) }
            })
        harness.session.wantsPreviews = true
        #expect(harness.run(Self.load + "show weights\nshow activations 2") == nil)
        let texts = previews.texts
        #expect(texts.count == 2)
        #expect(texts.first?.hasPrefix("ink where a filter's weight is positive\n") == true)
        #expect(texts.last?.hasPrefix("input: test digit 2 (true 2)\n") == true)
        #expect(texts.last?.contains("conv2d (Conv2D) 26x26x4, relu (first 2 of 4)\n") == true, "\(texts)")
        #expect(texts.allSatisfy { $0.contains("█") || $0.contains("▀") || $0.contains("▄") })
    }
}

/// The previews a session emitted.
private final class Previews {
    var texts: [String] = []
}

/// The plot's image exists and is a PNG, when gnuplot is installed.
private func expectRendered(_ harness: Harness, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    guard GnuplotRenderer().gnuplotPath != nil else { return }
    let image = try? Data(contentsOf: URL(fileURLWithPath: harness.directory + "/out/\(name).png"))
    #expect(image?.starts(with: [0x89, 0x50, 0x4E, 0x47]) == true, "\(name).png is a PNG", sourceLocation: sourceLocation)
    #expect(harness.output.contains("plot out/\(name).gp out/\(name).png"), sourceLocation: sourceLocation)
}
