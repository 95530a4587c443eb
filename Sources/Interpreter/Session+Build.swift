import Engine
import Language

extension Session {
    /// `build dense 128 relu, dense 10 softmax`.
    func build(_ command: Command) throws(Diagnostic) {
        _ = try options(command)
        var layers: [DenseSpec] = []
        for group in command.groups {
            layers.append(try denseLayer(group, in: command))
        }
        let data = try requireData(for: command)
        let architecture = Architecture(inputWidth: data.width, layers: layers)
        let model: Model
        do {
            model = try Model(architecture: architecture, seed: state.settings.seed)
        } catch {
            throw Diagnostic(error.description, at: offendingLayerSpan(layers, command) ?? wholeSpan(command))
        }
        state.model = model
        state.modelOrigin = "built"
        state.history = []
        state.modelNormalization = nil
        state.lastValidationFraction = 0
        let shape = ([String(architecture.inputWidth)] + layers.map { "\($0.units) \($0.activation.rawValue)" })
            .joined(separator: " → ")
        emit(.text("built \(shape): \(Formatting.grouped(architecture.parameterCount)) parameters"))
    }

    /// The layer an architecture error is about: a last layer that is not
    /// softmax, or a hidden one that is.
    private func offendingLayerSpan(_ layers: [DenseSpec], _ command: Command) -> SourceSpan? {
        let groups = command.groups
        guard groups.count == layers.count, let last = layers.last else { return nil }
        let index =
            last.activation != .softmax
            ? layers.count - 1 : layers.dropLast().firstIndex { $0.activation == .softmax }
        guard let index, let first = groups[index].first, let end = groups[index].last else { return nil }
        return SourceSpan(start: first.span.start, length: end.span.start.column + end.span.length - first.span.start.column)
    }

    /// One comma-separated group: `dense UNITS [ACTIVATION]`.
    private func denseLayer(_ group: [Word], in command: Command) throws(Diagnostic) -> DenseSpec {
        let usage = CommandSpecs.build.usage
        guard let kindWord = group.first else {
            let span = command.items.first { if case .comma = $0 { true } else { false } }?.span ?? command.verb.span
            throw Diagnostic("expected a layer such as `dense 128 relu` — usage: \(usage)", at: span)
        }
        _ = try choose(kindWord, from: CommandSpecs.build.subcommands, what: "layer type")
        guard group.count >= 2 else {
            throw Diagnostic("dense needs a number of units, as in `dense 128 relu`", at: kindWord.span)
        }
        let unitsWord = group[1]
        guard let units = Int(unitsWord.text), units >= 1, units <= 1_000_000 else {
            throw Diagnostic(
                "units must be a whole number from 1 to 1000000. Received: units=\(unitsWord.text)", at: unitsWord.span)
        }
        var activation = Activation.linear
        if group.count >= 3 {
            let name = try choose(group[2], from: CommandSpecs.activations, what: "activation")
            activation = Activation(rawValue: name) ?? .linear
        }
        if group.count > 3 {
            throw Diagnostic(
                "unexpected '\(group[3].text)' — separate layers with a comma: dense 128 relu, dense 10 softmax",
                at: group[3].span)
        }
        return DenseSpec(units: units, activation: activation)
    }
}
