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
