import Engine
import Language
import Plotting

/// `build conv 32 3x3 relu, flatten, dense 10 softmax`: its declaration and its handler.
/// The layer forms come from the engine's `LayerRegistry`: each kind
/// declares its words, options, defaults and help once, in its own unit.
enum BuildCommand {
    /// One `build` group form per layer kind, from its declaration.
    static func form(_ declaration: LayerDeclaration) -> GroupSpec {
        let words = declaration.arguments.filter { !$0.isOption }.map { argument in
            ArgumentSpec(
                argument.name, valueKind(argument.kind), argument.defaultValue == nil ? .required : .optional,
                default: argument.defaultValue.map(optionValue), noun: argument.summary)
        }
        let options = declaration.arguments.filter(\.isOption).map(optionSpec)
        return GroupSpec(declaration.word, words, options: options, summary: declaration.summary)
    }

    /// The language's option for an engine-declared one (a layer's or an optimizer's).
    static func optionSpec(_ argument: ArgumentDeclaration) -> OptionSpec {
        OptionSpec(
            name: argument.name, kind: valueKind(argument.kind), defaultValue: argument.defaultValue.map(optionValue),
            summary: argument.summary)
    }

    static func valueKind(_ kind: ArgumentKind) -> ValueKind {
        switch kind {
        case .integer(let range): .integer(range)
        case .number(let range, let exclusiveLower): .number(range, exclusiveLower: exclusiveLower)
        case .choice(let words): .choice(words)
        case .squareSize(let range): .squareSize(range)
        case .boolean: .boolean
        }
    }

    static func optionValue(_ value: ArgumentValue) -> OptionValue {
        switch value {
        case .integer(let value): .integer(value)
        case .number(let value): .number(value)
        case .text(let value): .text(value)
        case .boolean(let value): .boolean(value)
        }
    }

    static func argumentValue(_ value: OptionValue) -> ArgumentValue? {
        switch value {
        case .integer(let value): .integer(value)
        case .number(let value): .number(value)
        case .text(let value): .text(value)
        case .boolean(let value): .boolean(value)
        }
    }

    static let spec = CommandSpec(
        name: "build",
        usage: "build LAYER, LAYER, ... ("
            + LayerRegistry.declarations.map(\.word).joined(separator: ", ") + "; see help build)",
        summary: "a sequential network; the input comes from the data (flat, or 28x28 images for conv)",
        details: """
            Comma-separated layers with Keras's names and defaults (activation: relu, sigmoid, tanh,
            softmax, linear; default linear). The last layer must be dense softmax: the loss is
            categorical cross-entropy. A stack starting with a layer that works on images
            (\(imageLayerWords)) takes each image as height×width×1; any other takes it
            flat (784 features). Kernels start Glorot-uniform from the session seed, biases at zero.
            """,
        groups: LayerRegistry.declarations.map(form),
        groupNoun: "layer",
        examples: [
            "build dense 128 relu, dense 10 softmax",
            "build conv 32 3x3 relu, maxpool 2, conv 64 3x3 relu, maxpool 2, flatten, dropout 0.5, dense 10 softmax",
            "build conv 16 5x5 relu padding=same stride=2, flatten, dense 10 softmax",
        ])

    static let entry = CommandEntry(spec: spec, handler: Session.build)

    /// `conv, maxpool, ... or flatten`: the layers that make a stack take images.
    static var imageLayerWords: String {
        let words = LayerRegistry.declarations.filter(\.readsImages).map(\.word)
        return words.dropLast().joined(separator: ", ") + (words.count > 1 ? " or " : "") + (words.last ?? "")
    }

    /// The engine's layer for a checked group: its words and options, the
    /// declared defaults filled in.
    static func layer(_ group: Invocation.Group) -> LayerSpec? {
        let word = group.kind.text
        guard let declaration = LayerRegistry.declarations.first(where: { $0.word == word }) else { return nil }
        var values: [String: ArgumentValue] = [:]
        for argument in declaration.arguments {
            let given = argument.isOption ? group.givenOption(argument.name) : group.value(argument.name)
            values[argument.name] = given.flatMap(argumentValue) ?? argument.defaultValue
        }
        return LayerSpec(word: word, arguments: ArgumentValues(values))
    }

    /// Images go in whole when the first layer that keeps no shape of its
    /// own works on images (its kind says so); otherwise flat, as
    /// dense stacks always did.
    static func inputShape(for stack: [LayerSpec], imageRows rows: Int, columns: Int) -> [Int] {
        let first = stack.first { !$0.declaration.keepsShape }
        return first?.declaration.readsImages == true ? [rows, columns, 1] : [rows * columns]
    }

    /// `784 → 128 relu → 10 softmax` for dense stacks (as always); other
    /// stacks name every layer with its output shape:
    /// `28×28×1 → conv 26×26×32 relu → ... → dense 10 softmax`.
    static func shapeLine(_ architecture: Architecture) -> String {
        guard !architecture.isDense else {
            return ([String(architecture.inputWidth)] + architecture.layers.map { "\($0.units) \($0.activation.rawValue)" })
                .joined(separator: " → ")
        }
        let rows = (try? architecture.summary()) ?? []
        let layers = zip(architecture.stack, rows).map { layer, row in layer.shapeLine(output: row.outputShape) }
        return ([architecture.inputShape.map(String.init).joined(separator: "×")] + layers).joined(separator: " → ")
    }
}

extension Session {
    func build(_ invocation: Invocation) throws(Diagnostic) -> Outcome {
        let stack = invocation.groups.compactMap(BuildCommand.layer)
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
                "built \(BuildCommand.shapeLine(architecture)): \(NumberFormat.grouped(architecture.totalWeightCount)) parameters"))
        return .done
    }
}

extension Invocation.Argument {
    /// The checked whole number (the table declared this word `.integer`).
    var intValue: Int { if case .integer(let value) = value { value } else { 0 } }
    /// The checked word (the table declared it `.choice`, `.path` or `.text`).
    var textValue: String { if case .text(let value) = value { value } else { word.text } }
}
