import Engine
import Language
import Plotting

/// `build conv 32 3x3 relu, maxpool 2, flatten, dense 10 softmax`: its declaration and its handler.
enum BuildCommand {
    /// The engine's activations, in the order help lists them.
    static let activations = ["relu", "sigmoid", "tanh", "softmax", "linear"].filter { Activation(rawValue: $0) != nil }

    static let padding = Option(
        "padding", .choice(Padding.allCases.map(\.rawValue)), default: Padding.valid.rawValue,
        "same: zeros around the input, so out = ⌈in / stride⌉")
    static let stride = Option("stride", .integer(1...1024), default: 1, "step between windows (Keras's strides)")

    /// The layer kinds, each picked by its first word.
    enum Kind: String, CaseIterable {
        case dense, conv, maxpool, flatten, dropout

        var form: GroupSpec {
            let activation = ArgumentSpec("ACTIVATION", .choice(BuildCommand.activations), .optional, default: .text("linear"))
            return switch self {
            case .dense:
                GroupSpec(
                    rawValue, [ArgumentSpec("UNITS", .integer(1...1_000_000), noun: "units"), activation],
                    summary: "Dense: activation(dot(input, kernel) + bias), on flat input")
            case .conv:
                GroupSpec(
                    rawValue,
                    [
                        ArgumentSpec("FILTERS", .integer(1...100_000), noun: "filters"),
                        ArgumentSpec("KxK", .squareSize(1...1024), noun: "kernel size"), activation,
                    ], options: [BuildCommand.padding.spec, BuildCommand.stride.spec],
                    summary: "Conv2D: FILTERS kernels of KxK over an image")
            case .maxpool:
                GroupSpec(
                    rawValue, [ArgumentSpec("N", .integer(1...1024), noun: "pool size")],
                    summary: "MaxPooling2D: the largest of each NxN window")
            case .flatten:
                GroupSpec(rawValue, summary: "Flatten: an image to one row")
            case .dropout:
                GroupSpec(
                    rawValue, [ArgumentSpec("RATE", .number(0...1, exclusiveLower: false), noun: "rate")],
                    summary: "Dropout: in training, zeroes values with probability RATE < 1")
            }
        }
    }

    static let spec = CommandSpec(
        name: "build",
        usage: "build LAYER, LAYER, ... (dense, conv, maxpool, flatten, dropout; see help build)",
        summary: "a sequential network; the input comes from the data (flat, or 28x28 images for conv)",
        details: """
            Comma-separated layers with Keras's names and defaults (activation: relu, sigmoid, tanh,
            softmax, linear; default linear). The last layer must be dense softmax: the loss is
            categorical cross-entropy. A stack starting with conv, maxpool or flatten takes each image
            as height×width×1; any other takes it flat (784 features). Kernels start Glorot-uniform from
            the session seed, biases at zero.
            """,
        groups: Kind.allCases.map(\.form),
        groupNoun: "layer",
        examples: [
            "build dense 128 relu, dense 10 softmax",
            "build conv 32 3x3 relu, maxpool 2, conv 64 3x3 relu, maxpool 2, flatten, dropout 0.5, dense 10 softmax",
            "build conv 16 5x5 relu padding=same stride=2, flatten, dense 10 softmax",
        ])

    static let entry = CommandEntry(spec: spec, handler: Session.build)

    /// The engine's layer for a checked group.
    static func layer(_ group: Invocation.Group) -> LayerSpec {
        let activation = Activation(rawValue: group.text("ACTIVATION") ?? "") ?? .linear
        switch Kind(rawValue: group.kind.text) ?? .flatten {
        case .dense: return .dense(DenseSpec(units: group.integer("UNITS") ?? 1, activation: activation))
        case .conv:
            return .conv2D(
                Conv2DSpec(
                    filters: group.integer("FILTERS") ?? 1, kernelSize: group.integer("KxK") ?? 1, strides: group[stride],
                    padding: Padding(rawValue: group[padding]) ?? .valid, activation: activation))
        case .maxpool: return .maxPooling2D(poolSize: group.integer("N") ?? 1)
        case .flatten: return .flatten
        case .dropout: return .dropout(rate: group.number("RATE") ?? 0)
        }
    }

    /// Images go in whole when the first layer that is not dropout works on
    /// images (conv, maxpool, flatten); otherwise flat, as dense stacks always did.
    static func inputShape(for stack: [LayerSpec], imageRows rows: Int, columns: Int) -> [Int] {
        switch stack.first(where: { if case .dropout = $0 { false } else { true } }) {
        case .conv2D?, .maxPooling2D?, .flatten?: [rows, columns, 1]
        default: [rows * columns]
        }
    }

    /// `784 → 128 relu → 10 softmax` for dense stacks (as always); other
    /// stacks name every layer with its output shape:
    /// `28×28×1 → conv 26×26×32 relu → maxpool 13×13×32 → ... → dense 10 softmax`.
    static func shapeLine(_ architecture: Architecture) -> String {
        guard !architecture.isDense else {
            return ([String(architecture.inputWidth)] + architecture.layers.map { "\($0.units) \($0.activation.rawValue)" })
                .joined(separator: " → ")
        }
        func shape(_ sizes: [Int]) -> String { sizes.map(String.init).joined(separator: "×") }
        let rows = (try? architecture.summary()) ?? []
        let layers = zip(architecture.stack, rows).map { layer, row in
            switch layer {
            case .dense(let spec): "dense \(spec.units) \(spec.activation.rawValue)"
            case .conv2D(let spec): "conv \(shape(row.outputShape)) \(spec.activation.rawValue)"
            case .maxPooling2D: "maxpool \(shape(row.outputShape))"
            case .flatten: "flatten \(shape(row.outputShape))"
            case .dropout(let rate): "dropout \(rate)"
            }
        }
        return ([shape(architecture.inputShape)] + layers).joined(separator: " → ")
    }
}

extension Session {
    func build(_ invocation: Invocation) throws(Diagnostic) -> Outcome {
        let stack = invocation.groups.map(BuildCommand.layer)
        let data = try requireData(for: invocation)
        let shape = BuildCommand.inputShape(for: stack, imageRows: data.train.rows, columns: data.train.cols)
        let architecture = Architecture(inputShape: shape, stack: stack)
        do {
            try architecture.check()
        } catch {
            // The caret goes under the layer to blame, when there is one.
            let span = error.layer.flatMap { invocation.groups.indices.contains($0) ? invocation.groups[$0].span : nil }
            throw Diagnostic(error.description, at: span ?? invocation.wholeSpan)
        }
        let model: Model
        do {
            model = try Model(architecture: architecture, seed: state.settings.seed)
        } catch {
            throw Diagnostic(error.description, at: invocation.wholeSpan)
        }
        state.model = ModelValue(model)
        state.modelOrigin = "built"
        state.history = []
        state.modelScaling = nil
        state.lastValidationFraction = 0
        emit(
            .text(
                "built \(BuildCommand.shapeLine(architecture)): \(NumberFormat.grouped(architecture.parameterCount)) parameters"))
        return .done
    }
}

extension Invocation.Argument {
    /// The checked whole number (the table declared this word `.integer`).
    var intValue: Int { if case .integer(let value) = value { value } else { 0 } }
    /// The checked word (the table declared it `.choice`, `.path` or `.text`).
    var textValue: String { if case .text(let value) = value { value } else { word.text } }
}
