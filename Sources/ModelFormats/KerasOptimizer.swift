// Keras 3's optimizers as dnb has them: their compile config, and where each
// slot value sits among Keras's optimizer variables (`optimizer/vars/N`):
// 0 iterations, 1 learning rate, then the slots, per model variable in turn
// or each kind of slot in a block, as each optimizer's declaration says.

import Engine
import JSON

enum KerasOptimizer {
    static func learningRate(_ optimizer: Optimizer) -> Float { optimizer.learningRate }

    /// `compile_config`: the optimizer, sparse categorical cross-entropy on probabilities, accuracy.
    static func compileConfig(_ optimizer: Optimizer) -> JSONValue {
        var config: [JSONValue.Member] = [
            .init(key: "name", value: .string(optimizer.name)),
            .init(key: "learning_rate", value: .number(optimizer.learningRate)),
        ]
        config += optimizer.kerasHyperparameters
        // Keras's switches dnb does not have, off.
        config += optimizer.kerasSwitchesOff.map { .init(key: $0, value: .bool(false)) }
        return .object([
            .init(
                key: "optimizer",
                value: .object([
                    .init(key: "module", value: .string("keras.optimizers")),
                    .init(key: "class_name", value: .string(optimizer.kerasClassName)),
                    .init(key: "config", value: .object(config)), .init(key: "registered_name", value: .null),
                ])),
            .init(
                key: "loss",
                value: .object([
                    .init(key: "module", value: .string("keras.losses")),
                    .init(key: "class_name", value: .string("SparseCategoricalCrossentropy")),
                    .init(
                        key: "config",
                        value: .object([
                            .init(key: "name", value: .string("sparse_categorical_crossentropy")),
                            .init(key: "reduction", value: .string("sum_over_batch_size")),
                            .init(key: "from_logits", value: .bool(false)), .init(key: "ignore_class", value: .null),
                        ])),
                    .init(key: "registered_name", value: .null),
                ])),
            .init(key: "loss_weights", value: .null), .init(key: "metrics", value: .array([.string("accuracy")])),
            .init(key: "weighted_metrics", value: .null), .init(key: "run_eagerly", value: .bool(false)),
            .init(key: "steps_per_execution", value: .number(1)), .init(key: "jit_compile", value: .bool(false)),
        ])
    }

    /// Keras's slot variables after iterations and learning rate, in order:
    /// (dnb slot index, shape, offset in the parameter buffer) for model
    /// variables of `shapes` (trainable, in order).
    static func variables(_ state: OptimizerState, shapes: [[Int]]) -> [(Int, [Int], Int)] {
        var offsets: [Int] = []
        var offset = 0
        for shape in shapes {
            offsets.append(offset)
            offset += shape.reduce(1, *)
        }
        let perVariable = Array(zip(shapes, offsets))
        if state.optimizer.kerasSlotsPerVariable {
            return perVariable.flatMap { shape, offset in (0..<state.slots.count).map { ($0, shape, offset) } }
        }
        return (0..<state.slots.count).flatMap { slot in perVariable.map { (slot, $0.0, $0.1) } }
    }

    /// The optimizer of a Keras `compile_config` (or legacy `training_config`), or why not.
    static func read(_ config: JSONValue?) -> Result<Optimizer, ModelFormatError>? {
        guard let config, let optimizer = config["optimizer"] ?? config["optimizer_config"], optimizer != .null else {
            return nil
        }
        var className = optimizer["class_name"]?.string ?? optimizer.string ?? ""
        if className.hasPrefix("Custom>") { className.removeFirst("Custom>".count) }
        let values = optimizer["config"] ?? .object([])
        func number(_ key: String, _ fallback: Float) -> Float? {
            guard let value = values[key] else { return fallback }
            return value.float.flatMap { $0.isFinite ? $0 : nil }
        }
        let name = className.lowercased()
        guard let lr = number("learning_rate", OptimizerRegistry.defaultLearningRate(name) ?? 0.001) else {
            return .failure(.malformed("the \(className) learning rate is not a number (a schedule?)"))
        }
        for (switchName, owner) in Optimizer.kerasSwitchesOff where values[switchName] == .bool(true) {
            return .failure(.malformed("dnb's \(owner) has no \(switchName)"))
        }
        do {
            guard let optimizer = try Optimizer(name: name, learningRate: lr, keras: values) else {
                return .failure(
                    .malformed("dnb has the " + OptimizerRegistry.names.joined(separator: ", ") + " optimizers, not \(className)")
                )
            }
            return .success(optimizer)
        } catch {
            return .failure(.malformed(error.description))
        }
    }

    /// Slot buffers from Keras's optimizer variables (`vars` after iterations
    /// and learning rate) for model variables of `counts` values each (a
    /// negative count: a variable Keras does not have, whose slots are zeros),
    /// or nil when their number or sizes do not fit.
    static func slots(_ optimizer: Optimizer, _ vars: [[Float]], counts: [Int]) -> [[Float]]? {
        let slotCount = optimizer.slotCount
        let present = counts.filter { $0 >= 0 }.count
        guard vars.count == slotCount * present else { return nil }
        var slots = [[Float]](repeating: [], count: slotCount)
        var index = 0
        for count in counts {
            guard count >= 0 else {
                for slot in 0..<slotCount { slots[slot] += [Float](repeating: 0, count: -count) }
                continue
            }
            for slot in 0..<slotCount {
                let position: Int
                position = optimizer.kerasSlotsPerVariable ? index * slotCount + slot : slot * present + index
                guard vars[position].count == count else { return nil }
                slots[slot] += vars[position]
            }
            index += 1
        }
        return slots
    }
}
