import JSON

// What ModelFormats (Keras files) needs of an optimizer kind from outside
// the engine: building one from Keras's config and its hyperparameters in
// Keras's names.

extension Optimizer {
    /// The optimizer of Keras's lower-case `name` (`adam`) with `learningRate`
    /// and the kind's hyperparameters read from `config` in Keras's names (as
    /// the model file reads them); nil for a kind dnb lacks. Throws
    /// `invalidArgument` with the reason for a missing or bad value.
    public init?(name: String, learningRate: Float, keras config: JSONValue) throws(EngineError) {
        guard let kind = OptimizerRegistry.rule(named: name) else { return nil }
        do {
            self.init(try kind.init(learningRate: learningRate, file: config))
        } catch {
            throw .invalidArgument("\(name): \(error.reason)")
        }
    }

    /// Keras's class name (`Adam`).
    public var kerasClassName: String { type(of: rule).kerasClassName }
    /// Keras's switches dnb's rule does not have (`amsgrad`), written false.
    public var kerasSwitchesOff: [String] { type(of: rule).kerasSwitchesOff }
    /// Whether Keras keeps the slots per variable in turn (Adam) or each kind in a block.
    public var kerasSlotsPerVariable: Bool { type(of: rule).kerasSlotsPerVariable }

    /// Keras's switches no dnb optimizer has, each with the rule's name (`amsgrad`, `adam`).
    public static var kerasSwitchesOff: [(name: String, optimizer: String)] {
        OptimizerRegistry.rules.flatMap { rule in rule.kerasSwitchesOff.map { ($0, rule.kerasClassName) } }
    }

    /// The hyperparameters besides the learning rate, Keras's names and values.
    public var kerasHyperparameters: [JSONValue.Member] {
        rule.hyperparameters.map { key, value in
            switch value {
            case .number(let number): JSONValue.Member(key: key, value: .number(number))
            case .boolean(let flag): JSONValue.Member(key: key, value: .bool(flag))
            }
        }
    }
}
