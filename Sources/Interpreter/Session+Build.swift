import Engine
import Language
import Plotting

/// `build dense 128 relu, dense 10 softmax`: its declaration and its handler.
enum BuildCommand {
    /// The engine's activations, in the order help lists them.
    static let activations = ["relu", "sigmoid", "tanh", "softmax", "linear"].filter { Activation(rawValue: $0) != nil }

    static let spec = CommandSpec(
        name: "build",
        usage: "build dense UNITS ACTIVATION, dense UNITS ACTIVATION ...",
        summary: "a sequential network of dense layers; the input width comes from the data",
        details: """
            Each comma-separated layer is `dense UNITS [ACTIVATION]` (activation: relu, sigmoid, tanh,
            softmax, linear; default linear). The last layer must be softmax: the loss is categorical
            cross-entropy. Kernels start Glorot-uniform from the session seed, biases at zero.
            """,
        groups: [
            ArgumentSpec("LAYER", .choice(["dense"]), noun: "layer type"),
            ArgumentSpec("UNITS", .integer(1...1_000_000), noun: "units"),
            ArgumentSpec("ACTIVATION", .choice(activations), .optional, default: .text("linear")),
        ],
        groupNoun: "layer",
        examples: ["build dense 128 relu, dense 10 softmax", "build dense 15 relu, dense 10 softmax"])

    static let entry = CommandEntry(spec: spec, handler: Session.build)
}

extension Session {
    func build(_ invocation: Invocation) throws(Diagnostic) -> Outcome {
        let layers = invocation.groups.map { group in
            DenseSpec(
                units: group.count > 1 ? group[1].intValue : 1,
                activation: group.count > 2 ? Activation(rawValue: group[2].textValue) ?? .linear : .linear)
        }
        let data = try requireData(for: invocation)
        let architecture = Architecture(inputWidth: data.width, layers: layers)
        let model: Model
        do {
            model = try Model(architecture: architecture, seed: state.settings.seed)
        } catch {
            throw Diagnostic(error.description, at: offendingLayerSpan(layers, invocation) ?? invocation.wholeSpan)
        }
        state.model = ModelValue(model)
        state.modelOrigin = "built"
        state.history = []
        state.modelScaling = nil
        state.lastValidationFraction = 0
        let shape = ([String(architecture.inputWidth)] + layers.map { "\($0.units) \($0.activation.rawValue)" })
            .joined(separator: " → ")
        emit(.text("built \(shape): \(NumberFormat.grouped(architecture.parameterCount)) parameters"))
        return .done
    }

    /// The layer an architecture error is about: a last layer that is not
    /// softmax, or a hidden one that is.
    private func offendingLayerSpan(_ layers: [DenseSpec], _ invocation: Invocation) -> SourceSpan? {
        let groups = invocation.groups
        guard groups.count == layers.count, let last = layers.last else { return nil }
        let index =
            last.activation != .softmax
            ? layers.count - 1 : layers.dropLast().firstIndex { $0.activation == .softmax }
        guard let index, let first = groups[index].first?.word, let end = groups[index].last?.word else { return nil }
        return SourceSpan(start: first.span.start, length: end.span.start.column + end.span.length - first.span.start.column)
    }
}

extension Invocation.Argument {
    /// The checked whole number (the table declared this word `.integer`).
    var intValue: Int { if case .integer(let value) = value { value } else { 0 } }
    /// The checked word (the table declared it `.choice`, `.path` or `.text`).
    var textValue: String { if case .text(let value) = value { value } else { word.text } }
}
