/// Optimizer slots (moments) and step count, so `fit` resumes after save/load.
///
/// `Model.fit` continues from this state when it is given the same
/// `optimizer` value; any other optimizer starts from fresh state.
public struct OptimizerState: Sendable {
    /// The optimizer (with its hyperparameters) the slots belong to.
    public var optimizer: Optimizer
    /// Updates applied so far (Keras `iterations`); Adam's `t` is `iterations + 1`.
    public var iterations: Int
    /// `optimizer.slotCount` buffers, each the size of `Model.parameters`,
    /// in the order the optimizer documents (Adam: m, v; RMSprop: velocity,
    /// momentum; SGD: velocity).
    public var slots: [[Float]]
    /// Epochs finished so far; epoch k's shuffle is derived from (seed, k), so
    /// two 1-epoch fits equal one 2-epoch fit. Save it with the slots.
    public var completedEpochs: Int

    public init(optimizer: Optimizer, iterations: Int = 0, slots: [[Float]], completedEpochs: Int = 0) {
        self.optimizer = optimizer
        self.iterations = iterations
        self.slots = slots
        self.completedEpochs = completedEpochs
    }

    /// Zeroed slots for `optimizer` over `parameterCount` parameters.
    public init(fresh optimizer: Optimizer, parameterCount: Int) {
        self.init(
            optimizer: optimizer, iterations: 0,
            slots: Array(repeating: [Float](repeating: 0, count: parameterCount), count: optimizer.slotCount))
    }

    /// Throws `invalidArgument` unless the slots fit `optimizer` and a model
    /// of `parameterCount` parameters and the counters are not negative.
    public func validate(parameterCount: Int) throws(EngineError) {
        guard slots.count == optimizer.slotCount else {
            throw .invalidArgument(
                "optimizer state for \(optimizer.name) needs \(optimizer.slotCount) slot buffers, found \(slots.count)")
        }
        for (index, slot) in slots.enumerated() where slot.count != parameterCount {
            throw .invalidArgument(
                "optimizer state slot \(index) has \(slot.count) values but the model has \(parameterCount) parameters")
        }
        guard iterations >= 0, completedEpochs >= 0 else {
            throw .invalidArgument(
                "optimizer state counters must not be negative. Received: iterations=\(iterations), "
                    + "completed_epochs=\(completedEpochs)")
        }
    }
}
